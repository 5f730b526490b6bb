// The transformer's layers: LayerNorm, causal self-attention and the whole block against finite
// differences, and the first two against plain reference loops written here; Embedding against
// its closed form; causality (a position never sees a later one); the block's report of every
// finished gradient; and the errors for bad shapes and ids.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/comm.h"
#include "core/nn/causal_self_attention.h"
#include "core/nn/embedding.h"
#include "core/nn/layer_norm.h"
#include "core/nn/transformer_block.h"
#include "tests/core/nn/gradient_check.h"

namespace tern {
namespace {

// The layers whole on one process (no tensor parallelism).
LocalCommunicator one_rank;

using testing::check_module_gradients;
using testing::kGradientTolerance;
using testing::random_tensor;

TEST(LayerNormGradient, MatchesFiniteDifferences) {
  LayerNorm norm(7, "ln");
  norm.parameters()[0]->value = random_tensor({7}, 21, 0.5f, 1.5f);
  norm.parameters()[1]->value = random_tensor({7}, 22);
  const auto errors = check_module_gradients(norm, random_tensor({3, 4, 7}, 23, -2.0f, 2.0f));
  EXPECT_LT(errors.input, kGradientTolerance);
  ASSERT_EQ(errors.parameters.size(), 2u);
  EXPECT_LT(errors.parameters[0], kGradientTolerance) << "weight";
  EXPECT_LT(errors.parameters[1], kGradientTolerance) << "bias";
}

TEST(LayerNormForward, GivesRowsOfMeanZeroAndVarianceOne) {
  LayerNorm norm(64, "ln");
  Saved saved;
  const Tensor y = norm.forward(random_tensor({5, 64}, 24, -3.0f, 7.0f), saved);
  for (std::int64_t r = 0; r < 5; ++r) {
    double sum = 0, squares = 0;
    for (std::int64_t c = 0; c < 64; ++c) {
      sum += y.data<float>()[r * 64 + c];
      squares += std::pow(y.data<float>()[r * 64 + c], 2);
    }
    EXPECT_NEAR(sum / 64, 0.0, 1e-5) << "row " << r;
    EXPECT_NEAR(squares / 64, 1.0, 1e-3) << "row " << r;  // ε = 1e-5 against a variance of ~8
  }
  EXPECT_THROW(norm.forward(random_tensor({5, 63}, 25), saved), Error);
}

TEST(Embedding, LooksUpRowsAndAddsTheGradientsOfRepeatedIds) {
  Embedding embedding(5, 3, "wte", 1);
  const Tensor& table = embedding.parameters()[0]->value;
  const std::vector<std::int32_t> id_values = {4, 0, 4, 2};
  Tensor ids = Tensor::empty({2, 2}, DType::i32);
  std::copy(id_values.begin(), id_values.end(), ids.data<std::int32_t>());
  Saved saved;
  const Tensor y = embedding.forward(ids, saved);
  ASSERT_EQ(y.shape(), (Shape{2, 2, 3}));
  for (std::size_t r = 0; r < id_values.size(); ++r) {
    for (std::int64_t c = 0; c < 3; ++c)
      EXPECT_EQ(y.data<float>()[r * 3 + c], table.data<float>()[id_values[r] * 3 + c]) << "row " << r;
  }
  const Tensor dy = random_tensor({2, 2, 3}, 26);
  zero_grads(embedding.parameters());
  EXPECT_FALSE(embedding.backward(dy, saved).defined());
  const float* grad = embedding.parameters()[0]->grad.data<float>();
  for (std::int64_t c = 0; c < 3; ++c) {
    EXPECT_FLOAT_EQ(grad[4 * 3 + c], dy.data<float>()[0 * 3 + c] + dy.data<float>()[2 * 3 + c]);
    EXPECT_FLOAT_EQ(grad[0 * 3 + c], dy.data<float>()[1 * 3 + c]);
    EXPECT_FLOAT_EQ(grad[2 * 3 + c], dy.data<float>()[3 * 3 + c]);
    EXPECT_EQ(grad[1 * 3 + c], 0.0f);
    EXPECT_EQ(grad[3 * 3 + c], 0.0f);
  }
}

TEST(Embedding, StartsFromASmallNormalAndRejectsIdsOutsideTheTable) {
  Embedding embedding(200, 50, "wte", 3);
  double sum = 0, squares = 0;
  for (float value : embedding.parameters()[0]->value.values()) {
    sum += value;
    squares += static_cast<double>(value) * value;
  }
  EXPECT_NEAR(sum / 10000, 0.0, 0.001);
  EXPECT_NEAR(std::sqrt(squares / 10000), 0.02, 0.001);
  Tensor ids = Tensor::empty({2}, DType::i32);
  ids.data<std::int32_t>()[0] = 3;
  ids.data<std::int32_t>()[1] = 200;
  Saved saved;
  try {
    embedding.forward(ids, saved);
    FAIL() << "id 200 accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("wte.weight: embedding id 200 at row 1"), std::string::npos)
        << error.what();
  }
}

TEST(CausalSelfAttentionGradient, MatchesFiniteDifferences) {
  CausalSelfAttention attention(8, 2, "attn", 4, one_rank);
  const auto errors = check_module_gradients(attention, random_tensor({2, 5, 8}, 27));
  EXPECT_LT(errors.input, kGradientTolerance);
  ASSERT_EQ(errors.parameters.size(), 4u);
  for (std::size_t i = 0; i < errors.parameters.size(); ++i)
    EXPECT_LT(errors.parameters[i], kGradientTolerance) << attention.parameters()[i]->name;
}

// The attention of one sequence by the formulas, in double: q, k, v from x, masked softmax per
// head, heads concatenated, projected.
std::vector<double> reference_attention(CausalSelfAttention& attention, const Tensor& x, std::int64_t b,
                                        std::int64_t heads) {
  const std::int64_t time = x.dim(1), d = x.dim(2), h = d / heads;
  const auto parameters = attention.parameters();
  const float* w_qkv = parameters[0]->value.data<float>();
  const float* b_qkv = parameters[1]->value.data<float>();
  const float* w_proj = parameters[2]->value.data<float>();
  const float* b_proj = parameters[3]->value.data<float>();
  const float* x_b = x.data<float>() + b * time * d;
  std::vector<double> qkv(static_cast<std::size_t>(time * 3 * d));
  for (std::int64_t t = 0; t < time; ++t) {
    for (std::int64_t o = 0; o < 3 * d; ++o) {
      double sum = b_qkv[o];
      for (std::int64_t i = 0; i < d; ++i) sum += static_cast<double>(x_b[t * d + i]) * w_qkv[o * d + i];
      qkv[t * 3 * d + o] = sum;
    }
  }
  std::vector<double> concatenated(static_cast<std::size_t>(time * d), 0.0);
  for (std::int64_t n = 0; n < heads; ++n) {
    for (std::int64_t i = 0; i < time; ++i) {
      std::vector<double> weights(static_cast<std::size_t>(i + 1));
      double largest = -1e300, total = 0;
      for (std::int64_t j = 0; j <= i; ++j) {
        double score = 0;
        for (std::int64_t c = 0; c < h; ++c) score += qkv[i * 3 * d + n * h + c] * qkv[j * 3 * d + d + n * h + c];
        weights[j] = score / std::sqrt(static_cast<double>(h));
        largest = std::max(largest, weights[j]);
      }
      for (double& weight : weights) total += (weight = std::exp(weight - largest));
      for (std::int64_t c = 0; c < h; ++c) {
        double value = 0;
        for (std::int64_t j = 0; j <= i; ++j) value += weights[j] / total * qkv[j * 3 * d + 2 * d + n * h + c];
        concatenated[i * d + n * h + c] = value;
      }
    }
  }
  std::vector<double> y(static_cast<std::size_t>(time * d));
  for (std::int64_t t = 0; t < time; ++t) {
    for (std::int64_t o = 0; o < d; ++o) {
      double sum = b_proj[o];
      for (std::int64_t i = 0; i < d; ++i) sum += concatenated[t * d + i] * w_proj[o * d + i];
      y[t * d + o] = sum;
    }
  }
  return y;
}

TEST(CausalSelfAttentionForward, MatchesTheFormulasPerSequenceAndHead) {
  const std::int64_t heads = 3;
  CausalSelfAttention attention(12, heads, "attn", 5, one_rank);
  const Tensor x = random_tensor({2, 7, 12}, 28, -2.0f, 2.0f);
  Saved saved;
  const Tensor y = attention.forward(x, saved);
  ASSERT_EQ(y.shape(), x.shape());
  for (std::int64_t b = 0; b < 2; ++b) {
    const std::vector<double> expected = reference_attention(attention, x, b, heads);
    for (std::size_t i = 0; i < expected.size(); ++i)
      ASSERT_NEAR(y.data<float>()[b * 7 * 12 + static_cast<std::int64_t>(i)], expected[i], 1e-4) << "sequence " << b;
  }
}

TEST(CausalSelfAttentionForward, APositionNeverSeesALaterOne) {
  CausalSelfAttention attention(8, 2, "attn", 6, one_rank);
  Tensor x = random_tensor({1, 6, 8}, 29);
  Saved before_saved, after_saved;
  const Tensor before = attention.forward(x, before_saved).clone();
  for (std::int64_t c = 0; c < 8; ++c) x.data<float>()[3 * 8 + c] += 1.0f;  // change position 3
  const Tensor after = attention.forward(x, after_saved);
  for (std::int64_t i = 0; i < 3 * 8; ++i) EXPECT_EQ(after.data<float>()[i], before.data<float>()[i]) << i;
  EXPECT_NE(after.data<float>()[3 * 8], before.data<float>()[3 * 8]);
  EXPECT_NE(after.data<float>()[5 * 8], before.data<float>()[5 * 8]);
}

TEST(TransformerBlockGradient, MatchesFiniteDifferencesWithAndWithoutDropout) {
  for (const float dropout : {0.0f, 0.25f}) {
    TransformerBlock block(8, 2, dropout, "h.0", 7, one_rank);
    // Dropout's mask is a function of (seed, step, position), so it is the same in every
    // forward of the check and the objective stays smooth.
    const ForwardMode mode{.training = true, .seed = 3, .step = 1};
    const auto errors = check_module_gradients(block, random_tensor({2, 4, 8}, 31), mode);
    EXPECT_LT(errors.input, kGradientTolerance) << "dropout " << dropout;
    ASSERT_EQ(errors.parameters.size(), 12u);
    for (std::size_t i = 0; i < errors.parameters.size(); ++i)
      EXPECT_LT(errors.parameters[i], kGradientTolerance) << block.parameters()[i]->name << ", dropout " << dropout;
  }
}

// Collects the parameters a backward reports, in order.
struct RecordingListener : GradientReadyListener {
  std::vector<const Parameter*> reported;
  void gradient_ready(Parameter& parameter) override { reported.push_back(&parameter); }
};

TEST(TransformerBlock, ReportsEveryParameterOnceAsItsGradientIsDone) {
  TransformerBlock block(8, 2, 0.0f, "h.0", 7, one_rank);
  RecordingListener listener;
  Saved saved(ForwardMode{.training = true, .gradient_listener = &listener});
  const Tensor y = block.forward(random_tensor({1, 3, 8}, 32), saved);
  block.backward(random_tensor(y.shape(), 33), saved);
  std::vector<const Parameter*> expected;
  for (const Parameter* parameter : block.parameters()) expected.push_back(parameter);
  std::sort(expected.begin(), expected.end());
  std::vector<const Parameter*> reported = listener.reported;
  ASSERT_EQ(reported.size(), expected.size());
  EXPECT_EQ(reported.back()->name, "h.0.ln_1.bias");  // the last part done, the first part of forward
  std::sort(reported.begin(), reported.end());
  EXPECT_EQ(reported, expected);
}

// The activation bytes of a forward: every distinct saved tensor once, the weights not at all.
TEST(SavedActivationBytes, CountsSharedStorageOnceAndLeavesOutTheParameters) {
  CausalSelfAttention attention(8, 2, "attn", 1, one_rank);
  Saved saved;
  attention.forward(random_tensor({3, 5, 8}, 34), saved);
  // qkv [15, 24] and P [3, 2, 5, 5] in the attention; the qkv Linear's input x [15, 8] and the
  // projection's input [15, 8]; the weights the Linears keep are parameters.
  const std::size_t expected = 4 * (15 * 24 + 3 * 2 * 5 * 5 + 15 * 8 + 15 * 8);
  EXPECT_EQ(saved_activation_bytes(saved, attention.parameters()), expected);
  EXPECT_GT(saved_activation_bytes(saved, {}), expected);  // with the weights
}

TEST(CausalSelfAttention, RejectsWidthsThatTheHeadsDoNotDivide) {
  EXPECT_THROW(CausalSelfAttention(10, 3, "attn", 1, one_rank), Error);
  CausalSelfAttention attention(8, 2, "attn", 1, one_rank);
  Saved saved;
  EXPECT_THROW(attention.forward(random_tensor({6, 8}, 30), saved), Error);
}

}  // namespace
}  // namespace tern
