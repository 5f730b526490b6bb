// tern train: the job runtime. Every rank starts MPI, builds the process mesh, and joins the job
// folder that rank 0 creates (or reopens, to resume it); then each builds the JobContext from
// the command line and runs the algorithm's fit; rank 0 saves the model and evaluates the test
// channel. An error on any rank is written to `failure` and aborts the whole job. A stop signal
// or the maximum runtime makes fit() save a checkpoint and return early: the job is then
// Stopped, and every rank exits with kStoppedExitCode.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "core/algorithms/evaluation.h"
#include "core/algorithms/registry.h"
#include "core/error.h"
#include "core/tensor/device_memory.h"
#include "launcher/device_assignment.h"
#include "launcher/job_folder.h"
#include "launcher/launch_environment.h"
#include "launcher/model_package.h"
#include "launcher/options.h"
#include "launcher/stop_signals.h"
#include "parallel/gradient_synchronizer.h"
#include "parallel/mpi_environment.h"
#include "parallel/process_mesh.h"

#if TERN_WITH_CUDA
#include "parallel/nccl_communicator.h"
#endif

namespace tern {

namespace {

// "name=value" pairs from --hp, over the string values of a hyperparameters.json.
HyperparameterMap collect_hyperparameters(const po::variables_map& values) {
  HyperparameterMap hyperparameters;
  if (values.count("hyperparameters")) {
    const std::string path = values["hyperparameters"].as<std::string>();
    std::ifstream in(path);
    TERN_CHECK(in.good(), "no such hyperparameters file: ", path);
    nlohmann::json document;
    try {
      document = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& error) {
      throw Error("hyperparameters file " + path + " is not valid JSON: " + error.what());
    }
    TERN_CHECK(document.is_object(), "hyperparameters file ", path, " must hold one JSON object");
    for (const auto& [name, value] : document.items())
      hyperparameters[name] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  if (values.count("hp")) {
    for (const std::string& pair : values["hp"].as<std::vector<std::string>>()) {
      const auto equals = pair.find('=');
      TERN_CHECK(equals != std::string::npos && equals > 0, "--hp expects name=value, got '", pair, "'");
      hyperparameters[pair.substr(0, equals)] = pair.substr(equals + 1);
    }
  }
  return hyperparameters;
}

// The group that averages gradients held on `device`: NCCL over the data-parallel ranks for a
// CUDA device, none (the MPI group itself) on the CPU or for a single rank.
std::unique_ptr<Communicator> make_device_group(Communicator& data_parallel, const Device& device, double watchdog_s) {
  if (device.is_cpu() || data_parallel.size() == 1) return nullptr;
#if TERN_WITH_CUDA
  return std::make_unique<NcclCommunicator>(data_parallel, device.index, watchdog_s);
#else
  static_cast<void>(watchdog_s);
  check_device(device);  // throws: this build has no CUDA
  std::abort();
#endif
}

// --checkpoint-dir; or, for a reopened job, the folder its job.json names; or the job folder's
// checkpoints/.
std::filesystem::path checkpoint_dir_of(const po::variables_map& values, JobFolder& folder) {
  if (values.count("checkpoint-dir")) return values["checkpoint-dir"].as<std::string>();
  if (folder.description().contains("checkpoint_dir")) return folder.description()["checkpoint_dir"].get<std::string>();
  return folder.root() / "checkpoints";
}

// Runs the job on this rank once the job folder exists: fit, then (rank 0) save and test.
// Returns the exit code: 0, or kStoppedExitCode when the job stopped early on request.
int train_in_folder(const po::variables_map& values, JobFolder& folder, Communicator& world, MeshGroups& groups,
                    const LaunchEnvironment& launch, const Device& device, const StopRequest& stop) {
  Communicator& data_parallel = *groups.dp;
  const int rank = world.rank();
  JobLog log(folder.log_path(rank), rank, rank == 0 && !values.count("quiet"));
  MetricsLog metrics(rank == 0 ? folder.metrics_path() : std::filesystem::path());
  JobContext job(metrics, log, data_parallel);
  try {
    const std::string algorithm_name = values["algorithm"].as<std::string>();
    for (const char* channel : {"train", "validation", "test"}) {
      if (values.count(channel)) job.channels[channel] = values[channel].as<std::string>();
    }
    job.hyperparameters = collect_hyperparameters(values);
    job.hyperparameters.erase("tp");  // the layout is the runtime's; run_training checked it
    job.hyperparameters.erase("pp");
    job.ingestion_mode = parse_ingestion_mode(values["ingestion"].as<std::string>());
    job.pipe_memory_bytes = values["pipe-memory-mb"].as<std::size_t>() << 20;
    job.train_distribution = parse_data_distribution(values["distribution"].as<std::string>());
    job.model_dir = folder.model_dir();
    job.checkpoint_dir = checkpoint_dir_of(values, folder);
    job.resume = parse_resume_mode(values["resume"].as<std::string>());
    job.stop = stop;
    if (rank == 0) {
      job.summary_changed = [&] {
        folder.description().update(job.summary);
        folder.write_status(JobStatus::in_progress);
      };
    }
    job.show_progress = !values.count("quiet");
    job.faults = FaultInjection::parse(std::getenv("TERN_FAULT_INJECTION") ? std::getenv("TERN_FAULT_INJECTION") : "",
                                       rank);
    job.device = device;
    const double watchdog_s = values["collective-timeout-s"].as<double>();
    const std::unique_ptr<Communicator> device_group = make_device_group(data_parallel, device, watchdog_s);
    Communicator& averaging_group = device_group ? *device_group : data_parallel;
    job.gradient_group = &averaging_group;
    // Tensor parallelism's allreduces of activations go over NCCL too on GPUs; a pipeline's
    // point-to-point traffic goes over MPI (NcclCommunicator::isend says why).
    const std::unique_ptr<Communicator> tensor_parallel_device_group = make_device_group(*groups.tp, device, watchdog_s);
    if (groups.tp->size() > 1 || groups.pp->size() > 1) {
      job.model_parallel = {.tensor_parallel = tensor_parallel_device_group ? tensor_parallel_device_group.get() : groups.tp.get(),
                            .pipeline_parallel = groups.pp.get(),
                            .model_replica = groups.replica.get(),
                            .world = &world};
    }
    const std::size_t bucket_bytes = static_cast<std::size_t>(values["bucket-mb"].as<double>() * (1 << 20));
    if (data_parallel.size() > 1) {
      job.make_gradient_averaging = [&averaging_group, bucket_bytes](std::vector<Parameter*> parameters) {
        return std::make_unique<GradientSynchronizer>(averaging_group, std::move(parameters), bucket_bytes);
      };
    }
    log.detail("rank " + std::to_string(rank) + " of " + std::to_string(world.size()) + ", local rank " +
               std::to_string(launch.local_rank) + ", launched by " + launch.launcher + ", training on " +
               device.name());

    std::unique_ptr<Algorithm> algorithm = make_algorithm(algorithm_name);
    if (rank == 0) log.info("training " + algorithm_name + " into " + folder.root().string());
    algorithm->fit(job);
    nlohmann::json& description = folder.description();
    description["resolved_hyperparameters"] = job.resolved_hyperparameters;
    description.update(job.summary);
    if (job.stopped) {
      description["stop_reason"] = job.stop_reason;
      if (rank == 0) folder.write_status(JobStatus::stopped);
      log.info("job stopped (" + job.stop_reason + "); run the same command again to resume it");
      return kStoppedExitCode;
    }
    if (rank == 0) {
      save_model(*algorithm, job.model_dir);
      log.info("model saved to " + job.model_dir.string());
      if (job.has_channel("test")) {
        for (const auto& [metric, value] : algorithm->evaluate_file(job.channels.at("test"))) {
          metrics.record(-1, -1, "test:" + metric, value);
          description["test_metrics"][metric] = value;
          log.info("test " + metric + " = " + std::to_string(value));
        }
      }
      write_model_package(folder.root(), description, folder.package_path());
      log.info("model package written to " + folder.package_path().string());
      folder.write_status(JobStatus::completed);
    }
  } catch (const std::exception& error) {
    const std::string reason = world.size() > 1 ? "rank " + std::to_string(rank) + ": " + error.what() : error.what();
    log.detail("failed: " + reason);
    folder.description().update(job.summary);
    folder.write_failure(reason);
    throw Error(reason);
  }
  return 0;
}

// The process mesh from the hyperparameters tp and pp (default 1).
ProcessMesh mesh_from_hyperparameters(const HyperparameterMap& hyperparameters, int world_size) {
  const auto degree = [&](const char* name) {
    const auto found = hyperparameters.find(name);
    if (found == hyperparameters.end()) return 1;
    try {
      return std::stoi(found->second);
    } catch (const std::exception&) {
      throw Error(std::string("hyperparameter '") + name + "': expected an integer, got '" + found->second + "'");
    }
  };
  return ProcessMesh(world_size, degree("tp"), degree("pp"));
}

int run_training(const po::variables_map& values) {
  const LaunchEnvironment launch = discover_launch_environment();
  MpiEnvironment mpi(nullptr, nullptr);
  std::unique_ptr<Communicator> world = mpi.world(values["collective-timeout-s"].as<double>());
  const int rank = world->rank();
  TERN_CHECK(launch.launcher == "none" || (launch.rank == rank && launch.size == world->size()), "the launcher (",
             launch.launcher, ") says rank ", launch.rank, " of ", launch.size, ", MPI says rank ", rank, " of ",
             world->size());
  const std::filesystem::path root = values["output-dir"].as<std::string>();
  // From here on a stop signal asks for a graceful stop; the maximum runtime counts from now.
  const double max_runtime_s = values["max-runtime"].as<double>();
  const StopRequest stop(install_stop_signal_handlers(),
                         max_runtime_s > 0 ? std::optional(StopRequest::Clock::now() +
                                                           std::chrono::duration_cast<StopRequest::Clock::duration>(
                                                               std::chrono::duration<double>(max_runtime_s)))
                                           : std::nullopt,
                         max_runtime_s);
  // The layout dp x pp x tp from the hyperparameters tp and pp (default 1); an impossible one
  // fails here, on every rank alike, before anything is written, and rank 0 alone says why.
  // A failure that every rank meets alike: rank 0 alone reports it, and no rank exits before
  // that report is out (mpirun ends the whole job at the first non-zero exit).
  const auto fail_together = [&](const std::string& reason) {
    if (rank == 0) std::cerr << "tern train: error: " << reason << std::endl;
    world->barrier();
    return 1;
  };
  std::optional<ProcessMesh> mesh;
  ResumeMode resume = ResumeMode::automatic;
  const std::string device_kind = values["device"].as<std::string>();
  try {
    TERN_CHECK(device_kind == "cpu" || device_kind == "cuda", "--device must be cpu or cuda, got '", device_kind, "'");
    resume = parse_resume_mode(values["resume"].as<std::string>());
    TERN_CHECK(max_runtime_s >= 0, "--max-runtime must not be negative, got ", max_runtime_s);
    mesh.emplace(mesh_from_hyperparameters(collect_hyperparameters(values), world->size()));
    const std::string algorithm_name = values["algorithm"].as<std::string>();
    TERN_CHECK(mesh->tp() * mesh->pp() == 1 || make_algorithm(algorithm_name)->supports_model_parallelism(),
               "layout tp=", mesh->tp(), " pp=", mesh->pp(), ": ", algorithm_name,
               " trains with data parallelism only (tp=1, pp=1)");
  } catch (const std::exception& error) {
    return fail_together(error.what());
  }
  MeshGroups groups = split_mesh_groups(*world, *mesh);

  // The device: cuda:(rank on this node) with --device cuda. A rank that cannot have one says
  // why; every rank learns that some rank failed, and all stop together.
  Device device = Device::cpu();
  std::string device_error;
  if (device_kind == "cuda") {
    try {
      const MpiEnvironment::NodePlacement placement = mpi.node_placement();
      device = assign_cuda_device(placement.rank_on_node, placement.ranks_on_node, cuda_device_count(),
                                  values.count("allow-gpu-sharing") > 0);
    } catch (const std::exception& error) {
      device_error = "rank " + std::to_string(rank) + ": " + error.what();
    }
  }
  if (allreduce_value(*world, std::int32_t{device_error.empty() ? 0 : 1}, ReduceOp::max) != 0) {
    if (!device_error.empty()) std::cerr << "tern train: error: " << device_error << std::endl;
    world->barrier();
    return 1;
  }

  // Rank 0 creates the job folder; the others open it once rank 0 says it exists.
  std::optional<JobFolder> folder;
  std::optional<JobFolderLock> folder_lock;  // rank 0's, until this process ends
  std::int32_t created = 0;
  std::string creation_error;
  if (rank == 0) {
    try {
      folder_lock.emplace(root);
      // An unfinished job in the folder is resumed (its checkpoints decide from where), unless
      // --resume=never, which refuses the folder as any job's.
      const bool earlier_job = std::filesystem::exists(root / "job.json");
      folder.emplace(earlier_job && resume != ResumeMode::never ? JobFolder::reopen_for_resume(root)
                                                                : JobFolder::create(root));
      nlohmann::json& description = folder->description();
      description["algorithm"] = values["algorithm"].as<std::string>();
      for (const char* channel : {"train", "validation", "test"}) {
        if (values.count(channel)) description["channels"][channel] = values[channel].as<std::string>();
      }
      description["hyperparameters"] = collect_hyperparameters(values);
      description["ingestion"] = values["ingestion"].as<std::string>();
      description["distribution"] = values["distribution"].as<std::string>();
      description["world"] = {{"size", world->size()}, {"dp", mesh->dp()}, {"tp", mesh->tp()}, {"pp", mesh->pp()},
                              {"launcher", launch.launcher}, {"device", device_kind}};
      description["versions"] = {{"tern", "0.1.0"}};
      description["checkpoint_dir"] = checkpoint_dir_of(values, *folder).string();
      if (max_runtime_s > 0) description["max_runtime_s"] = max_runtime_s;
      folder->write_status(JobStatus::in_progress);
      created = 1;
    } catch (const std::exception& error) {
      creation_error = error.what();
    }
  }
  world->broadcast(&created, sizeof created, 0);
  if (!created) return fail_together(creation_error);
  if (rank != 0) folder.emplace(JobFolder::open_existing(root));
  try {
    return train_in_folder(values, *folder, *world, groups, launch, device, stop);
  } catch (const std::exception& error) {
    std::cerr << "tern train: error: " << error.what() << std::endl;
    // Every other rank must end too, now: a job with a failed rank would otherwise hang.
    if (world->size() > 1) MpiEnvironment::abort_job(1);
    return 1;
  }
}

}  // namespace

int train_command(const Arguments& arguments) {
  return run_reporting_errors("train", [&] {
    po::options_description options("tern train");
    options.add_options()
        ("algorithm", po::value<std::string>()->required(), "algorithm to train (mlp)")
        ("train", po::value<std::string>()->required(), "training data (.h5 or .csv)")
        ("validation", po::value<std::string>(), "validation data, evaluated every epoch")
        ("test", po::value<std::string>(), "test data, evaluated once after training")
        ("output-dir", po::value<std::string>()->required(), "job folder to create (or to resume, see --resume)")
        ("checkpoint-dir", po::value<std::string>(), "where checkpoints go (default: OUTPUT-DIR/checkpoints)")
        ("resume", po::value<std::string>()->default_value("auto")->implicit_value("required"),
         "auto: continue an unfinished job from its newest valid checkpoint, if any; --resume (required): "
         "fail when there is none; never: always start afresh")
        ("max-runtime", po::value<double>()->default_value(0.0),
         "seconds after which the job saves a checkpoint and stops (status Stopped); 0: no limit")
        ("hp", po::value<std::vector<std::string>>()->composing(), "hyperparameter name=value (repeatable)")
        ("hyperparameters", po::value<std::string>(), "hyperparameters.json (string values); --hp overrides")
        ("ingestion", po::value<std::string>()->default_value("file"), "file (load into memory) or pipe (stream)")
        ("pipe-memory-mb", po::value<std::size_t>()->default_value(256), "memory bound of pipe-mode prefetching")
        ("distribution", po::value<std::string>()->default_value("replicated"),
         "training rows across ranks: replicated (each global batch split over ranks) or sharded")
        ("device", po::value<std::string>()->default_value("cpu"),
         "where the model trains: cpu, or cuda (each rank takes the GPU of its rank on the node)")
        ("allow-gpu-sharing", "with --device cuda, let more ranks than GPUs share a node's GPUs")
        ("bucket-mb", po::value<double>()->default_value(25.0), "gradient allreduce bucket size (data parallelism)")
        ("collective-timeout-s", po::value<double>()->default_value(300.0),
         "how long a rank waits in a collective before the job is aborted")
        ("quiet", "no progress line");
    const auto values = parse_options("train", options, arguments);
    return values ? run_training(*values) : 0;
  });
}

}  // namespace tern
