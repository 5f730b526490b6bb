// Mixed precision on the GPU on the real data set: bf16 and f16 runs of the main job's MLP with
// --device cuda (tensor-core GEMMs) must reach the f32 GPU run's test accuracy. Skips without
// a CUDA device.
#include <gtest/gtest.h>

#include "tests/kernels/cuda/backend_comparison.h"
#include "tests/launcher/fashion_mnist_run.h"

namespace tern {
namespace {

TEST(MixedPrecisionGpu, Bf16AndF16ReachTheF32AccuracyOnFashionMnist) {
  TERN_REQUIRE_CUDA_DEVICE();
  TERN_REQUIRE_REAL_DATA(testing::real_data("fashion-mnist/train.h5"));
  testing::ScratchFolder scratch;
  testing::expect_mixed_precision_reaches_f32_accuracy(scratch, 2, "--device cuda");
}

}  // namespace
}  // namespace tern
