#include "core/algorithms/dimension_reduction.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/random/random.h"
#include "kernels/common/philox.h"

namespace tern {

namespace {

std::int64_t next_power_of_two(std::int64_t value) {
  std::int64_t power = 1;
  while (power < value) power *= 2;
  return power;
}

// ±1 with probability ½ each: the index-th draw of a stream.
float random_sign(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  return kernels::philox4x32(seed, index, stream).word[0] & 1u ? 1.0f : -1.0f;
}

// In place: x ← H x with H the Walsh–Hadamard matrix of order x.size() (a power of two),
// unscaled; butterflies of growing span, each a fixed sequence of additions.
void walsh_hadamard(std::vector<double>& x) {
  const auto size = x.size();
  for (std::size_t span = 1; span < size; span *= 2) {
    for (std::size_t start = 0; start < size; start += 2 * span) {
      for (std::size_t i = start; i < start + span; ++i) {
        const double a = x[i], b = x[i + span];
        x[i] = a + b;
        x[i + span] = a - b;
      }
    }
  }
}

}  // namespace

DimensionReduction DimensionReduction::draw(const std::string& type, std::int64_t features, std::int64_t target,
                                            std::uint64_t seed) {
  DimensionReduction reduction;
  reduction.type_ = type;
  reduction.features_ = features;
  reduction.target_ = type == "none" ? features : target;
  if (type == "none") return reduction;
  TERN_CHECK(target >= 1 && target <= features, "dimension_reduction_target (", target, ") must be between 1 and ",
             "the number of features (", features, ")");
  if (type == "sign") {
    const std::uint64_t stream = stream_id("knn.sign_projection");
    const float scale = 1.0f / std::sqrt(static_cast<float>(target));
    reduction.signs_ = Tensor::empty({features, target});
    for (std::int64_t i = 0; i < features * target; ++i)
      reduction.signs_.data<float>()[i] = scale * random_sign(seed, static_cast<std::uint64_t>(i), stream);
    return reduction;
  }
  TERN_CHECK(type == "fjlt", "dimension_reduction_type '", type, "' (known: sign, fjlt)");
  const std::int64_t padded = next_power_of_two(features);
  const std::uint64_t stream = stream_id("knn.fjlt_signs");
  reduction.signs_ = Tensor::empty({padded});
  for (std::int64_t i = 0; i < padded; ++i)
    reduction.signs_.data<float>()[i] = random_sign(seed, static_cast<std::uint64_t>(i), stream);
  std::vector<std::int64_t> kept = random_permutation(padded, seed, stream_id("knn.fjlt_coordinates"));
  kept.resize(static_cast<std::size_t>(target));
  std::sort(kept.begin(), kept.end());
  reduction.coordinates_ = Tensor::empty({target});
  for (std::int64_t j = 0; j < target; ++j)
    reduction.coordinates_.data<float>()[j] = static_cast<float>(kept[static_cast<std::size_t>(j)]);
  return reduction;
}

Tensor DimensionReduction::apply(const Tensor& rows) const {
  TERN_CHECK(rows.ndim() == 2 && rows.dim(1) == features_, "dimension reduction: rows of shape ",
             shape_string(rows.shape()), " for ", features_, " features");
  if (type_ == "none") return rows;
  const std::int64_t count = rows.dim(0);
  Tensor reduced = Tensor::empty({count, target_});
  if (type_ == "sign") {
    // Row by row, x'_j = Σ_i x_i R_ij summed over i in order (vectorised across j only).
#pragma omp parallel
    {
      std::vector<double> sums(static_cast<std::size_t>(target_));
#pragma omp for schedule(static)
      for (std::int64_t r = 0; r < count; ++r) {
        std::fill(sums.begin(), sums.end(), 0.0);
        const float* x = rows.data<float>() + r * features_;
        for (std::int64_t i = 0; i < features_; ++i) {
          const float* signs = signs_.data<float>() + i * target_;
          const double value = x[i];
          for (std::int64_t j = 0; j < target_; ++j) sums[static_cast<std::size_t>(j)] += value * signs[j];
        }
        float* out = reduced.data<float>() + r * target_;
        for (std::int64_t j = 0; j < target_; ++j) out[j] = static_cast<float>(sums[static_cast<std::size_t>(j)]);
      }
    }
    return reduced;
  }
  const std::int64_t padded = signs_.numel();
  const double scale = 1.0 / std::sqrt(static_cast<double>(target_));  // √(P/t) times H's 1/√P
#pragma omp parallel
  {
    std::vector<double> x(static_cast<std::size_t>(padded));
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < count; ++r) {
      const float* row = rows.data<float>() + r * features_;
      for (std::int64_t i = 0; i < padded; ++i)
        x[static_cast<std::size_t>(i)] = i < features_ ? static_cast<double>(row[i]) * signs_.data<float>()[i] : 0.0;
      walsh_hadamard(x);
      float* out = reduced.data<float>() + r * target_;
      for (std::int64_t j = 0; j < target_; ++j)
        out[j] = static_cast<float>(scale * x[static_cast<std::size_t>(coordinates_.data<float>()[j])]);
    }
  }
  return reduced;
}

void DimensionReduction::save(ModelFile& file, const std::string& prefix) const {
  file.attributes["dimension_reduction_type"] = type_;
  file.attributes["dimension_reduction_target"] = output_dimension();
  if (type_ == "none") return;
  file.tensors.emplace(prefix + "reduction_signs", signs_);
  if (type_ == "fjlt") file.tensors.emplace(prefix + "reduction_coordinates", coordinates_);
}

DimensionReduction DimensionReduction::load(const ModelFile& file, const std::string& prefix) {
  DimensionReduction reduction;
  reduction.type_ = file.attributes.at("dimension_reduction_type").get<std::string>();
  reduction.features_ = file.attributes.at("num_features").get<std::int64_t>();
  reduction.target_ = file.attributes.at("dimension_reduction_target").get<std::int64_t>();
  if (reduction.type_ == "none") return reduction;
  reduction.signs_ = file.tensor(prefix + "reduction_signs").clone();
  const Shape expected = reduction.type_ == "sign" ? Shape{reduction.features_, reduction.target_}
                                                   : Shape{next_power_of_two(reduction.features_)};
  TERN_CHECK(reduction.signs_.shape() == expected, "model: ", reduction.type_, " reduction of shape ",
             shape_string(reduction.signs_.shape()), " for ", reduction.features_, " features to ", reduction.target_);
  if (reduction.type_ == "fjlt") {
    reduction.coordinates_ = file.tensor(prefix + "reduction_coordinates").clone();
    TERN_CHECK(reduction.coordinates_.numel() == reduction.target_, "model: fjlt keeps ",
               reduction.coordinates_.numel(), " coordinates, not ", reduction.target_);
    for (const float coordinate : reduction.coordinates_.values())
      TERN_CHECK(coordinate >= 0 && coordinate < static_cast<float>(expected[0]), "model: fjlt coordinate ",
                 coordinate, " out of range");
  }
  return reduction;
}

}  // namespace tern
