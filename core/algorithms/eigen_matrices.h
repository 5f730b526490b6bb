// Eigen matrices over Tern's row-major float32 tensors, for the algorithms that do their linear
// algebra with Eigen in float64 (kmeans, pca): the row-major types, a view of a 2-D tensor
// without a copy, and its float64 copy (converted by all threads; exact, float to double).
#pragma once

#include <Eigen/Dense>

#include "core/tensor/tensor.h"

namespace tern {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VectorD = Eigen::VectorXd;

// A 2-D float32 tensor [rows, columns] as an Eigen matrix, sharing its storage.
inline Eigen::Map<const MatrixF> matrix_view(const Tensor& matrix) {
  return {matrix.data<float>(), matrix.dim(0), matrix.dim(1)};
}

// A 2-D float32 tensor copied to float64.
inline MatrixD as_double(const Tensor& matrix) {
  MatrixD copy(matrix.dim(0), matrix.dim(1));
  const float* values = matrix.data<float>();
  const std::int64_t count = matrix.numel();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) copy.data()[i] = values[i];
  return copy;
}

}  // namespace tern
