// Checkpoints of a training loop, and resuming from them (DESIGN §6-§7).
//
// Hyperparameters, read by every checkpointing algorithm:
//   checkpoint_interval_steps   save after every N steps (0: not by steps)
//   checkpoint_interval_epochs  save after every N epochs, after the epoch's evaluation (0: not by epochs)
//   keep_checkpoints            how many of the newest checkpoints to keep (default 2)
// A stop request (stop_request.h) always saves a checkpoint before the loop ends, so a job
// stopped by SIGTERM or its maximum runtime loses nothing even with no interval set.
//
// What a checkpoint holds is the algorithm's: every rank's ModelFile (parameters, optimizer
// state, early-stopping state, the data position, ...; state every rank holds alike only in
// the file of one rank). This class adds the manifest's layout, which a resume must match, and
// the job's progress: the step, and how long metrics.jsonl was, so that a resumed job cuts off
// the lines an interrupted run logged after its checkpoint and the file reads as if the run
// had never stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/algorithms/hyperparameters.h"
#include "core/comm.h"
#include "core/io/checkpoint.h"
#include "core/nn/module.h"

namespace tern {

struct JobContext;

struct CheckpointConfig {
  std::int64_t interval_steps = 0;
  std::int64_t interval_epochs = 0;
  int keep = 2;
};
CheckpointConfig read_checkpoint_hyperparameters(HyperparameterReader& read);

// --resume: auto continues from the newest checkpoint that verifies if there is one; required
// fails when there is none; never starts afresh, ignoring any.
enum class ResumeMode { automatic, required, never };
ResumeMode parse_resume_mode(std::string_view name);

// A checkpoint's "parameters/<name>" tensors: the parameters' values (copied to the host), and
// back into the parameters (on their device).
void save_parameters(const std::vector<Parameter*>& parameters, ModelFile& state);
void load_parameters(const ModelFile& state, const std::vector<Parameter*>& parameters);

class TrainingCheckpoints {
 public:
  // `layout`: what a resumed checkpoint must have been saved with (the algorithm, the ranks'
  // layout, the global batch, ...), except the keys in `may_differ`, which the algorithm
  // resumes across; the job's resolved hyperparameters (but the checkpoint ones) are added to
  // it. `world`: every rank of the job, which saves together.
  TrainingCheckpoints(JobContext& job, Communicator& world, const CheckpointConfig& config, nlohmann::json layout,
                      std::set<std::string> may_differ = {});

  // The checkpoint to continue from, per job.resume: the newest that verifies (each one skipped
  // is logged by name and cause), or none. It refuses one saved with another layout, and one
  // missing when resume is required; it cuts metrics.jsonl back to the checkpoint's length (to
  // nothing when there is none: a fresh start) and records resumed_from_step for job.json.
  std::optional<LoadedCheckpoint> resume();

  // Called by every rank after each step that more steps follow, with the steps done so far
  // and, when that step ended an epoch (and its evaluation), the epochs done. Asks the stop
  // request (collectively), and saves `state()` when a stop was agreed or an interval is due.
  // Returns true when the loop must end now: the job then records that it stopped.
  bool after_step(std::int64_t steps_done, std::optional<std::int64_t> epochs_done,
                  const std::function<ModelFile()>& state);

 private:
  void save(std::int64_t steps_done, const ModelFile& state);

  JobContext& job_;
  Communicator& world_;
  CheckpointConfig config_;
  nlohmann::json layout_;
  std::set<std::string> may_differ_;
  std::optional<CheckpointStore> store_;  // none when the job keeps no checkpoints
  std::int64_t last_saved_step_ = -1;
};

}  // namespace tern
