#include "core/optim/gradient_clipping.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tern {
namespace {

TEST(GradientClipping, ScalesToMaxNormAcrossAllParameters) {
  Parameter a("a", {2}), b("b", {1});
  a.grad = Tensor::from_values({2}, std::vector<float>{3, 0});
  b.grad = Tensor::from_values({1}, std::vector<float>{4});
  // ‖g‖ = 5 across both parameters; clip to 1 scales everything by 1/5.
  EXPECT_DOUBLE_EQ(clip_gradients_by_global_norm({&a, &b}, 1.0), 5.0);
  EXPECT_FLOAT_EQ(a.grad.data<float>()[0], 0.6f);
  EXPECT_FLOAT_EQ(b.grad.data<float>()[0], 0.8f);
  EXPECT_NEAR(std::sqrt(gradient_sum_of_squares({&a, &b})), 1.0, 1e-6);
}

TEST(GradientClipping, LeavesSmallGradientsAlone) {
  Parameter a("a", {1});
  a.grad.fill(0.5f);
  clip_gradients_by_global_norm({&a}, 1.0);
  EXPECT_FLOAT_EQ(a.grad.data<float>()[0], 0.5f);
  EXPECT_THROW(clip_gradients_by_global_norm({&a}, 0.0), Error);
}

}  // namespace
}  // namespace tern
