// The rank-0 progress line: step/total, epoch, loss, throughput (samples/s, or tokens/s for a
// language model) and ETA, printed to stderr at most every `interval_s` seconds (and at the
// last step), e.g.
//   [train] step 1200/2340 (51%) epoch 6/10 loss 0.3012 | 48,210 samples/s | ETA 0m07s
#pragma once

#include <chrono>
#include <cstdint>

namespace tern {

class ProgressReporter {
 public:
  // `unit` names what step_done counts ("samples", "tokens").
  ProgressReporter(std::int64_t total_steps, std::int64_t epochs, bool enabled, const char* unit = "samples",
                   double interval_s = 2.0);

  // A resumed job starts at `step`: the ETA counts only the steps run since.
  void start_at(std::int64_t step) { first_step_ = step; }
  // Called once per step (numbered from 0) with the samples (or tokens) it processed and its
  // loss; NaN for an algorithm without a training loss (gbdt), which leaves it out of the line.
  void step_done(std::int64_t step, std::int64_t epoch, std::int64_t samples, double loss);

 private:
  std::int64_t total_steps_, epochs_;
  std::int64_t first_step_ = 0;
  bool enabled_;
  const char* unit_;
  double interval_s_;
  std::int64_t samples_since_print_ = 0;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace tern
