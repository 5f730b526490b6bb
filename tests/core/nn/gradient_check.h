// Finite-difference gradient checks for modules and losses.
//
// The objective is L(x) = Σ v ⊙ f(x) with a fixed random v, summed in double. The analytic
// gradient from backward is compared with the central difference (L(x+ε) - L(x-ε)) / 2ε for
// every input element and every parameter element; the check returns ‖g_fd - g‖ / ‖g_fd‖.
// float32 round-off bounds how small that can be (≈1e-4 here); a wrong gradient, even one off
// by a few percent, lands far above the tolerance (gradient_check_test shows it).
#pragma once

#include <cmath>
#include <functional>
#include <vector>

#include "core/nn/loss.h"
#include "core/nn/module.h"
#include "core/random/random.h"

namespace tern::testing {

inline constexpr double kGradientTolerance = 2e-3;

inline Tensor random_tensor(const Shape& shape, std::uint64_t stream, float low = -1.0f, float high = 1.0f) {
  Tensor tensor = Tensor::empty(shape);
  fill_uniform(tensor, low, high, 1234, stream);
  return tensor;
}

// ‖a - b‖ / ‖a‖ over two equal-length vectors.
inline double relative_error(const std::vector<double>& reference, const std::vector<double>& candidate) {
  double difference = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    difference += (reference[i] - candidate[i]) * (reference[i] - candidate[i]);
    norm += reference[i] * reference[i];
  }
  return std::sqrt(difference) / std::max(std::sqrt(norm), 1e-30);
}

// Central differences of `objective` with respect to every element of `values`.
inline std::vector<double> numeric_gradient(Tensor& values, const std::function<double()>& objective,
                                            float epsilon) {
  std::vector<double> gradient(static_cast<std::size_t>(values.numel()));
  float* data = values.data<float>();
  for (std::int64_t i = 0; i < values.numel(); ++i) {
    const float original = data[i];
    data[i] = original + epsilon;
    const double plus = objective();
    data[i] = original - epsilon;
    const double minus = objective();
    data[i] = original;
    gradient[static_cast<std::size_t>(i)] = (plus - minus) / (2.0 * static_cast<double>(epsilon));
  }
  return gradient;
}

inline std::vector<double> as_doubles(const Tensor& tensor) {
  return {tensor.values().begin(), tensor.values().end()};
}

struct GradientErrors {
  double input = 0.0;
  std::vector<double> parameters;  // one per module parameter
};

// Checks module.backward against finite differences of Σ v ⊙ module.forward(x).
inline GradientErrors check_module_gradients(Module& module, Tensor x, const ForwardMode& mode = {},
                                             float epsilon = 1e-3f) {
  Saved probe(mode);
  const Tensor y0 = module.forward(x, probe);
  const Tensor v = random_tensor(y0.shape(), 99);
  const auto objective = [&] {
    Saved saved(mode);
    const Tensor y = module.forward(x, saved);
    double sum = 0.0;
    for (std::int64_t i = 0; i < y.numel(); ++i) sum += static_cast<double>(v.data<float>()[i]) * y.data<float>()[i];
    return sum;
  };
  zero_grads(module.parameters());
  Saved saved(mode);
  module.forward(x, saved);
  const Tensor dx = module.backward(v, saved);

  GradientErrors errors;
  errors.input = relative_error(numeric_gradient(x, objective, epsilon), as_doubles(dx));
  for (Parameter* parameter : module.parameters()) {
    errors.parameters.push_back(
        relative_error(numeric_gradient(parameter->value, objective, epsilon), as_doubles(parameter->grad)));
  }
  return errors;
}

// Checks loss.backward against finite differences of loss.forward(output, labels).
inline double check_loss_gradient(Loss& loss, Tensor output, const Tensor& labels, float epsilon = 1e-3f) {
  const auto objective = [&] {
    Saved saved;
    return loss.forward(output, labels, saved);
  };
  Saved saved;
  loss.forward(output, labels, saved);
  const Tensor analytic = loss.backward(saved);
  return relative_error(numeric_gradient(output, objective, epsilon), as_doubles(analytic));
}

}  // namespace tern::testing
