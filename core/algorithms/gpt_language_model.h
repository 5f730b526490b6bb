// gpt: a GPT-style language model (core/nn/gpt.h) trained on token streams
// (core/data/token_stream.h) with next-token cross-entropy.
//
// The training stream is cut into windows of seq_len + 1 tokens that start every seq_len
// tokens; a window's first seq_len tokens are the input and its last seq_len the targets.
// Every epoch visits the windows in a seeded random order, mini_batch_size of them a step (the
// global batch: with data parallelism each rank takes its equal slice, so dropout masks and the
// averaged gradient do not depend on the number of ranks). The loss reported is the mean over
// target tokens, in nats; perplexity is its exponential. Validation (the validation channel)
// runs every eval_interval steps and at the end, on up to eval_sequences windows.
//
// Mixed precision (precision = bf16 | f16) rounds the inputs of the blocks' Linear GEMMs; the
// attention scores and the output head stay f32. activation_checkpointing recomputes each
// block in backward (core/nn/gpt.h).
//
// Layout (hyperparameters tp and pp; dp = ranks / (tp · pp)): the model is split over tp
// tensor-parallel ranks (heads, MLP units and vocabulary) and pp pipeline stages (contiguous
// blocks, balanced by parameter count or given by stage_layers), each rank's batch slice cut
// into num_microbatches micro-batches run by pipeline_schedule (gpipe | 1f1b). zero_stage = 1
// shards the optimizer state over the dp ranks (ZeRO-1). Every layout computes the same
// training as one rank: the same initial values, dropout masks and global-batch gradient. At
// the end the parts are joined into the whole model on rank 0, which saves it.
//
// Checkpoints hold each rank's part (core/job/training_checkpoints.h); a resume needs the
// layout they were saved with. Early stopping watches the validation loss or perplexity at
// every validation and keeps each rank's part of the best model.
#pragma once

#include <memory>

#include "core/algorithms/algorithm.h"
#include "core/algorithms/token_sampling.h"
#include "core/nn/gpt.h"

namespace tern {

class GptLanguageModel : public Algorithm {
 public:
  std::string name() const override { return "gpt"; }
  void fit(JobContext& job) override;
  // A language model does not score dense rows: these throw, pointing to `tern generate`.
  Predictions predict(const Dataset& data) override;
  Predictions predict_file(const std::filesystem::path& path) override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  // Next-token prediction is a classification over the vocabulary.
  TaskKind task() const override { return TaskKind::multiclass_classification; }
  std::int64_t num_features() const override { return config_.context; }
  std::int64_t num_classes() const override { return config_.vocab_size; }
  bool supports_model_parallelism() const override { return true; }
  // loss (mean nats per target token) and perplexity on every window of a token stream.
  MetricValues evaluate_file(const std::filesystem::path& path) override;

  // Logits [B·T, vocab] for ids [B, T] (T ≤ context), in evaluation mode, on the host.
  Tensor next_token_logits(const Tensor& ids);
  // `count` tokens that follow `prompt` (not empty), each sampled from the logits of the last
  // `seq_len` tokens so far; the uniform numbers come from Philox under `seed`.
  std::vector<std::int32_t> generate(std::vector<std::int32_t> prompt, std::int64_t count,
                                     const SamplingConfig& sampling, std::uint64_t seed);
  const GptConfig& config() const { return config_; }

 private:
  GptConfig config_;
  std::unique_ptr<Gpt> model_;
};

}  // namespace tern
