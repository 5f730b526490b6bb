// The gradient check itself: it must reject a gradient that is only slightly wrong, so that a
// passing check in the other tests means something.
#include <gtest/gtest.h>

#include "core/nn/linear.h"
#include "tests/core/nn/gradient_check.h"

namespace tern {
namespace {

// Linear whose backward reports a weight gradient 3% too large.
class SlightlyWrongLinear : public Linear {
 public:
  using Linear::Linear;
  Tensor backward(const Tensor& dy, Saved& saved) override {
    Tensor dx = Linear::backward(dy, saved);
    for (float& g : parameters()[0]->grad.values()) g *= 1.03f;
    return dx;
  }
};

TEST(GradientCheck, RejectsAGradientOffByThreePercent) {
  SlightlyWrongLinear linear(6, 4, "fc", 5);
  const auto errors = testing::check_module_gradients(linear, testing::random_tensor({5, 6}, 21));
  EXPECT_GT(errors.parameters[0], 10 * testing::kGradientTolerance);
  EXPECT_LT(errors.parameters[1], testing::kGradientTolerance);
}

}  // namespace
}  // namespace tern
