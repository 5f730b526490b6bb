// Embedding: a table [num_embeddings, features] whose rows are looked up by id, as
// torch.nn.Embedding; the table starts from N(0, 0.02²) (GPT-2's initialisation). The input is
// a tensor of i32 ids of any shape [...]; the output is [..., features].
//
// Split over `ranks` tensor-parallel ranks (vocabulary-parallel, Megatron-LM), rank r holds
// rows [r·n/ranks, (r+1)·n/ranks) of the table: its lookup gives those ids' rows and zeros for
// the others, so the sum over the ranks (tensor_parallel.h's g) is the whole lookup.
#pragma once

#include <string>

#include "core/nn/module.h"

namespace tern {

class Embedding : public Module {
 public:
  // The whole table is drawn and rank `rank` keeps its rows, so every layout starts equal.
  Embedding(std::int64_t num_embeddings, std::int64_t features, const std::string& name, std::uint64_t seed,
            int rank = 0, int ranks = 1);

  // y[..., :] = table[ids[...], :] (zeros for ids of other ranks' rows)
  Tensor forward(const Tensor& ids, Saved& saved) override;
  // dtable[ids[...], :] += dy[..., :]; ids have no gradient (returns an undefined Tensor)
  Tensor backward(const Tensor& dy, Saved& saved) override;

  std::vector<Parameter*> parameters() override { return {&table_}; }
  Parameter& table() { return table_; }

 private:
  std::int64_t num_embeddings_, features_;
  std::int64_t first_id_, rows_;  // this rank's rows of the table: ids [first_id_, first_id_ + rows_)
  Parameter table_;
};

}  // namespace tern
