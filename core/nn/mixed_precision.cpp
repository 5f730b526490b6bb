#include "core/nn/mixed_precision.h"

namespace tern {

namespace {
HalfFormat half_format_of(DType dtype) {
  TERN_CHECK(dtype == DType::bf16 || dtype == DType::f16, "no 16-bit float format for ", dtype_name(dtype));
  return dtype == DType::bf16 ? HalfFormat::bf16 : HalfFormat::f16;
}
}  // namespace

DType gemm_dtype_from_name(const std::string& name) {
  if (name == "f32") return DType::f32;
  if (name == "bf16") return DType::bf16;
  if (name == "f16") return DType::f16;
  throw Error("unknown precision '" + name + "' (expected f32, bf16 or f16)");
}

Tensor gemm_input(const Tensor& x, DType dtype) {
  TERN_CHECK(x.dtype() == DType::f32, "GEMM input must be f32 before rounding, got ", dtype_name(x.dtype()));
  if (dtype == DType::f32) return x;
  Tensor rounded = Tensor::empty(x.shape(), dtype, x.device());
  backend_for(x.device()).to_half(half_format_of(dtype), x.device_data<float>(), rounded.half_bits(), x.numel());
  return rounded;
}

void gemm(Transpose transpose_a, Transpose transpose_b, float alpha, const Tensor& a, const Tensor& b, float beta,
          Tensor& c) {
  TERN_CHECK(a.ndim() == 2 && b.ndim() == 2 && c.ndim() == 2, "gemm of ", shape_string(a.shape()), " and ",
             shape_string(b.shape()), " into ", shape_string(c.shape()), ": operands must be matrices");
  TERN_CHECK(a.dtype() == b.dtype(), "gemm operands in ", dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  TERN_CHECK(c.dtype() == DType::f32, "gemm output must be f32, got ", dtype_name(c.dtype()));
  TERN_CHECK(a.device() == b.device() && a.device() == c.device(), "gemm operands on ", a.device().name(), ", ",
             b.device().name(), " and ", c.device().name());
  const std::int64_t m = transpose_a == Transpose::yes ? a.dim(1) : a.dim(0);
  const std::int64_t k = transpose_a == Transpose::yes ? a.dim(0) : a.dim(1);
  const std::int64_t k_of_b = transpose_b == Transpose::yes ? b.dim(1) : b.dim(0);
  const std::int64_t n = transpose_b == Transpose::yes ? b.dim(0) : b.dim(1);
  TERN_CHECK(k == k_of_b && c.dim(0) == m && c.dim(1) == n, "gemm shapes do not agree: op(a) ", m, "x", k,
             ", op(b) ", k_of_b, "x", n, ", c ", shape_string(c.shape()));
  const Backend& backend = backend_for(c.device());
  if (a.dtype() == DType::f32) {
    backend.gemm(transpose_a, transpose_b, m, n, k, alpha, a.device_data<float>(), a.dim(1), b.device_data<float>(),
                 b.dim(1), beta, c.device_data<float>(), n);
  } else {
    backend.gemm_half(half_format_of(a.dtype()), transpose_a, transpose_b, m, n, k, alpha, a.half_bits(), a.dim(1),
                      b.half_bits(), b.dim(1), beta, c.device_data<float>(), n);
  }
}

}  // namespace tern
