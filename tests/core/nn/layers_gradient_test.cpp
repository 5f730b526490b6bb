// Finite-difference checks of every layer's backward (see gradient_check.h).
#include <gtest/gtest.h>

#include "core/nn/activation.h"
#include "core/nn/dropout.h"
#include "core/nn/linear.h"
#include "core/nn/sequential.h"
#include "tests/core/nn/gradient_check.h"

namespace tern {
namespace {

using testing::check_module_gradients;
using testing::kGradientTolerance;
using testing::random_tensor;

TEST(LinearGradient, MatchesFiniteDifferences) {
  Linear linear(7, 5, "fc", 42);
  const auto errors = check_module_gradients(linear, random_tensor({6, 7}, 1));
  EXPECT_LT(errors.input, kGradientTolerance);
  ASSERT_EQ(errors.parameters.size(), 2u);
  EXPECT_LT(errors.parameters[0], kGradientTolerance) << "weight";
  EXPECT_LT(errors.parameters[1], kGradientTolerance) << "bias";
}

TEST(LinearForward, IsXWTransposePlusBias) {
  Linear linear(2, 2, "fc", 1);
  auto parameters = linear.parameters();
  parameters[0]->value = Tensor::from_values({2, 2}, std::vector<float>{1, 2, 3, 4});
  parameters[1]->value = Tensor::from_values({2}, std::vector<float>{10, 20});
  Saved saved;
  const Tensor y = linear.forward(Tensor::from_values({1, 2}, std::vector<float>{1, -1}), saved);
  EXPECT_FLOAT_EQ(y.data<float>()[0], 1 - 2 + 10);
  EXPECT_FLOAT_EQ(y.data<float>()[1], 3 - 4 + 20);
}

class ActivationGradient : public ::testing::TestWithParam<Activation> {};

TEST_P(ActivationGradient, MatchesFiniteDifferences) {
  ActivationLayer layer(GetParam());
  // Inputs kept away from ReLU's kink at 0, where the derivative is undefined.
  Tensor x = random_tensor({4, 9}, 2, 0.05f, 2.0f);
  for (std::int64_t i = 0; i < x.numel(); i += 2) x.data<float>()[i] *= -1.0f;
  EXPECT_LT(check_module_gradients(layer, x).input, kGradientTolerance) << activation_name(GetParam());
}

INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationGradient,
                         ::testing::Values(Activation::relu, Activation::sigmoid, Activation::tanh, Activation::gelu,
                                           Activation::identity));

TEST(DropoutGradient, MatchesFiniteDifferencesWithItsMask) {
  Dropout dropout(0.3f, "drop");
  ForwardMode training{.training = true, .seed = 7, .step = 3, .first_sample = 0};
  EXPECT_LT(check_module_gradients(dropout, random_tensor({8, 6}, 3), training).input, kGradientTolerance);
}

TEST(Dropout, KeepsAboutOneMinusPAndScales) {
  Dropout dropout(0.25f, "drop");
  Saved saved(ForwardMode{.training = true, .seed = 1, .step = 0, .first_sample = 0});
  const Tensor y = dropout.forward(Tensor::full({100, 100}, 1.0f), saved);
  int kept = 0;
  for (float value : y.values()) {
    if (value != 0.0f) {
      EXPECT_FLOAT_EQ(value, 1.0f / 0.75f);
      ++kept;
    }
  }
  EXPECT_NEAR(kept / 10000.0, 0.75, 0.02);
  Saved evaluation;
  EXPECT_EQ(dropout.forward(Tensor::full({2, 2}, 3.0f), evaluation).data<float>()[0], 3.0f);
}

TEST(Dropout, MaskDependsOnGlobalSampleIndexNotBatchSplit) {
  Dropout dropout(0.5f, "drop");
  const Tensor x = random_tensor({6, 5}, 4);
  Saved whole(ForwardMode{.training = true, .seed = 9, .step = 2, .first_sample = 0});
  const Tensor y = dropout.forward(x, whole);
  Saved second_half(ForwardMode{.training = true, .seed = 9, .step = 2, .first_sample = 3});
  const Tensor y_half = dropout.forward(x.rows(3, 6), second_half);
  for (std::int64_t i = 0; i < y_half.numel(); ++i) EXPECT_EQ(y_half.data<float>()[i], y.data<float>()[15 + i]);
}

TEST(SequentialGradient, MatchesFiniteDifferences) {
  Sequential network;
  network.append(std::make_unique<Linear>(5, 8, "fc1", 3));
  network.append(std::make_unique<ActivationLayer>(Activation::tanh));
  network.append(std::make_unique<Linear>(8, 3, "fc2", 3));
  const auto errors = check_module_gradients(network, random_tensor({4, 5}, 5));
  EXPECT_LT(errors.input, kGradientTolerance);
  ASSERT_EQ(errors.parameters.size(), 4u);
  for (double error : errors.parameters) EXPECT_LT(error, kGradientTolerance);
}

// Without an input gradient, a network's first Linear skips dx, and every parameter gradient
// is still the one a full backward gives; the layers after it still get their dx.
TEST(SequentialBackward, WithoutInputGradientGivesTheSameParameterGradients) {
  Sequential network;
  network.append(std::make_unique<Linear>(5, 8, "fc1", 3));
  network.append(std::make_unique<ActivationLayer>(Activation::tanh));
  network.append(std::make_unique<Linear>(8, 3, "fc2", 3));
  const Tensor x = random_tensor({4, 5}, 5), dy = random_tensor({4, 3}, 6);
  const auto gradients_of_backward = [&](bool input_gradient) {
    zero_grads(network.parameters());
    Saved saved(ForwardMode{.training = true});
    saved.input_gradient = input_gradient;
    network.forward(x, saved);
    const Tensor dx = network.backward(dy, saved);
    EXPECT_EQ(dx.defined(), input_gradient);
    std::vector<std::vector<float>> gradients;
    for (const Parameter* parameter : network.parameters())
      gradients.emplace_back(parameter->grad.values().begin(), parameter->grad.values().end());
    return gradients;
  };
  EXPECT_EQ(gradients_of_backward(false), gradients_of_backward(true));
}

}  // namespace
}  // namespace tern
