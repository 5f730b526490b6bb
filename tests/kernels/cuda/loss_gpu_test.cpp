// The loss CUDA kernels against their CPU namesakes on the same random logits and labels: the
// softmax ones (the vocabulary-parallel ones included) for rows × classes matrices of about
// every awkward count, the one-output ones for every awkward count of rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/common/loss_math.h"
#include "kernels/cpu/loss.h"
#include "kernels/cuda/loss.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;
using testing::kF32Tolerance;
using testing::relative_error;

// Class indices in [0, classes), as the float labels the loss kernels take.
std::vector<float> random_class_labels(std::int64_t rows, std::int64_t classes, std::uint32_t seed) {
  std::vector<float> labels = testing::random_floats(rows, seed, 0.0f, static_cast<float>(classes));
  for (float& label : labels) label = std::min(std::floor(label), static_cast<float>(classes - 1));
  return labels;
}

TEST(SoftmaxCrossEntropyGpu, LossAndGradientMatchTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  const float grad_scale = 0.125f;
  for (const auto [rows, classes] : testing::awkward_matrix_shapes()) {
    SCOPED_TRACE(::testing::Message() << rows << " rows x " << classes << " classes");
    const auto logits = testing::random_floats(rows * classes, 1, -8.0f, 8.0f);
    const auto labels = random_class_labels(rows, classes, 2);
    std::vector<float> row_loss(rows), dlogits(logits.size());
    cpu::softmax_cross_entropy(logits.data(), labels.data(), rows, classes, grad_scale, row_loss.data(),
                               dlogits.data());
    DeviceArray<float> device_logits(logits), device_labels(labels), device_row_loss(rows),
        device_dlogits(rows * classes);
    cuda::softmax_cross_entropy(device_logits.data(), device_labels.data(), rows, classes, grad_scale,
                                device_row_loss.data(), device_dlogits.data(), nullptr);
    EXPECT_LT(relative_error(row_loss, device_row_loss.to_host()), kF32Tolerance);
    EXPECT_LT(relative_error(dlogits, device_dlogits.to_host()), kF32Tolerance);
  }
}

TEST(SoftmaxCrossEntropyGpu, MarksTheSameInvalidLabelsAsTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  const std::int64_t rows = 1000, classes = 33;
  const auto logits = testing::random_floats(rows * classes, 5, -8.0f, 8.0f);
  // Every fourth label names no class: below, at or above the range, or NaN.
  std::vector<float> labels = random_class_labels(rows, classes, 6);
  const float invalid[] = {-1.0f, static_cast<float>(classes), 1e9f, std::nanf("")};
  for (std::int64_t r = 0; r < rows; r += 4) labels[static_cast<std::size_t>(r)] = invalid[(r / 4) % 4];
  std::vector<float> row_loss(rows), dlogits(logits.size());
  cpu::softmax_cross_entropy(logits.data(), labels.data(), rows, classes, 1.0f, row_loss.data(), dlogits.data());
  DeviceArray<float> device_logits(logits), device_labels(labels), device_row_loss(rows),
      device_dlogits(rows * classes);
  cuda::softmax_cross_entropy(device_logits.data(), device_labels.data(), rows, classes, 1.0f,
                              device_row_loss.data(), device_dlogits.data(), nullptr);
  const std::vector<float> gpu_row_loss = device_row_loss.to_host();
  for (std::int64_t r = 0; r < rows; r += 4) EXPECT_EQ(gpu_row_loss[static_cast<std::size_t>(r)], kInvalidLabelLoss);
  EXPECT_LT(relative_error(row_loss, gpu_row_loss), kF32Tolerance);
  EXPECT_LT(relative_error(dlogits, device_dlogits.to_host()), kF32Tolerance);
}

// The vocabulary-parallel kernels on the shard of columns [classes, 2 · classes) of a vocabulary
// of 3 · classes, so that some labels fall in the shard and most in the others, each backend
// chaining its own results as one rank would (no allreduce: the shard's statistics stand in for
// the global ones). row_max and target_logit are a max and a copy, equal bit for bit; sum_exp and
// so dlogits are sums in another order (a warp's lanes, then a butterfly), whose rounding differs
// from the CPU's column order by up to about 1e-6 at 1000 classes, hence kF32Tolerance.
TEST(SoftmaxCrossEntropyShardGpu, MatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  const float grad_scale = 0.125f;
  for (const auto [rows, classes] : testing::awkward_matrix_shapes()) {
    SCOPED_TRACE(::testing::Message() << rows << " rows x " << classes << " classes");
    const std::int64_t first_class = classes;
    const auto logits = testing::random_floats(rows * classes, 7, -8.0f, 8.0f);
    const auto labels = random_class_labels(rows, 3 * classes, 8);
    std::vector<float> row_max(rows), sum_exp(rows), target_logit(rows), dlogits(logits.size());
    cpu::row_max(logits.data(), rows, classes, row_max.data());
    cpu::softmax_partial_sums(logits.data(), labels.data(), rows, classes, first_class, row_max.data(),
                              sum_exp.data(), target_logit.data());
    cpu::softmax_cross_entropy_shard_gradient(logits.data(), labels.data(), rows, classes, first_class,
                                              row_max.data(), sum_exp.data(), grad_scale, dlogits.data());
    DeviceArray<float> device_logits(logits), device_labels(labels), device_row_max(rows), device_sum_exp(rows),
        device_target_logit(rows), device_dlogits(rows * classes);
    cuda::row_max(device_logits.data(), rows, classes, device_row_max.data(), nullptr);
    cuda::softmax_partial_sums(device_logits.data(), device_labels.data(), rows, classes, first_class,
                               device_row_max.data(), device_sum_exp.data(), device_target_logit.data(), nullptr);
    cuda::softmax_cross_entropy_shard_gradient(device_logits.data(), device_labels.data(), rows, classes,
                                               first_class, device_row_max.data(), device_sum_exp.data(), grad_scale,
                                               device_dlogits.data(), nullptr);
    EXPECT_EQ(testing::count_mismatches(row_max, device_row_max.to_host()), 0);
    EXPECT_EQ(testing::count_mismatches(target_logit, device_target_logit.to_host()), 0);
    EXPECT_LT(relative_error(sum_exp, device_sum_exp.to_host()), kF32Tolerance);
    EXPECT_LT(relative_error(dlogits, device_dlogits.to_host()), kF32Tolerance);
  }
}

