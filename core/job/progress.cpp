#include "core/job/progress.h"

#include <cmath>
#include <cstdio>

namespace tern {

ProgressReporter::ProgressReporter(std::int64_t total_steps, std::int64_t epochs, bool enabled, const char* unit,
                                   double interval_s)
    : total_steps_(total_steps),
      epochs_(epochs),
      enabled_(enabled),
      unit_(unit),
      interval_s_(interval_s),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void ProgressReporter::step_done(std::int64_t step, std::int64_t epoch, std::int64_t samples, double loss) {
  samples_since_print_ += samples;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_print_s = std::chrono::duration<double>(now - last_print_).count();
  const bool last_step = step + 1 == total_steps_;
  if (since_print_s < interval_s_ && !last_step) return;

  const double elapsed_s = std::chrono::duration<double>(now - start_).count();
  const double samples_per_s = since_print_s > 0 ? static_cast<double>(samples_since_print_) / since_print_s : 0.0;
  const double remaining_s = elapsed_s / static_cast<double>(step + 1 - first_step_) * static_cast<double>(total_steps_ - step - 1);
  const auto eta_s = static_cast<long long>(remaining_s + 0.5);
  char loss_text[32] = "";
  if (!std::isnan(loss)) std::snprintf(loss_text, sizeof loss_text, " loss %.4f", loss);
  std::fprintf(stderr, "[train] step %lld/%lld (%d%%) epoch %lld/%lld%s | %.0f %s/s | ETA %lldm%02llds\n",
               static_cast<long long>(step + 1), static_cast<long long>(total_steps_),
               static_cast<int>(100 * (step + 1) / total_steps_), static_cast<long long>(epoch + 1),
               static_cast<long long>(epochs_), loss_text, samples_per_s, unit_, eta_s / 60, eta_s % 60);
  samples_since_print_ = 0;
  last_print_ = now;
}

}  // namespace tern
