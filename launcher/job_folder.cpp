#include "launcher/job_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>

#include "core/error.h"
#include "core/io/atomic_file.h"

namespace tern {

namespace {
std::string utc_text(std::time_t time) {
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&time));
  return text;
}

std::time_t now() { return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()); }
}  // namespace

JobFolderLock::JobFolderLock(const std::filesystem::path& root) {
  std::filesystem::create_directories(root);
  const std::filesystem::path path = root / ".lock";
  descriptor_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  TERN_CHECK(descriptor_ >= 0, "cannot open ", path.string(), ": ", std::strerror(errno));
  if (flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
    std::ifstream in(path);
    std::string holder;
    std::getline(in, holder);
    close(descriptor_);
    throw Error("output folder " + root.string() + " is in use by another tern train (pid " +
                (holder.empty() ? std::string("unknown") : holder) + "); wait for it to end, or choose another --output-dir");
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  static_cast<void>(ftruncate(descriptor_, 0));
  static_cast<void>(pwrite(descriptor_, pid.data(), pid.size(), 0));
}

JobFolderLock::~JobFolderLock() {
  if (descriptor_ >= 0) close(descriptor_);  // releases the flock
}

std::string job_status_name(JobStatus status) {
  switch (status) {
    case JobStatus::in_progress: return "InProgress";
    case JobStatus::completed: return "Completed";
    case JobStatus::failed: return "Failed";
    case JobStatus::stopped: return "Stopped";
  }
  return "Unknown";
}

JobFolder JobFolder::create(const std::filesystem::path& root) {
  TERN_CHECK(!std::filesystem::exists(root / "job.json"), "output folder ", root.string(),
             " already holds a job (job.json); choose a new --output-dir");
  std::filesystem::create_directories(root / "logs");
  JobFolder folder(root);
  folder.description_["start_time"] = utc_text(now());
  folder.description_["start_time_epoch_s"] = static_cast<std::int64_t>(now());
  return folder;
}

JobFolder JobFolder::open_existing(const std::filesystem::path& root) {
  JobFolder folder(root);
  std::ifstream in(root / "job.json");
  TERN_CHECK(in.good(), "job folder ", root.string(), " has no job.json (is the output folder shared by all nodes?)");
  folder.description_ = nlohmann::json::parse(in);
  return folder;
}

JobFolder JobFolder::reopen_for_resume(const std::filesystem::path& root) {
  JobFolder folder = open_existing(root);
  nlohmann::json& description = folder.description_;
  TERN_CHECK(description.value("status", "") != job_status_name(JobStatus::completed), "output folder ", root.string(),
             " holds a completed job; choose a new --output-dir");
  // The totals job.json holds include the earlier attempts': the attempt's own are the rest.
  std::int64_t earlier_seconds = 0, earlier_billable_seconds = 0;
  for (const nlohmann::json& attempt : description.value("previous_attempts", nlohmann::json::array())) {
    earlier_seconds += attempt.value("training_seconds", std::int64_t{0});
    earlier_billable_seconds += attempt.value("billable_seconds", std::int64_t{0});
  }
  nlohmann::json attempt = nlohmann::json::object();
  for (const char* key : {"status", "start_time", "end_time", "failure", "stop_reason", "resumed_from_step",
                          "hyperparameters", "world"}) {
    if (description.contains(key)) attempt[key] = description[key];
  }
  if (description.contains("training_seconds")) {
    attempt["training_seconds"] = description["training_seconds"].get<std::int64_t>() - earlier_seconds;
    attempt["billable_seconds"] = description.value("billable_seconds", std::int64_t{0}) - earlier_billable_seconds;
  }
  for (const char* key : {"status", "start_time", "end_time", "failure", "stop_reason", "resumed_from_step",
                          "training_seconds", "billable_seconds"})
    description.erase(key);
  description["previous_attempts"].push_back(attempt);
  std::filesystem::remove(root / "failure");
  description["start_time"] = utc_text(now());
  description["start_time_epoch_s"] = static_cast<std::int64_t>(now());
  return folder;
}

std::filesystem::path JobFolder::log_path(int rank) const {
  return root_ / "logs" / ("rank-" + std::to_string(rank) + ".log");
}

void JobFolder::write_status(JobStatus status) {
  const std::time_t time = now();
  description_["status"] = job_status_name(status);
  description_["updated"] = utc_text(time);
  if (status != JobStatus::in_progress) {
    const auto seconds = static_cast<std::int64_t>(time) - description_.value("start_time_epoch_s", std::int64_t{0});
    const std::int64_t ranks = description_.contains("world") ? description_["world"].value("size", 1) : 1;
    std::int64_t earlier_seconds = 0, earlier_billable_seconds = 0;
    for (const nlohmann::json& attempt : description_.value("previous_attempts", nlohmann::json::array())) {
      earlier_seconds += attempt.value("training_seconds", std::int64_t{0});
      earlier_billable_seconds += attempt.value("billable_seconds", std::int64_t{0});
    }
    description_["end_time"] = utc_text(time);
    description_["training_seconds"] = earlier_seconds + seconds;
    description_["billable_seconds"] = earlier_billable_seconds + seconds * ranks;
  }
  write_file_atomically(root_ / "job.json", description_.dump(2) + "\n");
}

void JobFolder::write_failure(const std::string& reason) {
  write_file_atomically(root_ / "failure", reason + "\n");
  description_["failure"] = reason;
  write_status(JobStatus::failed);
}

}  // namespace tern
