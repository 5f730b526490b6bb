// Tensor parallelism's two communication points (Megatron-LM, Shoeybi et al. 2019). A block's
// MLP, say, is split over the tp ranks of a group: the first Linear by output features (rank r
// computes its slice of the hidden units from the whole input), the second by input features
// (rank r multiplies its slice of the hidden units by its columns of W₂, and the partial
// products are summed). Two operators, each the other's transpose, join the pieces:
//
//   f = CopyToTensorParallel     forward: y = x (every rank has the whole x)
//                                backward: dx = Σ_ranks dy  (each rank's slice adds to dx)
//   g = ReduceFromTensorParallel forward: y = Σ_ranks x  (the row-parallel partial products)
//                                backward: dx = dy
//
//   x ─f─> [Linear split by outputs ─> GELU ─> Linear split by inputs] ─g─> y
//
// One allreduce forward and one backward per MLP and per attention. With a group of one rank
// both are the identity.
#pragma once

#include "core/comm.h"
#include "core/nn/module.h"

namespace tern {

class CopyToTensorParallel : public Module {
 public:
  explicit CopyToTensorParallel(Communicator& tensor_parallel) : group_(tensor_parallel) {}
  // y = x
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dx = Σ over the group of dy
  Tensor backward(const Tensor& dy, Saved& saved) override;

 private:
  Communicator& group_;
};

class ReduceFromTensorParallel : public Module {
 public:
  explicit ReduceFromTensorParallel(Communicator& tensor_parallel) : group_(tensor_parallel) {}
  // y = Σ over the group of x
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dx = dy
  Tensor backward(const Tensor& dy, Saved& saved) override;

 private:
  Communicator& group_;
};

// x summed over the group, in a new tensor (x itself when the group is one rank).
Tensor sum_over_group(const Tensor& x, Communicator& group);

}  // namespace tern
