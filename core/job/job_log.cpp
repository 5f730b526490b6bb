#include "core/job/job_log.h"

#include <cstdio>
#include <iostream>

#include "core/error.h"

namespace tern {

JobLog::JobLog(const std::filesystem::path& path, int rank, bool echo_to_stderr)
    : rank_(rank), echo_to_stderr_(echo_to_stderr), start_(std::chrono::steady_clock::now()) {
  if (path.empty()) return;
  out_.open(path, std::ios::app);
  TERN_CHECK(out_.good(), "cannot open log file ", path);
}

void JobLog::info(const std::string& message) { write(message, echo_to_stderr_); }

void JobLog::detail(const std::string& message) { write(message, false); }

void JobLog::write(const std::string& message, bool echo) {
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char stamp[48];
  std::snprintf(stamp, sizeof stamp, "[%9.3fs rank %d] ", elapsed_s, rank_);
  std::lock_guard lock(mutex_);
  if (out_.is_open()) {
    out_ << stamp << message << '\n';
    out_.flush();
  }
  if (echo) std::cerr << stamp << message << std::endl;
}

}  // namespace tern
