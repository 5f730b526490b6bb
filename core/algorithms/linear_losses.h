// The losses of linear-learner, with the managed service's names. z is the model's output for
// a row and y its label; each loss gives ℓ(z, y) and its derivative ∂ℓ/∂z, from which the
// gradients follow: ∂ℓ/∂w = ∂ℓ/∂z · x, ∂ℓ/∂b = ∂ℓ/∂z.
//
//   binary classifiers, y ∈ {0, 1}, t = 2y − 1 ∈ {−1, +1}:
//     logistic      ℓ = log(1 + e^z) − y z               ∂ℓ/∂z = σ(z) − y
//     hinge_loss    ℓ = max(0, margin − t z)             ∂ℓ/∂z = −t when t z < margin, else 0
//   regressors, r = z − y:
//     squared_loss                    ℓ = r²/2                      ∂ℓ/∂z = r
//     absolute_loss                   ℓ = |r|                       ∂ℓ/∂z = sign(r)
//     eps_insensitive_squared_loss    ℓ = max(0, |r| − ε)²/2        ∂ℓ/∂z = sign(r) max(0, |r| − ε)
//     eps_insensitive_absolute_loss   ℓ = max(0, |r| − ε)           ∂ℓ/∂z = sign(r) when |r| > ε
//     quantile_loss (τ)               ℓ = max(−τ r, (1 − τ) r)      ∂ℓ/∂z = −τ if r < 0, 1 − τ if r > 0
//     huber_loss (δ)                  ℓ = r²/2 if |r| ≤ δ, else δ(|r| − δ/2)   ∂ℓ/∂z = clamp(r, −δ, δ)
//   multiclass classifiers, y ∈ {0..C−1}, z ∈ ℝ^C, p = softmax(z):
//     softmax_loss  ℓ = −log p_y = log Σ_c e^{z_c} − z_y        ∂ℓ/∂z_c = p_c − [c = y]
// (ε is loss_insensitivity; at a kink the derivative is 0, a subgradient.)
#pragma once

#include <string>

namespace tern {

enum class LinearLossKind {
  logistic,
  hinge,
  squared,
  absolute,
  eps_insensitive_squared,
  eps_insensitive_absolute,
  quantile,
  huber,
  softmax,
};

struct LinearLoss {
  LinearLossKind kind = LinearLossKind::squared;
  double margin = 1.0;         // hinge_loss
  double insensitivity = 0.01; // the eps_insensitive losses' ε (loss_insensitivity)
  double quantile = 0.5;       // quantile_loss's τ
  double huber_delta = 1.0;    // huber_loss's δ
};

// The service's name of a loss ("logistic", "hinge_loss", ...) and back; throws on others.
LinearLossKind parse_linear_loss(const std::string& name);
std::string linear_loss_name(LinearLossKind kind);

// ℓ(z, y) and ∂ℓ/∂z of a one-output loss (all but softmax_loss).
double loss_value(const LinearLoss& loss, double z, double y);
double loss_derivative(const LinearLoss& loss, double z, double y);

// softmax_loss of C logits z for class y; writes ∂ℓ/∂z to gradient (C values) when not null.
double softmax_loss(const float* z, int classes, int y, float* gradient);
// p = softmax(z) of C logits.
void softmax(const float* z, int classes, float* probabilities);

}  // namespace tern