TEST(SoftmaxGpu, MatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const auto [rows, classes] : testing::awkward_matrix_shapes()) {
    SCOPED_TRACE(::testing::Message() << rows << " rows x " << classes << " classes");
    const auto logits = testing::random_floats(rows * classes, 3, -8.0f, 8.0f);
    std::vector<float> probabilities(logits.size());
    cpu::softmax(logits.data(), rows, classes, probabilities.data());
    DeviceArray<float> device_logits(logits), device_probabilities(rows * classes);
    cuda::softmax(device_logits.data(), rows, classes, device_probabilities.data(), nullptr);
    EXPECT_LT(relative_error(probabilities, device_probabilities.to_host()), kF32Tolerance);
  }
}

// A loss with one output per row (same arguments on both backends), for every awkward count of
// rows: outputs in [-8, 8), targets from make_targets(rows).
using CpuPointwiseLoss = void (*)(const float*, const float*, std::int64_t, float, float*, float*);
using CudaPointwiseLoss = void (*)(const float*, const float*, std::int64_t, float, float*, float*, cudaStream_t);

template <typename MakeTargets>
void expect_pointwise_loss_matches_the_cpu(CpuPointwiseLoss cpu_loss, CudaPointwiseLoss cuda_loss,
                                           MakeTargets make_targets) {
  const float grad_scale = 0.25f;
  for (const std::int64_t rows : testing::kAwkwardCounts) {
    SCOPED_TRACE(::testing::Message() << rows << " rows");
    const auto outputs = testing::random_floats(rows, 4, -8.0f, 8.0f);
    const std::vector<float> targets = make_targets(rows);
    std::vector<float> row_loss(outputs.size()), doutputs(outputs.size());
    cpu_loss(outputs.data(), targets.data(), rows, grad_scale, row_loss.data(), doutputs.data());
    DeviceArray<float> device_outputs(outputs), device_targets(targets), device_row_loss(rows), device_doutputs(rows);
    cuda_loss(device_outputs.data(), device_targets.data(), rows, grad_scale, device_row_loss.data(),
              device_doutputs.data(), nullptr);
    EXPECT_LT(relative_error(row_loss, device_row_loss.to_host()), kF32Tolerance);
    EXPECT_LT(relative_error(doutputs, device_doutputs.to_host()), kF32Tolerance);
  }
}

TEST(BinaryCrossEntropyGpu, LossAndGradientMatchTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  expect_pointwise_loss_matches_the_cpu(cpu::binary_cross_entropy_with_logits, cuda::binary_cross_entropy_with_logits,
                                        [](std::int64_t rows) { return random_class_labels(rows, 2, 5); });
}

TEST(SquaredErrorGpu, LossAndGradientMatchTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  expect_pointwise_loss_matches_the_cpu(cpu::squared_error, cuda::squared_error,
                                        [](std::int64_t rows) { return testing::random_floats(rows, 6, -8.0f, 8.0f); });
}

TEST(LossGpu, ZeroRowsQueueNothing) {
  TERN_REQUIRE_CUDA_DEVICE();
  EXPECT_NO_THROW(cuda::softmax_cross_entropy(nullptr, nullptr, 0, 10, 1.0f, nullptr, nullptr, nullptr));
  EXPECT_NO_THROW(cuda::row_max(nullptr, 0, 10, nullptr, nullptr));
  EXPECT_NO_THROW(cuda::softmax_partial_sums(nullptr, nullptr, 0, 10, 0, nullptr, nullptr, nullptr, nullptr));
  EXPECT_NO_THROW(
      cuda::softmax_cross_entropy_shard_gradient(nullptr, nullptr, 0, 10, 0, nullptr, nullptr, 1.0f, nullptr, nullptr));
  EXPECT_NO_THROW(cuda::softmax(nullptr, 0, 10, nullptr, nullptr));
  EXPECT_NO_THROW(cuda::binary_cross_entropy_with_logits(nullptr, nullptr, 0, 1.0f, nullptr, nullptr, nullptr));
  EXPECT_NO_THROW(cuda::squared_error(nullptr, nullptr, 0, 1.0f, nullptr, nullptr, nullptr));
}

}  // namespace
}  // namespace tern::kernels
