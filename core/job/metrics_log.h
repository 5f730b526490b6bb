// metrics.jsonl: one JSON object a line, {"step", "epoch", "name", "value", "time"}, with names
// like "train:loss" or "validation:accuracy". Each line is flushed as it is written, so a
// crashed job keeps every metric it logged and a reader can follow the file while it grows.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace tern {

class MetricsLog {
 public:
  // An empty path logs nothing (ranks other than 0, or tools that only need the values).
  explicit MetricsLog(const std::filesystem::path& path = {});

  void record(std::int64_t step, std::int64_t epoch, const std::string& name, double value);

 private:
  std::ofstream out_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tern
