// Softmax cross-entropy over logits whose columns (the vocabulary) are split across a
// tensor-parallel group (Megatron-LM's vocabulary-parallel cross-entropy): rank r holds the
// columns [first_class, first_class + C_r) of every row and never sees the others. With
//   m = max_c z_c                       (each rank's row maximum, then an allreduce max)
//   s = Σ_c exp(z_c − m)                (each rank's partial sum, then an allreduce sum)
//   z_y                                 (the rank holding the label's column gives it, the others 0;
//                                        summed with s in the same allreduce)
// the row loss is  −log softmax(z)_y = log s + m − z_y,  and each rank's gradient columns are
//   ∂L/∂z_c = (exp(z_c − m) / s − [c = y]) / n
// for the mean L over the batch's n rows. Two allreduces of O(rows) numbers replace gathering
// O(rows · vocabulary) logits. With a group of one rank it is the ordinary softmax
// cross-entropy (loss.h).
#pragma once

#include "core/comm.h"
#include "core/nn/loss.h"

namespace tern {

class VocabParallelCrossEntropy : public Loss {
 public:
  // This rank's columns start at class `first_class`; `vocab_size` classes in all.
  VocabParallelCrossEntropy(Communicator& tensor_parallel, std::int64_t first_class, std::int64_t vocab_size);

  // logits [rows, this rank's classes]; labels [rows]: class indices in [0, vocab_size) as
  // floats (the same on every rank). Returns the mean loss, the same on every rank.
  double forward(const Tensor& logits, const Tensor& labels, Saved& saved) override;
  // This rank's columns of ∂L/∂logits.
  Tensor backward(Saved& saved) override;

 private:
  Communicator& group_;
  std::int64_t first_class_, vocab_size_;
};

}  // namespace tern
