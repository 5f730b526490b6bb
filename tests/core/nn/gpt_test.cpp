// The GPT model: every parameter's gradient (tied and untied output head) against finite
// differences of Σ v ⊙ logits, causality over the whole stack, learning a repeating text to a
// near-zero loss, and the errors for bad input.
#include "core/nn/gpt.h"

#include <gtest/gtest.h>

#include <iostream>
#include <vector>

#include "core/nn/loss.h"
#include "core/optim/optimizer.h"
#include "tests/core/nn/gradient_check.h"

namespace tern {
namespace {

using testing::random_tensor;

Tensor ids_tensor(const std::vector<std::int32_t>& values, std::int64_t batch) {
  Tensor ids = Tensor::empty({batch, static_cast<std::int64_t>(values.size()) / batch}, DType::i32);
  std::copy(values.begin(), values.end(), ids.data<std::int32_t>());
  return ids;
}

class GptGradient : public ::testing::TestWithParam<bool> {};

TEST_P(GptGradient, EveryParameterMatchesFiniteDifferences) {
  Gpt gpt({.vocab_size = 11, .context = 5, .n_layer = 2, .n_head = 2, .d_model = 8, .tie_embeddings = GetParam()}, 3);
  const Tensor ids = ids_tensor({1, 4, 4, 10, 0, 7, 2, 9}, 2);  // [2, 4], a repeated id
  Saved probe;
  const Tensor v = random_tensor(gpt.forward(ids, probe).shape(), 5);
  const auto objective = [&] {
    Saved saved;
    const Tensor logits = gpt.forward(ids, saved);
    double sum = 0.0;
    for (std::int64_t i = 0; i < logits.numel(); ++i) sum += static_cast<double>(v.data<float>()[i]) * logits.data<float>()[i];
    return sum;
  };
  zero_grads(gpt.parameters());
  Saved saved;
  gpt.forward(ids, saved);
  EXPECT_FALSE(gpt.backward(v, saved).defined());
  for (Parameter* parameter : gpt.parameters()) {
    const double error = testing::relative_error(testing::numeric_gradient(parameter->value, objective, 1e-3f),
                                                 testing::as_doubles(parameter->grad));
    EXPECT_LT(error, testing::kGradientTolerance) << parameter->name;
  }
  EXPECT_EQ(gpt.parameters().size(), GetParam() ? 28u : 29u);  // 2 + 12 per block + 2 (+ lm_head)
}

INSTANTIATE_TEST_SUITE_P(TiedAndUntied, GptGradient, ::testing::Bool());

// Recomputing each block in backward gives the very same gradients (the same kernels on the
// same inputs, dropout masks included), from a fraction of the saved activations.
TEST(Gpt, ActivationCheckpointingGivesIdenticalGradientsFromLessMemory) {
  const GptConfig config{.vocab_size = 30, .context = 12, .n_layer = 3, .n_head = 2, .d_model = 16, .dropout = 0.2f};
  std::vector<std::int32_t> values;
  for (int i = 0; i < 2 * 12; ++i) values.push_back((i * 7) % 30);
  const Tensor ids = ids_tensor(values, 2);
  const Tensor dlogits = random_tensor({24, 30}, 8);
  const auto run = [&](bool checkpointing, std::size_t& activation_bytes) {
    Gpt gpt(config, 9);
    gpt.set_activation_checkpointing(checkpointing);
    Saved saved(ForwardMode{.training = true, .seed = 4, .step = 2});
    gpt.forward(ids, saved);
    activation_bytes = saved_activation_bytes(saved, gpt.parameters());
    zero_grads(gpt.parameters());
    gpt.backward(dlogits, saved);
    std::vector<std::vector<float>> gradients;
    for (const Parameter* parameter : gpt.parameters())
      gradients.emplace_back(parameter->grad.values().begin(), parameter->grad.values().end());
    return gradients;
  };
  std::size_t plain_bytes = 0, checkpointed_bytes = 0;
  const auto plain = run(false, plain_bytes);
  EXPECT_EQ(run(true, checkpointed_bytes), plain);
  std::cout << "  activations kept: " << plain_bytes << " bytes plain, " << checkpointed_bytes << " checkpointed\n";
  EXPECT_LT(checkpointed_bytes * 3, plain_bytes);
}

TEST(Gpt, ALogitNeverSeesALaterToken) {
  Gpt gpt({.vocab_size = 20, .context = 8, .n_layer = 2, .n_head = 2, .d_model = 16}, 4);
  std::vector<std::int32_t> tokens = {3, 1, 4, 1, 5, 9, 2, 6};
  Saved first_saved, second_saved;
  const Tensor before = gpt.forward(ids_tensor(tokens, 1), first_saved).clone();
  tokens[5] = 17;
  const Tensor after = gpt.forward(ids_tensor(tokens, 1), second_saved);
  for (std::int64_t i = 0; i < 5 * 20; ++i) ASSERT_EQ(after.data<float>()[i], before.data<float>()[i]) << i;
  EXPECT_NE(after.data<float>()[5 * 20], before.data<float>()[5 * 20]);
}

// Next-token training on one repeated 8-token pattern: after 150 Adam steps the model predicts
// it almost surely (the pattern is deterministic after its first token).
TEST(Gpt, LearnsARepeatingPattern) {
  Gpt gpt({.vocab_size = 16, .context = 16, .n_layer = 2, .n_head = 2, .d_model = 32}, 5);
  const std::vector<std::int32_t> pattern = {1, 5, 2, 7, 3, 11, 0, 9};
  std::vector<std::int32_t> inputs, targets;
  for (int sequence = 0; sequence < 4; ++sequence) {
    for (int t = 0; t < 16; ++t) {
      inputs.push_back(pattern[(sequence + t) % 8]);
      targets.push_back(pattern[(sequence + t + 1) % 8]);
    }
  }
  const Tensor ids = ids_tensor(inputs, 4);
  std::vector<float> target_values(targets.begin(), targets.end());
  const Tensor labels = Tensor::from_values({64}, target_values);
  Optimizer adam({.kind = OptimizerKind::adam}, gpt.parameters());
  SoftmaxCrossEntropy loss;
  double first_loss = 0, last_loss = 0;
  for (int step = 0; step < 150; ++step) {
    Saved saved(ForwardMode{.training = true});
    const Tensor logits = gpt.forward(ids, saved);
    Saved loss_saved;
    last_loss = loss.forward(logits, labels, loss_saved);
    if (step == 0) first_loss = last_loss;
    zero_grads(adam.parameters());
    gpt.backward(loss.backward(loss_saved), saved);
    adam.step(0.01f);
  }
  EXPECT_NEAR(first_loss, std::log(16.0), 0.3);  // a fresh model guesses about uniformly
  EXPECT_LT(last_loss, 0.05);
}

TEST(Gpt, RejectsSequencesLongerThanItsContextAndNonIntegerIds) {
  Gpt gpt({.vocab_size = 10, .context = 4, .n_layer = 1, .n_head = 1, .d_model = 4}, 6);
  Saved saved;
  EXPECT_THROW(gpt.forward(ids_tensor({1, 2, 3, 4, 5}, 1), saved), Error);
  EXPECT_THROW(gpt.forward(Tensor::zeros({1, 3}), saved), Error);
  EXPECT_THROW(Gpt({.vocab_size = 10, .context = 4, .n_layer = 1, .n_head = 3, .d_model = 4}, 6), Error);
}

}  // namespace
}  // namespace tern
