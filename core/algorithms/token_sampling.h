// Choosing the next token from a language model's logits z over the vocabulary:
//   temperature 0   the most likely token (greedy; the first of equal maxima)
//   temperature τ   a draw from softmax(z / τ), restricted to the top_k largest logits when
//                   top_k > 0 (their probabilities renormalised)
// A draw takes one uniform number u in [0, 1) and returns the first token whose cumulative
// probability exceeds u, tokens ordered by id; so a run is fixed by its seed.
#pragma once

#include <cstdint>
#include <span>

namespace tern {

struct SamplingConfig {
  float temperature = 1.0f;
  std::int64_t top_k = 0;  // 0: the whole vocabulary
};

std::int32_t sample_token(std::span<const float> logits, const SamplingConfig& config, float uniform);

}  // namespace tern
