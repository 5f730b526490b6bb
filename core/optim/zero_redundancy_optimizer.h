// ZeRO-1 (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion
// Parameter Models", stage 1): the optimizer state sharded across the data-parallel ranks.
//
// With plain data parallelism every one of the D ranks keeps the whole optimizer state (Adam:
// two f32 moments, twice the parameters' own memory) and applies the same update to the same
// averaged gradient: D identical copies of work and memory. Here the N parameter elements are
// laid out in one flat buffer, in list order, and rank r owns the contiguous range
// [N·r/D, N·(r+1)/D). A step is then
//
//   reduce-scatter the flat gradients   rank r receives the average over ranks of its range
//   update the range                    with the optimizer state of that range only (≈ 1/D)
//   allgather the ranges                every rank holds all updated parameters again
//
// which moves as many bytes as the allreduce of plain data parallelism (an allreduce is a
// reduce-scatter followed by an allgather) and gives the same parameters, since the update is
// elementwise. A parameter may straddle two ranges: each part is a piece of its owner's shard.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/comm.h"
#include "core/nn/module.h"
#include "core/optim/optimizer.h"

namespace tern {

class ZeroRedundancyOptimizer {
 public:
  // Makes every parameter's value and grad views of two flat buffers on the parameters' device
  // (all must be on one), in list order. Rank r of the group owns elements [N·r/D, N·(r+1)/D).
  ZeroRedundancyOptimizer(const OptimizerConfig& config, const std::vector<Parameter*>& parameters,
                          Communicator& data_parallel);

  // Rank 0's parameter values to every rank, so that all start identical.
  void broadcast_parameters();
  // This rank's range of the gradient ← its average over the group (one reduce-scatter).
  void reduce_scatter_gradients();
  // The parts of the parameters inside this rank's range, one Parameter each: name
  // "<name>[first:last]" (flat element offsets within that parameter), value a 1-D view of the
  // flat values, grad a view of the reduce-scattered gradient, counted_elsewhere as the
  // parameter's. Empty when the range is. Gradient clipping and loss scaling work on these.
  const std::vector<Parameter*>& shard() const { return shard_; }
  // One optimizer step on the shard, then an allgather of the updated ranges so that every
  // rank holds all parameters again.
  void step(float learning_rate);
  std::int64_t steps_taken() const { return shard_optimizer_->steps_taken(); }
  // Bytes of this rank's optimizer state: its range's share of the unsharded Optimizer's.
  std::size_t state_bytes() const { return shard_optimizer_->state_bytes(); }
  // This rank's shard of the optimizer state, for its checkpoint file (Optimizer::save_state;
  // the tensors are named after the shard's pieces, so a checkpoint restores only on the same
  // data-parallel layout).
  void save_state(ModelFile& checkpoint, const std::string& prefix) const {
    shard_optimizer_->save_state(checkpoint, prefix);
  }
  void load_state(const ModelFile& checkpoint, const std::string& prefix) {
    shard_optimizer_->load_state(checkpoint, prefix);
  }

 private:
  Communicator& group_;
  Tensor flat_values_, flat_grads_;
  std::vector<std::int64_t> range_elements_;      // elements owned by each rank, in rank order
  std::int64_t range_begin_ = 0, range_end_ = 0;  // this rank's flat elements [range_begin_, range_end_)
  Tensor shard_grad_;     // the group's average gradient over this rank's range
  Tensor updated_range_;  // the range's values after a step, sent by the allgather
  std::vector<std::unique_ptr<Parameter>> shard_pieces_;
  std::vector<Parameter*> shard_;
  std::unique_ptr<Optimizer> shard_optimizer_;
};

}  // namespace tern
