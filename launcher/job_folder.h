// The job folder of `tern train` (see README "The job folder"):
//   job.json        resolved configuration, layout, versions, status (InProgress, Completed,
//                   Failed, Stopped), start and end times, training and billable seconds
//   metrics.jsonl   one metric a line (core/job/metrics_log.h)
//   model/          model.h5, written only when training succeeded
//   logs/rank-N.log every rank's log
//   failure         the reason, when the job failed
// job.json and failure are written atomically; a folder that already holds a job is refused,
// so a new run never overwrites an earlier one's results. Rank 0 writes job.json and
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

class JobFolder {
 public:
  // Creates the folder layout; throws if `root` already holds a job (rank 0 does this).
  static JobFolder create(const std::filesystem::path& root);
  // Opens the folder rank 0 created, with its job.json (the other ranks do this).
  static JobFolder open_existing(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path model_dir() const { return root_ / "model"; }
  std::filesystem::path metrics_path() const { return root_ / "metrics.jsonl"; }
  std::filesystem::path log_path(int rank) const;

  // Rewrites job.json with `status` and the current description. A final status (any but
  // InProgress) also records end_time, training_seconds (wall time since start_time) and
  // billable_seconds (training seconds times the job's ranks: the rank-seconds it held).
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
