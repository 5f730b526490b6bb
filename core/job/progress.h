// The rank-0 progress line: step/total, epoch, loss, samples/s and ETA, printed to stderr at
// most every `interval_s` seconds (and at the last step), e.g.
//   [train] step 1200/2340 (51%) epoch 6/10 loss 0.3012 | 48,210 samples/s | ETA 0m07s
#pragma once

#include <chrono>
#include <cstdint>

namespace tern {

class ProgressReporter {
 public:
  ProgressReporter(std::int64_t total_steps, std::int64_t epochs, bool enabled, double interval_s = 2.0);

  // Called once per step with the samples it processed and its loss.
  void step_done(std::int64_t step, std::int64_t epoch, std::int64_t samples, double loss);

 private:
  std::int64_t total_steps_, epochs_;
  bool enabled_;
  double interval_s_;
  std::int64_t samples_since_print_ = 0;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace tern
