#include "core/algorithms/token_sampling.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace tern {

std::int32_t sample_token(std::span<const float> logits, const SamplingConfig& config, float uniform) {
  TERN_CHECK(!logits.empty(), "sampling from an empty vocabulary");
  TERN_CHECK(config.temperature >= 0.0f, "temperature must be at least 0, got ", config.temperature);
  TERN_CHECK(config.top_k >= 0, "top_k must be at least 0, got ", config.top_k);
  const auto largest = std::max_element(logits.begin(), logits.end());
  if (config.temperature == 0.0f) return static_cast<std::int32_t>(largest - logits.begin());

  // The k-th largest logit bounds the candidates (ties at the bound all stay in).
  float bound = -INFINITY;
  const auto vocabulary = static_cast<std::int64_t>(logits.size());
  if (config.top_k > 0 && config.top_k < vocabulary) {
    std::vector<float> sorted(logits.begin(), logits.end());
    std::nth_element(sorted.begin(), sorted.begin() + (config.top_k - 1), sorted.end(), std::greater<>());
    bound = sorted[static_cast<std::size_t>(config.top_k - 1)];
  }
  std::vector<double> weights(logits.size(), 0.0);
  double total = 0.0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    if (logits[i] >= bound) total += weights[i] = std::exp((logits[i] - *largest) / config.temperature);
  }
  double cumulative = 0.0;
  const double target = static_cast<double>(uniform) * total;
  std::size_t last_candidate = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0.0) continue;
    cumulative += weights[i];
    last_candidate = i;
    if (cumulative > target) return static_cast<std::int32_t>(i);
  }
  return static_cast<std::int32_t>(last_candidate);  // u·total rounded up to the total
}

}  // namespace tern
