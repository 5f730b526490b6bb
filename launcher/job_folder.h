// The job folder of `tern train` (see README "The job folder"):
//   job.json        resolved configuration, layout, versions, status (InProgress, Completed,
//                   Failed, Stopped), start and end times, training and billable seconds
//   metrics.jsonl   one metric a line (core/job/metrics_log.h)
//   model/          model.h5, written only when training succeeded
//   model.tar.gz    the model packaged with its hyperparameters and metrics (model_package.h)
//   checkpoints/    the training checkpoints (core/job/training_checkpoints.h)
//   logs/rank-N.log every rank's log (a resumed job appends)
//   failure         the reason, when the job failed
//   .lock           held by rank 0 while the job runs (JobFolderLock)
// job.json and failure are written atomically. A folder that already holds a job is refused,
// so a new run never overwrites an earlier one's results, unless the job is resumed: then the
// folder is reopened, its earlier attempts kept in job.json's previous_attempts. Rank 0 writes job.json and
// metrics.jsonl; a failing rank writes `failure` and marks job.json failed itself, since the
// job may be aborted before rank 0 could.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace tern {

// A job's status, as job.json names it: "InProgress", "Completed", "Failed", "Stopped".
enum class JobStatus { in_progress, completed, failed, stopped };
std::string job_status_name(JobStatus status);

// The exit code of a job that stopped on request (a signal, its maximum runtime) after saving a
// checkpoint: not a failure, but not done either (sysexits' EX_TEMPFAIL: run it again to resume).
constexpr int kStoppedExitCode = 75;

// Rank 0's exclusive hold on a job folder while its job runs (an flock on <folder>/.lock, which
// holds the holder's pid): a second `tern train` on the same folder, such as a requeued job
// started while the old one is still exiting, fails at once instead of interleaving with it.
// The operating system releases it when the process ends, however it ends.
class JobFolderLock {
 public:
  // Creates the folder if needed; throws, naming the holder's pid, when another process holds it.
  explicit JobFolderLock(const std::filesystem::path& root);
  ~JobFolderLock();
  JobFolderLock(const JobFolderLock&) = delete;
  JobFolderLock& operator=(const JobFolderLock&) = delete;

 private:
  int descriptor_ = -1;
};

class JobFolder {
 public:
  // Creates the folder layout; throws if `root` already holds a job (rank 0 does this).
  static JobFolder create(const std::filesystem::path& root);
  // Opens the folder rank 0 created, with its job.json (the other ranks do this).
  static JobFolder open_existing(const std::filesystem::path& root);
  // Reopens an unfinished job's folder for a new attempt (rank 0 does this): its status,
  // times and failure move to previous_attempts, and the `failure` file is removed. A
  // completed job is refused.
  static JobFolder reopen_for_resume(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path model_dir() const { return root_ / "model"; }
  std::filesystem::path package_path() const { return root_ / "model.tar.gz"; }
  std::filesystem::path metrics_path() const { return root_ / "metrics.jsonl"; }
  std::filesystem::path log_path(int rank) const;

  // Rewrites job.json with `status` and the current description. A final status (any but
  // InProgress) also records end_time, training_seconds (wall time since start_time, plus
  // the earlier attempts') and billable_seconds (each attempt's seconds times its ranks: the
  // rank-seconds the job held).
  void write_status(JobStatus status);
  // Records the reason in `failure` and marks job.json failed.
  void write_failure(const std::string& reason);

  nlohmann::json& description() { return description_; }

 private:
  explicit JobFolder(std::filesystem::path root) : root_(std::move(root)) {}

  std::filesystem::path root_;
  nlohmann::json description_ = nlohmann::json::object();
};

}  // namespace tern
