#include "launcher/job_folder.h"

#include <chrono>
#include <ctime>
#include <fstream>

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

JobFolder JobFolder::create(const std::filesystem::path& root) {
  TERN_CHECK(!std::filesystem::exists(root / "job.json"), "output folder ", root.string(),
             " already holds a job (job.json); choose a new --output-dir");
  std::filesystem::create_directories(root / "logs");
  JobFolder folder(root);
  folder.description_["created"] = utc_now();
  return folder;
}

JobFolder JobFolder::open_existing(const std::filesystem::path& root) {
  JobFolder folder(root);
  std::ifstream in(root / "job.json");
  TERN_CHECK(in.good(), "job folder ", root.string(), " has no job.json (is the output folder shared by all nodes?)");
  folder.description_ = nlohmann::json::parse(in);
  return folder;
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
