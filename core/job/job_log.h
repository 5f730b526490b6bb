// The job's log: every rank writes logs/rank-N.log; rank 0 also echoes info lines to stderr.
// Lines carry the time since the job started and the rank.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

namespace tern {

class JobLog {
 public:
  // An empty path writes no file (tools that run outside a job folder).
  JobLog(const std::filesystem::path& path, int rank, bool echo_to_stderr);

  void info(const std::string& message);
  // Writes to the file only (progress detail that would clutter the terminal).
  void detail(const std::string& message);

 private:
  void write(const std::string& message, bool echo);

  std::ofstream out_;
  int rank_;
  bool echo_to_stderr_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
};

}  // namespace tern
