// The cuBLAS GEMMs against the CPU GEMM (oneDNN) on the same random inputs: awkward shapes and
// one large, every transpose combination, A and B with padded leading dimensions, alpha and
// beta other than 0 and 1. The bf16 and f16 GEMMs are compared with the CPU's, which widens the
// same 16-bit inputs to fp32.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/half_precision.h"
#include "kernels/cuda/gemm.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;

struct GemmShape {
  std::int64_t m;
  std::int64_t n;
  std::int64_t k;
};

const std::vector<GemmShape> kGemmShapes = {{1, 1, 1}, {7, 33, 5}, {129, 65, 257}, {1000, 1023, 1025}};
constexpr std::int64_t kRowPadding = 3;  // A and B rows are stored this much longer than they are

// One GEMM's operands, stored as the CPU and CUDA GEMMs take them; C is M×N with ldc = N.
struct GemmProblem {
  Transpose transpose_a;
  Transpose transpose_b;
  GemmShape shape;
  std::int64_t lda;
  std::int64_t ldb;
  std::vector<float> a;
  std::vector<float> b;
  std::vector<float> c;
};

GemmProblem random_problem(Transpose transpose_a, Transpose transpose_b, GemmShape shape, std::uint32_t seed) {
  const auto [m, n, k] = shape;
  const std::int64_t a_rows = transpose_a == Transpose::yes ? k : m, a_cols = transpose_a == Transpose::yes ? m : k;
  const std::int64_t b_rows = transpose_b == Transpose::yes ? n : k, b_cols = transpose_b == Transpose::yes ? k : n;
  const std::int64_t lda = a_cols + kRowPadding, ldb = b_cols + kRowPadding;
  return {transpose_a, transpose_b, shape, lda, ldb, testing::random_floats(a_rows * lda, seed),
          testing::random_floats(b_rows * ldb, seed + 1), testing::random_floats(m * n, seed + 2)};
}

std::vector<float> cpu_gemm(const GemmProblem& problem, float alpha, float beta) {
  std::vector<float> c = problem.c;
  const auto [m, n, k] = problem.shape;
  cpu::gemm(problem.transpose_a, problem.transpose_b, m, n, k, alpha, problem.a.data(), problem.lda, problem.b.data(),
            problem.ldb, beta, c.data(), n);
  return c;
}

// Calls body(problem) for every shape and transpose combination, with a trace naming them.
template <typename Body>
void for_each_problem(Body&& body) {
  std::uint32_t seed = 1;
  for (const GemmShape& shape : kGemmShapes) {
    for (const Transpose transpose_a : {Transpose::no, Transpose::yes}) {
      for (const Transpose transpose_b : {Transpose::no, Transpose::yes}) {
        SCOPED_TRACE(::testing::Message() << "M=" << shape.m << " N=" << shape.n << " K=" << shape.k << " op(A)="
                                          << (transpose_a == Transpose::yes ? "T" : "N")
                                          << " op(B)=" << (transpose_b == Transpose::yes ? "T" : "N"));
        body(random_problem(transpose_a, transpose_b, shape, seed));
        seed += 3;
      }
    }
  }
}

TEST(GemmGpu, MatchesTheCpuForEveryShapeAndTranspose) {
  TERN_REQUIRE_CUDA_DEVICE();
  const float alpha = 0.75f, beta = -0.5f;
  for_each_problem([&](const GemmProblem& problem) {
    DeviceArray<float> a(problem.a), b(problem.b), c(problem.c);
    const auto [m, n, k] = problem.shape;
    cuda::gemm(problem.transpose_a, problem.transpose_b, m, n, k, alpha, a.data(), problem.lda, b.data(), problem.ldb,
               beta, c.data(), n, nullptr);
    EXPECT_LT(testing::relative_error(cpu_gemm(problem, alpha, beta), c.to_host()), testing::kF32Tolerance);
  });
}

TEST(GemmGpu, WithBetaZeroWritesEveryElementOfC) {
  TERN_REQUIRE_CUDA_DEVICE();
  const float alpha = 1.25f, beta = 0.0f;
  for_each_problem([&](const GemmProblem& problem) {
    DeviceArray<float> a(problem.a), b(problem.b);
    DeviceArray<float> c(static_cast<std::int64_t>(problem.c.size()));  // poisoned: NaN unless written
    const auto [m, n, k] = problem.shape;
    cuda::gemm(problem.transpose_a, problem.transpose_b, m, n, k, alpha, a.data(), problem.lda, b.data(), problem.ldb,
               beta, c.data(), n, nullptr);
    EXPECT_LT(testing::relative_error(cpu_gemm(problem, alpha, beta), c.to_host()), testing::kF32Tolerance);
  });
}

// The values rounded to `format`, as bits.
std::vector<std::uint16_t> half_bits(HalfFormat format, const std::vector<float>& values) {
  std::vector<std::uint16_t> bits(values.size());
  cpu::to_half(format, values.data(), bits.data(), static_cast<std::int64_t>(values.size()));
  return bits;
}

// Tensor cores accumulate in fp32 but not always with fp32's rounding at every addition.
constexpr double kHalfGemmTolerance = 1e-4;

TEST(GemmHalfGpu, MatchesTheCpuGemmOfTheSameHalfInputs) {
  TERN_REQUIRE_CUDA_DEVICE();
  const float alpha = 0.75f, beta = -0.5f;
  for (const HalfFormat format : {HalfFormat::bf16, HalfFormat::f16}) {
    SCOPED_TRACE(format == HalfFormat::bf16 ? "bf16" : "f16");
    for_each_problem([&](const GemmProblem& problem) {
      const std::vector<std::uint16_t> a_bits = half_bits(format, problem.a), b_bits = half_bits(format, problem.b);
      DeviceArray<std::uint16_t> a(a_bits), b(b_bits);
      DeviceArray<float> c(problem.c);
      const auto [m, n, k] = problem.shape;
      cuda::gemm_half(format, problem.transpose_a, problem.transpose_b, m, n, k, alpha, a.data(), problem.lda,
                      b.data(), problem.ldb, beta, c.data(), n, nullptr);
      std::vector<float> expected = problem.c;
      cpu::gemm_half(format, problem.transpose_a, problem.transpose_b, m, n, k, alpha, a_bits.data(), problem.lda,
                     b_bits.data(), problem.ldb, beta, expected.data(), n);
      EXPECT_LT(testing::relative_error(expected, c.to_host()), kHalfGemmTolerance);
    });
  }
}

TEST(GemmGpu, AnEmptyProductQueuesNothing) {
  TERN_REQUIRE_CUDA_DEVICE();
  EXPECT_NO_THROW(cuda::gemm(Transpose::no, Transpose::no, 0, 5, 3, 1.0f, nullptr, 3, nullptr, 5, 0.0f, nullptr, 5,
                             nullptr));
  EXPECT_NO_THROW(cuda::gemm_half(HalfFormat::f16, Transpose::no, Transpose::no, 4, 0, 3, 1.0f, nullptr, 3, nullptr,
                                  1, 0.0f, nullptr, 1, nullptr));
}

}  // namespace
}  // namespace tern::kernels
