// Gradient clipping by global norm: with ‖g‖ = √(Σ over all parameters of Σ g²), every
// gradient is scaled by max_norm / ‖g‖ when ‖g‖ > max_norm (as torch.nn.utils.clip_grad_norm_).
// The sum of squares is taken in double in a fixed order, so it does not depend on threads.
#pragma once

#include <vector>

#include "core/nn/module.h"

namespace tern {

// Σ g² over the parameters' gradients, leaving out the copies another rank counts
// (Parameter::counted_elsewhere), so that the sum over a model's ranks counts each value once.
double gradient_sum_of_squares(const std::vector<Parameter*>& parameters);

// Scales the gradients by max_norm / norm when their global norm `norm` (summed over every
// rank that holds a part of them) is above max_norm.
void clip_gradients_to_norm(const std::vector<Parameter*>& parameters, double norm, double max_norm);

// The same on one rank: scales the gradients so that their norm is at most max_norm; returns
// the norm before.
double clip_gradients_by_global_norm(const std::vector<Parameter*>& parameters, double max_norm);

}  // namespace tern
