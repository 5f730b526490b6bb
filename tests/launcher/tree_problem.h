// The seeded synthetic problem the tree algorithms' end-to-end tests train on.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "core/data/dataset.h"
#include "core/data/hdf5_writer.h"
#include "core/random/random.h"

namespace tern::testing {

// `rows` rows of 6 features on a grid of 0.01, about 10% of the values missing (NaN), with
// weights in [0.5, 1.5]: label = the class of a noisy score (2 classes, or `classes`).
inline void write_tree_problem(const std::filesystem::path& path, std::int64_t rows, int classes, std::uint64_t seed) {
  constexpr std::int64_t kFeatures = 6;
  Dataset data = allocate_dataset(rows, kFeatures, path.string());
  Tensor uniform = Tensor::empty({rows, kFeatures + 3});
  fill_uniform(uniform, 0.0f, 1.0f, seed, stream_id("gbdt-test"));
  std::vector<float> weights(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* u = uniform.data<float>() + r * (kFeatures + 3);
    float* x = data.features.data<float>() + r * kFeatures;
    for (std::int64_t f = 0; f < kFeatures; ++f) x[f] = std::round(u[f] * 400.0f) / 100.0f - 2.0f;
    const float score = x[0] * x[1] + std::sin(2.0f * x[2]) - std::abs(x[3]) + 0.5f * (u[kFeatures] - 0.5f);
    if (u[kFeatures + 1] < 0.1f) x[r % kFeatures] = std::nanf("");
    const float level = std::clamp((score + 3.0f) / 6.0f, 0.0f, 0.999f);
    data.labels.data<float>()[r] = classes == 2 ? (score > 0.0f ? 1.0f : 0.0f) : std::floor(level * static_cast<float>(classes));
    weights[static_cast<std::size_t>(r)] = 0.5f + u[kFeatures + 2];
  }
  write_hdf5(data, path, weights);
}

}  // namespace tern::testing
