// Dataset: a block of dense rows held in memory, features f32 [rows, num_features] and labels
// f32 [rows], plus where they came from. Readers fill it, writers and validation take it,
// file-mode ingestion gathers batches from it. Missing values (empty CSV fields) are NaN here
// so that `tern data inspect` can count them; validation rejects them before training.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/tensor/tensor.h"

namespace tern {

struct Dataset {
  Tensor features;             // f32 [rows, num_features]
  Tensor labels;               // f32 [rows]
  std::string source;          // the file the rows were read from, for error messages
  std::int64_t first_row = 0;  // index in `source` of row 0 here (a range or shard starts later)

  std::int64_t rows() const { return labels.defined() ? labels.dim(0) : 0; }
  std::int64_t num_features() const { return features.defined() ? features.dim(1) : 0; }
};

// An uninitialised Dataset of the given size.
inline Dataset allocate_dataset(std::int64_t rows, std::int64_t num_features, std::string source,
                                std::int64_t first_row = 0) {
  return {Tensor::empty({rows, num_features}), Tensor::empty({rows}), std::move(source), first_row};
}

// Throws unless features is f32 [rows, D] and labels is f32 [rows] (a Dataset built by hand).
inline void check_dataset_shape(const Dataset& dataset) {
  TERN_CHECK(dataset.features.defined() && dataset.labels.defined() && dataset.features.ndim() == 2 &&
                 dataset.labels.ndim() == 1 && dataset.features.dim(0) == dataset.labels.dim(0) &&
                 dataset.features.dtype() == DType::f32 && dataset.labels.dtype() == DType::f32,
             "data set from '", dataset.source, "' must have f32 features [rows, D] and f32 labels [rows], got ",
             dataset.features.defined() ? shape_string(dataset.features.shape()) : "none", " and ",
             dataset.labels.defined() ? shape_string(dataset.labels.shape()) : "none");
}

}  // namespace tern
