// Mixed precision in a Linear layer: with bf16 or f16 GEMMs, forward and backward must equal
// the f32 layer run on the rounded operands (x and W in forward; dy, x and W in backward),
// while the bias gradient stays the f32 sum of the unrounded dy. Also the tensor GEMM's checks.
#include "core/nn/mixed_precision.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/nn/linear.h"
#include "kernels/cpu/half_precision.h"

namespace tern {

// Names the dtype in test names and failure messages.
void PrintTo(DType dtype, std::ostream* out) { *out << dtype_name(dtype); }

namespace {

Tensor random_tensor(const Shape& shape, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  std::vector<float> values(static_cast<std::size_t>(shape_numel(shape)));
  for (float& value : values) value = uniform(generator);
  return Tensor::from_values(shape, values);
}

// x rounded to `dtype` and widened back to f32: what a 16-bit GEMM sees of x.
Tensor rounded(const Tensor& x, DType dtype) {
  const Tensor bits = gemm_input(x, dtype);
  Tensor widened = Tensor::empty(x.shape());
  kernels::cpu::from_half(dtype == DType::bf16 ? HalfFormat::bf16 : HalfFormat::f16, bits.half_bits(),
                          widened.data<float>(), x.numel());
  return widened;
}

void expect_equal(const Tensor& expected, const Tensor& actual, const char* what) {
  ASSERT_EQ(expected.shape(), actual.shape()) << what;
  for (std::int64_t i = 0; i < expected.numel(); ++i)
    ASSERT_EQ(expected.data<float>()[i], actual.data<float>()[i]) << what << " element " << i;
}

class MixedPrecisionLinear : public ::testing::TestWithParam<DType> {};

TEST_P(MixedPrecisionLinear, EqualsTheF32LayerOnRoundedOperands) {
  const DType dtype = GetParam();
  const std::int64_t rows = 29, in = 45, out = 13;
  Linear mixed(in, out, "fc", 3), reference(in, out, "fc", 3);
  reference.parameters()[0]->value.copy_from(rounded(mixed.parameters()[0]->value, dtype));
  const Tensor x = random_tensor({rows, in}, 1), dy = random_tensor({rows, out}, 2);

  Saved mixed_saved(ForwardMode{.training = true, .gemm_dtype = dtype});
  const Tensor y = mixed.forward(x, mixed_saved);
  EXPECT_EQ(mixed_saved.tensors.at(0).dtype(), dtype);  // the saved input takes half the bytes
  Saved reference_saved(ForwardMode{.training = true});
  expect_equal(reference.forward(rounded(x, dtype), reference_saved), y, "y");

  const Tensor dx = mixed.backward(dy, mixed_saved);
  const Tensor reference_dx = reference.backward(rounded(dy, dtype), reference_saved);
  expect_equal(reference_dx, dx, "dx");
  expect_equal(reference.parameters()[0]->grad, mixed.parameters()[0]->grad, "dW");
  // The bias gradient is the column sum of the f32 dy, not of its rounding.
  for (std::int64_t c = 0; c < out; ++c) {
    double sum = 0;
    for (std::int64_t r = 0; r < rows; ++r) sum += dy.data<float>()[r * out + c];
    EXPECT_NEAR(mixed.parameters()[1]->grad.data<float>()[c], sum, 1e-4) << "db column " << c;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, MixedPrecisionLinear, ::testing::Values(DType::bf16, DType::f16));

TEST(MixedPrecision, F32LeavesTheGemmInputAsItIs) {
  const Tensor x = random_tensor({3, 4}, 5);
  EXPECT_EQ(gemm_input(x, DType::f32).data<float>(), x.data<float>());
  EXPECT_THROW(gemm_input(Tensor::zeros({2}, DType::i32), DType::bf16), Error);
}

TEST(MixedPrecision, TheTensorGemmChecksItsOperands) {
  const Tensor a = random_tensor({3, 4}, 6), b = random_tensor({4, 5}, 7);
  Tensor c = Tensor::zeros({3, 5});
  EXPECT_NO_THROW(gemm(Transpose::no, Transpose::no, 1.0f, a, b, 0.0f, c));
  EXPECT_THROW(gemm(Transpose::no, Transpose::yes, 1.0f, a, b, 0.0f, c), Error);  // k 4 vs 5
  EXPECT_THROW(gemm(Transpose::no, Transpose::no, 1.0f, a, gemm_input(b, DType::bf16), 0.0f, c), Error);
  Tensor half_c = Tensor::zeros({3, 5}, DType::f16);
  EXPECT_THROW(gemm(Transpose::no, Transpose::no, 1.0f, a, b, 0.0f, half_c), Error);
}

TEST(MixedPrecision, PrecisionNames) {
  EXPECT_EQ(gemm_dtype_from_name("f32"), DType::f32);
  EXPECT_EQ(gemm_dtype_from_name("bf16"), DType::bf16);
  EXPECT_EQ(gemm_dtype_from_name("f16"), DType::f16);
  EXPECT_THROW(gemm_dtype_from_name("fp8"), Error);
}

}  // namespace
}  // namespace tern
