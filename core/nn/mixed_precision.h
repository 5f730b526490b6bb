// Mixed precision, as torch.autocast does it: a layer's GEMMs read their inputs rounded to bf16
// or f16 and accumulate in f32 (on a GPU, the tensor cores), while the parameters, their
// gradients and the optimizer state stay f32 (the master weights). Everything else (bias,
// activations, dropout, losses) computes in f32. ForwardMode::gemm_dtype chooses per forward
// call, so evaluation and prediction can run in f32 from the same f32 weights.
//
// With f16 the gradients need loss scaling to stay above f16's underflow
// (core/optim/loss_scaler.h); bf16 has f32's range and needs none.
#pragma once

#include <string>

#include "core/backend/backend.h"
#include "core/tensor/tensor.h"

namespace tern {

// The dtype of the hyperparameter value "f32", "bf16" or "f16".
DType gemm_dtype_from_name(const std::string& name);

// The tensor a GEMM reads for x: x itself for f32, else a copy rounded to bf16 or f16 (on x's
// device). x must be f32.
Tensor gemm_input(const Tensor& x, DType dtype);

// c = α op(a) op(b) + β c for 2-D tensors on one device: a and b both f32, or both bf16, or
// both f16 (accumulated in f32); c is f32. With β = 0, c is only written.
void gemm(Transpose transpose_a, Transpose transpose_b, float alpha, const Tensor& a, const Tensor& b, float beta,
          Tensor& c);

}  // namespace tern
