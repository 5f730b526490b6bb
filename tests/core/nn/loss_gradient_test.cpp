// Finite-difference checks of every loss's gradient, and its value against a closed form.
#include <gtest/gtest.h>

#include <cmath>

#include "core/nn/loss.h"
#include "tests/core/nn/gradient_check.h"

namespace tern {
namespace {

using testing::check_loss_gradient;
using testing::kGradientTolerance;
using testing::random_tensor;

TEST(SoftmaxCrossEntropy, GradientMatchesFiniteDifferences) {
  SoftmaxCrossEntropy loss;
  const Tensor labels = Tensor::from_values({5}, std::vector<float>{0, 3, 1, 2, 3});
  EXPECT_LT(check_loss_gradient(loss, random_tensor({5, 4}, 11, -3, 3), labels), kGradientTolerance);
}

TEST(SoftmaxCrossEntropy, ValueIsMinusLogSoftmaxOfTheLabel) {
  SoftmaxCrossEntropy loss;
  Saved saved;
  // One row z = (1, 2, 3), label 2: -log(e³ / (e + e² + e³)).
  const double value = loss.forward(Tensor::from_values({1, 3}, std::vector<float>{1, 2, 3}),
                                    Tensor::from_values({1}, std::vector<float>{2}), saved);
  EXPECT_NEAR(value, -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0))), 1e-6);
  // Large logits must not overflow.
  const double large = loss.forward(Tensor::from_values({1, 2}, std::vector<float>{1000, 0}),
                                    Tensor::from_values({1}, std::vector<float>{1}), saved);
  EXPECT_NEAR(large, 1000.0, 1e-3);
}

TEST(SoftmaxCrossEntropy, RejectsLabelOutsideClassesNamingTheRow) {
  SoftmaxCrossEntropy loss;
  for (const float bad : {3.0f, -1.0f, std::nanf("")}) {
    Saved saved;
    try {
      loss.forward(Tensor::zeros({3, 3}), Tensor::from_values({3}, std::vector<float>{0, 2, bad}), saved);
      FAIL() << "label " << bad << " accepted";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("of row 2 outside [0, 3)"), std::string::npos) << error.what();
    }
  }
}

TEST(BinaryCrossEntropy, GradientMatchesFiniteDifferences) {
  BinaryCrossEntropy loss;
  const Tensor labels = Tensor::from_values({6, 1}, std::vector<float>{0, 1, 1, 0, 1, 0});
  EXPECT_LT(check_loss_gradient(loss, random_tensor({6, 1}, 12, -4, 4), labels), kGradientTolerance);
}

TEST(BinaryCrossEntropy, ValueIsNegativeLogLikelihood) {
  BinaryCrossEntropy loss;
  Saved saved;
  const double value = loss.forward(Tensor::from_values({2, 1}, std::vector<float>{0.5f, -40.0f}),
                                    Tensor::from_values({2}, std::vector<float>{1, 1}), saved);
  const double p = 1.0 / (1.0 + std::exp(-0.5));
  EXPECT_NEAR(value, (-std::log(p) + 40.0) / 2.0, 1e-5);
}

TEST(SquaredError, GradientMatchesFiniteDifferences) {
  SquaredError loss;
  const Tensor targets = random_tensor({7}, 13);
  EXPECT_LT(check_loss_gradient(loss, random_tensor({7, 1}, 14), targets), kGradientTolerance);
}

TEST(SquaredError, ValueIsMeanSquare) {
  SquaredError loss;
  Saved saved;
  EXPECT_DOUBLE_EQ(loss.forward(Tensor::from_values({2, 1}, std::vector<float>{1, 4}),
                                Tensor::from_values({2}, std::vector<float>{0, 2}), saved),
                   (1.0 + 4.0) / 2.0);
}

}  // namespace
}  // namespace tern
