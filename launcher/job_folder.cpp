#include "launcher/job_folder.h"

#include <chrono>
#include <ctime>

#include "core/error.h"
#include "core/io/atomic_file.h"

namespace tern {

namespace {
std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}
}  // namespace

JobFolder::JobFolder(std::filesystem::path root) : root_(std::move(root)) {
  TERN_CHECK(!std::filesystem::exists(root_ / "job.json"), "output folder ", root_.string(),
             " already holds a job (job.json); choose a new --output-dir");
  std::filesystem::create_directories(root_ / "logs");
  description_["created"] = utc_now();
}

std::filesystem::path JobFolder::log_path(int rank) const {
  return root_ / "logs" / ("rank-" + std::to_string(rank) + ".log");
}

void JobFolder::write_status(const std::string& status) {
  description_["status"] = status;
  description_["updated"] = utc_now();
  write_file_atomically(root_ / "job.json", description_.dump(2) + "\n");
}

void JobFolder::write_failure(const std::string& reason) {
  write_file_atomically(root_ / "failure", reason + "\n");
  description_["failure"] = reason;
  write_status("failed");
}

}  // namespace tern
