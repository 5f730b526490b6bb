// Embedding: a table [num_embeddings, features] whose rows are looked up by id, as
// torch.nn.Embedding; the table starts from N(0, 0.02²) (GPT-2's initialisation). The input is
// a tensor of i32 ids of any shape [...]; the output is [..., features].
#pragma once

#include <string>

#include "core/nn/module.h"

namespace tern {

class Embedding : public Module {
 public:
  Embedding(std::int64_t num_embeddings, std::int64_t features, const std::string& name, std::uint64_t seed);

  // y[..., :] = table[ids[...], :]
  Tensor forward(const Tensor& ids, Saved& saved) override;
  // dtable[ids[...], :] += dy[..., :]; ids have no gradient (returns an undefined Tensor)
  Tensor backward(const Tensor& dy, Saved& saved) override;

  std::vector<Parameter*> parameters() override { return {&table_}; }
  Parameter& table() { return table_; }

 private:
  std::int64_t num_embeddings_, features_;
  Parameter table_;
};

}  // namespace tern
