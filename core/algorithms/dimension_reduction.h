// Random projections that shrink rows to `target` coordinates before a neighbour search while
// keeping their distances nearly (Johnson–Lindenstrauss), knn's dimension_reduction_type:
//
//   sign:  x' = x R / √t,  R ∈ {−1, +1}^{D×t} drawn uniformly (Achlioptas, 2003)
//   fjlt:  x' = √(P/t) · S H Σ x  (Ailon & Chazelle's fast JL transform): x padded with zeros to
//          P = 2^⌈log₂ D⌉ coordinates, Σ flips the sign of each at random, H is the Walsh–
//          Hadamard transform scaled by 1/√P, S keeps t of the P coordinates drawn without
//          replacement; O(P log P) a row instead of O(D t).
//
// Each row is projected on its own, in float64 in a fixed order, so a row's projection is the
// same bits whichever rank, chunk or thread projects it. The drawn R, or Σ and S, are part of
// the model.
#pragma once

#include <cstdint>
#include <string>

#include "core/io/model_file.h"
#include "core/tensor/tensor.h"

namespace tern {

class DimensionReduction {
 public:
  // type: "none", "sign" or "fjlt"; target ≤ features (ignored for "none").
  static DimensionReduction draw(const std::string& type, std::int64_t features, std::int64_t target,
                                 std::uint64_t seed);

  const std::string& type() const { return type_; }
  std::int64_t input_dimension() const { return features_; }
  std::int64_t output_dimension() const { return type_ == "none" ? features_ : target_; }

  // rows f32 [n, D] → f32 [n, output_dimension()] (the rows themselves for "none").
  Tensor apply(const Tensor& rows) const;

  // Its attributes and tensors in a model file, under `prefix` ("knn/").
  void save(ModelFile& file, const std::string& prefix) const;
  static DimensionReduction load(const ModelFile& file, const std::string& prefix);

 private:
  std::string type_ = "none";
  std::int64_t features_ = 0, target_ = 0;
  Tensor signs_;        // sign: R / √t [D, t]; fjlt: Σ's diagonal [P]
  Tensor coordinates_;  // fjlt: S's kept coordinates [t], ascending
};

}  // namespace tern
