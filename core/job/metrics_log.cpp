#include "core/job/metrics_log.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tern {

MetricsLog::MetricsLog(const std::filesystem::path& path) : start_(std::chrono::steady_clock::now()) {
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

}  // namespace tern
