// Optimizer: SGD (momentum, Nesterov), Adam, AdamW, Adagrad, RMSProp with L1 and L2
// regularisation, over any list of Parameters. The per-element update is one shared kernel
// (kernels/common/optimizer_math.h has the formulas); this class owns the per-parameter state
// (state_1, state_2: momentum or first/second moments) and the step count t.
#pragma once

#include <string>
#include <vector>

#include "core/io/model_file.h"
#include "core/nn/module.h"
#include "kernels/common/optimizer_math.h"

namespace tern {

using kernels::OptimizerKind;

// "sgd", "adam", "adamw", "adagrad", "rmsprop" -> OptimizerKind; throws on anything else.
OptimizerKind parse_optimizer(const std::string& name);

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::sgd;
  float momentum = 0.0f;
  bool nesterov = false;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-8f;
  float weight_decay = 0.0f;  // l2 penalty (decoupled decay for AdamW)
  float l1 = 0.0f;
};

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, std::vector<Parameter*> parameters);

  // One update of every parameter from its current gradient, at this learning rate.
  void step(float learning_rate);
  std::int64_t steps_taken() const { return steps_taken_; }
  // Bytes of the optimizer's state tensors (moments, accumulators).
  std::size_t state_bytes() const;
  const std::vector<Parameter*>& parameters() const { return parameters_; }

  // The state, for a checkpoint: tensors "<prefix><parameter name>/state_1" and "/state_2" and
  // the attribute "<prefix>steps_taken". Restoring it and stepping on gives the same updates,
  // bit for bit, as never having stopped.
  void save_state(ModelFile& checkpoint, const std::string& prefix) const;
  // Throws, naming the tensor, when the checkpoint lacks one or holds another shape.
  void load_state(const ModelFile& checkpoint, const std::string& prefix);

 private:
  OptimizerConfig config_;
  std::vector<Parameter*> parameters_;
  std::vector<Tensor> state_1_, state_2_;
  std::int64_t steps_taken_ = 0;
};

}  // namespace tern
