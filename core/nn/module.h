// Module: a layer with an explicit forward and backward (no autograd), as in llm.c.
//
//   Tensor y  = module.forward(x, saved);    // saves what backward needs in `saved`
//   Tensor dx = module.backward(dy, saved);  // accumulates parameter grads (+=), returns dx
//                                            // (undefined when saved.input_gradient is false)
//
// What backward needs lives in the per-call Saved, not in the module, so several micro-batches
// can be in flight at once (pipeline stages) and a Saved can be dropped and recomputed
// (activation checkpointing). Parameter gradients accumulate, so gradient accumulation over
// micro-batches is just several backward calls before one optimizer step; zero them per step.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/tensor/tensor.h"

namespace tern {

// How a parameter is laid out across the tensor-parallel group (core/nn/sharding.h): the whole
// tensor on every rank, or split along one dimension, rank r holding the r-th of `ranks` equal
// blocks. With chunks > 1 the dimension is that many equal parts (qkv's Q, K and V), each split
// so, and a rank holds its block of every part. Checkpoints read this to gather a full model.
struct Sharding {
  enum class Kind { replicated, split };
  Kind kind = Kind::replicated;
  int split_dim = 0;
  int chunks = 1;
  int rank = 0, ranks = 1;
};

struct Parameter {
  std::string name;
  Tensor value;
  Tensor grad;
  Sharding sharding;
  // True for a copy whose values another rank of the same model replica also holds (a
  // replicated parameter on tensor-parallel ranks other than the first, the tied embedding's
  // second copy on the last pipeline stage): the global gradient norm counts it once, at its
  // owner, not here.
  bool counted_elsewhere = false;

  Parameter(std::string parameter_name, const Shape& shape)
      : name(std::move(parameter_name)), value(Tensor::zeros(shape)), grad(Tensor::zeros(shape)) {}
  // A parameter over existing storage (views of flat buffers, as ZeRO's shards are).
  Parameter(std::string parameter_name, Tensor parameter_value, Tensor parameter_grad)
      : name(std::move(parameter_name)), value(std::move(parameter_value)), grad(std::move(parameter_grad)) {}
};

// Told by backward as soon as a parameter's gradient for the step is complete, so that data
// parallelism can start averaging it while backward goes on (parallel/gradient_synchronizer).
class GradientReadyListener {
 public:
  virtual ~GradientReadyListener() = default;
  virtual void gradient_ready(Parameter& parameter) = 0;
};

// How a forward call runs: training (dropout on) or evaluation, and where its randomness comes
// from, so that a dropout mask depends on (seed, step, global sample index) only; the dtype of
// its GEMMs; and who backward tells about finished gradients.
struct ForwardMode {
  bool training = false;
  std::uint64_t seed = 0;
  std::uint64_t step = 0;
  std::int64_t first_sample = 0;  // index of the batch's first row within the global batch
  DType gemm_dtype = DType::f32;  // f32, or bf16/f16 for mixed precision (nn/mixed_precision.h)
  GradientReadyListener* gradient_listener = nullptr;
};

struct Saved {
  ForwardMode mode;
  // Whether backward must return dx. False where x is data, not an activation (the network's
  // first layer): a layer may then skip that work and return an undefined Tensor().
  bool input_gradient = true;
  std::vector<Tensor> tensors;
  std::vector<Saved> children;

  Saved() = default;
  explicit Saved(const ForwardMode& forward_mode) : mode(forward_mode) {}
};

class Module {
 public:
  virtual ~Module() = default;
  virtual Tensor forward(const Tensor& x, Saved& saved) = 0;
  virtual Tensor backward(const Tensor& dy, Saved& saved) = 0;
  virtual std::vector<Parameter*> parameters() { return {}; }
};

void zero_grads(const std::vector<Parameter*>& parameters);
// Bytes of the distinct tensors a forward kept in `saved` (and its children) for backward, the
// `parameters`' own values not counted: the activation memory of a step. Tensors that share
// storage count once, at the largest.
std::size_t saved_activation_bytes(const Saved& saved, const std::vector<Parameter*>& parameters);
// Tells the mode's gradient listener (if any) that `module`'s parameter gradients are complete:
// composite modules call it for each part as soon as that part's backward is done.
void report_gradients_ready(Module& module, const ForwardMode& mode);
// Moves each parameter's value and gradient to `device` (a model is trained where they live).
void move_parameters_to(const std::vector<Parameter*>& parameters, const Device& device);

}  // namespace tern
