// JobContext: everything an algorithm's fit() gets from the job runtime: the data channels,
// the hyperparameters (strings), how to ingest and distribute data, the data-parallel
// communicator, where the model goes, where checkpoints go and whether to resume from them,
// the stop request, and where to report (metrics.jsonl on rank 0, the rank's log, the progress
// line). The launcher builds it; an
// algorithm never parses a command line or touches the job folder's layout itself.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/algorithms/hyperparameters.h"
#include "core/comm.h"
#include "core/data/batch_stream.h"
#include "core/data/distribution.h"
#include "core/job/fault_injection.h"
#include "core/job/job_log.h"
#include "core/job/metrics_log.h"
#include "core/job/stop_request.h"
#include "core/job/training_checkpoints.h"
#include "core/optim/gradient_averaging.h"
#include "core/tensor/device.h"

namespace tern {

// The model-parallel side of the layout dp × pp × tp (parallel/process_mesh.h), for algorithms
// that split a model over ranks (gpt); null pointers mean tp = 1, pp = 1.
struct ModelParallelGroups {
  Communicator* tensor_parallel = nullptr;    // the ranks that share each layer
  Communicator* pipeline_parallel = nullptr;  // the stages of this rank's pipeline (rank = stage)
  Communicator* model_replica = nullptr;      // every rank of this model replica (tp × pp)
  Communicator* world = nullptr;              // every rank of the job
};

struct JobContext {
  JobContext(MetricsLog& metrics_log, JobLog& job_log, Communicator& data_parallel)
      : metrics(metrics_log), log(job_log), comm(data_parallel) {}

  // "train" (required), "validation", "test" -> data file.
  std::map<std::string, std::filesystem::path> channels;
  HyperparameterMap hyperparameters;
  IngestionMode ingestion_mode = IngestionMode::file;
  std::size_t pipe_memory_bytes = std::size_t{256} << 20;
  DataDistribution train_distribution = DataDistribution::replicated;
  std::filesystem::path model_dir;
  MetricsLog& metrics;
  JobLog& log;
  // The data-parallel group (a LocalCommunicator for a single process), for host memory.
  Communicator& comm;
  // Where the model trains: the CPU, or the CUDA device the runtime gave this rank.
  Device device = Device::cpu();
  // Set when comm has more than one rank: averages gradients over it.
  GradientAveragingFactory make_gradient_averaging;
  // The data-parallel group for device memory (NCCL's with --device cuda; else comm), for
  // ZeRO-1's reduce-scatter and allgather.
  Communicator* gradient_group = nullptr;
  ModelParallelGroups model_parallel;
  FaultInjection faults;
  // Checkpoints (training_checkpoints.h): their folder (empty: none are kept) and whether to
  // continue from the newest.
  std::filesystem::path checkpoint_dir;
  ResumeMode resume = ResumeMode::automatic;
  // Asked after every step; when it is agreed, fit() saves a checkpoint and returns early.
  StopRequest stop;
  // Set by fit() when it returned early on a stop request, and why.
  bool stopped = false;
  std::string stop_reason;
  bool show_progress = true;
  // Filled by fit(): the hyperparameters as resolved (defaults included), for job.json.
  nlohmann::json resolved_hyperparameters = nlohmann::json::object();
  // Filled by fit(): what else job.json should record of the training (early stopping's best,
  // the step it resumed from).
  nlohmann::json summary = nlohmann::json::object();
  // Called by fit() when `summary` changed in a way job.json should show at once (a resume),
  // rather than only at the end; may be empty.
  std::function<void()> summary_changed;

  bool has_channel(const std::string& name) const { return channels.contains(name); }
  // Every rank of the job: the model-parallel world, or the data-parallel group when the
  // layout has no model parallelism.
  Communicator& world() { return model_parallel.world != nullptr ? *model_parallel.world : comm; }
};

}  // namespace tern
