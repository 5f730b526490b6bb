// metrics.jsonl: one JSON object a line, {"step", "epoch", "name", "value", "time"}, with names
// like "train:loss" or "validation:accuracy". Each line is flushed as it is written, so a
// crashed job keeps every metric it logged and a reader can follow the file while it grows.
// A resumed job appends to the same file after cutting it back to its checkpoint's length.
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

  // The file's length in bytes: a checkpoint records it, so that a resumed job can drop the
  // lines an interrupted run logged after that checkpoint (0 when no file is written).
  std::uint64_t bytes() const;
  // Cuts the file back to its first `bytes` bytes (a resumed job's first act). Returns false,
  // and leaves the file as it is, when it is shorter than that (lines lost in a crash, or a
  // checkpoint folder shared with another job).
  bool rewind_to(std::uint64_t bytes);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tern
