#include "core/job/metrics_log.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tern {

MetricsLog::MetricsLog(const std::filesystem::path& path) : path_(path), start_(std::chrono::steady_clock::now()) {
  if (path.empty()) return;
  out_.open(path, std::ios::app);
  TERN_CHECK(out_.good(), "cannot open metrics log ", path);
}

void MetricsLog::record(std::int64_t step, std::int64_t epoch, const std::string& name, double value) {
  if (!out_.is_open()) return;
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const nlohmann::json line = {{"step", step}, {"epoch", epoch}, {"name", name}, {"value", value}, {"time", elapsed_s}};
  out_ << line.dump() << '\n';
  out_.flush();
}

std::uint64_t MetricsLog::bytes() const {
  if (!out_.is_open()) return 0;
  return static_cast<std::uint64_t>(std::filesystem::file_size(path_));
}

bool MetricsLog::rewind_to(std::uint64_t bytes) {
  if (!out_.is_open()) return true;
  if (bytes > this->bytes()) return false;
  out_.close();
  std::filesystem::resize_file(path_, bytes);
  out_.open(path_, std::ios::app);
  TERN_CHECK(out_.good(), "cannot reopen metrics log ", path_);
  return true;
}

}  // namespace tern
