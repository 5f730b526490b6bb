// Tensor parallelism over the world's R ranks (Megatron-LM's f and g, tensor_parallel.h) against
// the whole layer, built on every rank with a LocalCommunicator from the same seed and names:
// a Linear split by output features (also in qkv's 3 chunks) and one split by input features,
// causal self-attention and a transformer block (dropout on), the vocabulary-parallel Embedding
// and cross-entropy, and a whole tied-embedding Gpt. Each rank's output is the whole output (or
// its block of it), dx is the whole dx (or its block), and every parameter's gradient is its
// block of the whole gradient (shard_of, tested in sharding_test). Sums over ranks change the
// order of float additions, so values are compared to 1e-5 of the largest expected value.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/comm.h"
#include "core/nn/causal_self_attention.h"
#include "core/nn/embedding.h"
#include "core/nn/gpt.h"
#include "core/nn/linear.h"
#include "core/nn/loss.h"
#include "core/nn/sharding.h"
#include "core/nn/tensor_parallel.h"
#include "core/nn/transformer_block.h"
#include "core/nn/vocab_parallel_cross_entropy.h"
#include "core/random/random.h"
#include "tests/parallel/mpi_test_world.h"

namespace tern {
namespace {

using testing::test_world;

constexpr std::uint64_t kSeed = 2024;
constexpr float kTolerance = 1e-5f;

// max |actual - expected| <= 1e-5 · max |expected|.
::testing::AssertionResult close_to(const Tensor& actual, const Tensor& expected) {
  if (actual.shape() != expected.shape()) {
    return ::testing::AssertionFailure() << "shape " << shape_string(actual.shape()) << ", expected "
                                         << shape_string(expected.shape());
  }
  float largest = 0.0f, difference = 0.0f;
  for (std::int64_t e = 0; e < expected.numel(); ++e) {
    largest = std::max(largest, std::abs(expected.data<float>()[e]));
    difference = std::max(difference, std::abs(actual.data<float>()[e] - expected.data<float>()[e]));
  }
  if (difference <= kTolerance * largest) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "differs by " << difference << " (largest value " << largest << ")";
}

// The same values on every rank: a draw from a fixed seed and stream.
Tensor random_tensor(const Shape& shape, std::uint64_t stream, float low = -1.0f, float high = 1.0f) {
  Tensor tensor = Tensor::empty(shape);
  fill_uniform(tensor, low, high, 99, stream);
  return tensor;
}

Tensor ids_tensor(const Shape& shape, const std::vector<std::int32_t>& values) {
  Tensor ids = Tensor::empty(shape, DType::i32);
  std::copy(values.begin(), values.end(), ids.data<std::int32_t>());
  return ids;
}

// This rank's block along `dim` (in `chunks` parts) of the world's split.
Sharding block_of(const Communicator& group, int dim, int chunks = 1) {
  return {.kind = Sharding::Kind::split, .split_dim = dim, .chunks = chunks, .rank = group.rank(),
          .ranks = group.size()};
}

// Every parameter's gradient is its block of the whole layer's (same order, same names).
void expect_gradient_blocks(const std::vector<Parameter*>& split, const std::vector<Parameter*>& whole) {
  ASSERT_EQ(split.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(split[i]->name, whole[i]->name);
    EXPECT_TRUE(close_to(split[i]->grad, shard_of(whole[i]->grad, split[i]->sharding))) << split[i]->name;
  }
}

class ColumnParallelLinear : public ::testing::TestWithParam<int> {};

// x ─f─> Linear split by outputs: each rank's y is its columns of the whole y (its columns of
// each of the `chunks` parts), and f's backward sums the ranks' partial dx into the whole dx.
TEST_P(ColumnParallelLinear, GivesThisRanksOutputColumnsAndTheWholeInputGradient) {
  Communicator& world = test_world();
  const int chunks = GetParam();
  const std::int64_t in = 6, out = chunks == 1 ? 12 : 36, rows = 5;
  Linear whole(in, out, "fc", kSeed);
  Linear split(in, out, "fc", kSeed,
               {.kind = LinearSplit::Kind::output_features, .rank = world.rank(), .ranks = world.size(), .chunks = chunks});
  CopyToTensorParallel copy(world);
  const Sharding rows_of_w = block_of(world, 0, chunks), columns_of_y = block_of(world, 1, chunks);
  for (Parameter* parameter : split.parameters()) {
    EXPECT_EQ(parameter->sharding.kind, Sharding::Kind::split) << parameter->name;
    EXPECT_EQ(parameter->sharding.split_dim, 0) << parameter->name;
    EXPECT_EQ(parameter->sharding.chunks, chunks) << parameter->name;
    EXPECT_FALSE(parameter->counted_elsewhere) << parameter->name;
  }

  const Tensor x = random_tensor({rows, in}, 1);
  Saved whole_saved, copy_saved, split_saved;
  const Tensor whole_y = whole.forward(x, whole_saved);
  const Tensor split_y = split.forward(copy.forward(x, copy_saved), split_saved);
  EXPECT_TRUE(close_to(split_y, shard_of(whole_y, columns_of_y)));

  const Tensor dy = random_tensor({rows, out}, 2);
  const Tensor whole_dx = whole.backward(dy, whole_saved);
  const Tensor split_dx = copy.backward(split.backward(shard_of(dy, columns_of_y), split_saved), copy_saved);
  EXPECT_TRUE(close_to(split_dx, whole_dx));
  EXPECT_TRUE(close_to(split.parameters()[0]->grad, shard_of(whole.parameters()[0]->grad, rows_of_w)));
  EXPECT_TRUE(close_to(split.parameters()[1]->grad, shard_of(whole.parameters()[1]->grad, rows_of_w)));
}

INSTANTIATE_TEST_SUITE_P(OneAndThreeChunks, ColumnParallelLinear, ::testing::Values(1, 3));

// Linear split by inputs ─g─> : each rank multiplies its columns of x, g sums the partial
// products into the whole y; dx is this rank's columns of the whole dx; b is whole on every
// rank, with the whole gradient, and counted by rank 0 alone.
TEST(RowParallelLinear, SumsToTheWholeOutputAndGivesThisRanksInputColumns) {
  Communicator& world = test_world();
  const std::int64_t in = 12, out = 6, rows = 5;
  Linear whole(in, out, "proj", kSeed);
  Linear split(in, out, "proj", kSeed,
               {.kind = LinearSplit::Kind::input_features, .rank = world.rank(), .ranks = world.size()});
  ReduceFromTensorParallel reduce(world);
  const Sharding columns = block_of(world, 1);
  Parameter& split_weight = *split.parameters()[0];
  Parameter& split_bias = *split.parameters()[1];
  EXPECT_EQ(split_weight.sharding.kind, Sharding::Kind::split);
  EXPECT_EQ(split_weight.sharding.split_dim, 1);
  EXPECT_FALSE(split_weight.counted_elsewhere);
  EXPECT_EQ(split_bias.sharding.kind, Sharding::Kind::replicated);
  EXPECT_EQ(split_bias.counted_elsewhere, world.rank() != 0);

  const Tensor x = random_tensor({rows, in}, 3);
  Saved whole_saved, split_saved, reduce_saved;
  const Tensor whole_y = whole.forward(x, whole_saved);
  const Tensor split_y = reduce.forward(split.forward(shard_of(x, columns), split_saved), reduce_saved);
  EXPECT_TRUE(close_to(split_y, whole_y));

  const Tensor dy = random_tensor({rows, out}, 4);
  const Tensor whole_dx = whole.backward(dy, whole_saved);
  const Tensor split_dx = split.backward(reduce.backward(dy, reduce_saved), split_saved);
  EXPECT_TRUE(close_to(split_dx, shard_of(whole_dx, columns)));
  EXPECT_TRUE(close_to(split_weight.grad, shard_of(whole.parameters()[0]->grad, columns)));
  EXPECT_TRUE(close_to(split_bias.grad, whole.parameters()[1]->grad));
}

TEST(TensorParallelAttention, GivesTheWholeOutputInputGradientAndGradientBlocks) {
  Communicator& world = test_world();
  LocalCommunicator one_rank;
  const std::int64_t batch = 2, time = 5, d_model = 24, n_head = 12;
  CausalSelfAttention whole(d_model, n_head, "attn", kSeed, one_rank);
  CausalSelfAttention split(d_model, n_head, "attn", kSeed, world);
  const Tensor x = random_tensor({batch, time, d_model}, 5);
  Saved whole_saved, split_saved;
  EXPECT_TRUE(close_to(split.forward(x, split_saved), whole.forward(x, whole_saved)));
  const Tensor dy = random_tensor({batch, time, d_model}, 6);
  const Tensor split_dx = split.backward(dy, split_saved);
  EXPECT_TRUE(close_to(split_dx, whole.backward(dy, whole_saved)));
  expect_gradient_blocks(split.parameters(), whole.parameters());
}

TEST(TensorParallelTransformerBlock, GivesTheWholeOutputInputGradientAndGradientBlocksWithDropout) {
  Communicator& world = test_world();
  LocalCommunicator one_rank;
  const std::int64_t batch = 2, time = 5, d_model = 24, n_head = 12;
  TransformerBlock whole(d_model, n_head, 0.1f, "h.0", kSeed, one_rank);
  TransformerBlock split(d_model, n_head, 0.1f, "h.0", kSeed, world);
  const ForwardMode training{.training = true, .seed = kSeed, .step = 3};
  const Tensor x = random_tensor({batch, time, d_model}, 7);
  Saved whole_saved(training), split_saved(training);
  EXPECT_TRUE(close_to(split.forward(x, split_saved), whole.forward(x, whole_saved)));
  const Tensor dy = random_tensor({batch, time, d_model}, 8);
  const Tensor split_dx = split.backward(dy, split_saved);
  EXPECT_TRUE(close_to(split_dx, whole.backward(dy, whole_saved)));
  expect_gradient_blocks(split.parameters(), whole.parameters());
}

// Rank r looks up the ids of its rows of the table (zeros for the others); g sums the lookups.
TEST(VocabularyParallelEmbedding, SumsToTheWholeLookupAndGivesTheTablesGradientBlock) {
  Communicator& world = test_world();
  const std::int64_t vocab = 12, features = 4;
  Embedding whole(vocab, features, "wte", kSeed);
  Embedding split(vocab, features, "wte", kSeed, world.rank(), world.size());
  ReduceFromTensorParallel reduce(world);
  const Tensor ids = ids_tensor({2, 5}, {11, 0, 3, 3, 7, 5, 2, 9, 11, 6});
  Saved whole_saved, split_saved, reduce_saved;
  const Tensor whole_y = whole.forward(ids, whole_saved);
  EXPECT_TRUE(close_to(reduce.forward(split.forward(ids, split_saved), reduce_saved), whole_y));
  const Tensor dy = random_tensor({2, 5, features}, 9);
  whole.backward(dy, whole_saved);
  split.backward(reduce.backward(dy, reduce_saved), split_saved);
  EXPECT_TRUE(close_to(split.table().grad, shard_of(whole.table().grad, block_of(world, 0))));
}

TEST(VocabParallelCrossEntropy, GivesTheWholeLossAndThisRanksGradientColumns) {
  Communicator& world = test_world();
  const std::int64_t rows = 6, vocab = 12;
  const Tensor logits = random_tensor({rows, vocab}, 10, -3.0f, 3.0f);
  const std::vector<float> label_values = {0, 11, 4, 7, 2, 9};
  const Tensor labels = Tensor::from_values({rows}, label_values);
  const Sharding columns = block_of(world, 1);

  SoftmaxCrossEntropy whole;
  VocabParallelCrossEntropy split(world, world.rank() * vocab / world.size(), vocab);
  Saved whole_saved, split_saved;
  const double whole_loss = whole.forward(logits, labels, whole_saved);
  const double split_loss = split.forward(shard_of(logits, columns), labels, split_saved);
  EXPECT_NEAR(split_loss, whole_loss, 1e-6 * std::abs(whole_loss));
  EXPECT_TRUE(close_to(split.backward(split_saved), shard_of(whole.backward(whole_saved), columns)));
}

// The whole model split over tp: its columns of the logits, the loss the ranks' columns give
// together, and every parameter's gradient block, tied wte included (head and lookup).
TEST(TensorParallelGpt, GivesTheWholeLogitsLossAndGradientBlocks) {
  Communicator& world = test_world();
  const GptConfig config{.vocab_size = 12, .context = 8, .n_layer = 2, .n_head = 12, .d_model = 24,
                         .dropout = 0.1f, .tie_embeddings = true};
  Gpt whole(config, kSeed);
  Gpt split(config, kSeed, GptPartition{&world, 0, -1});
  EXPECT_EQ(split.first_vocabulary_id(), world.rank() * config.vocab_size / world.size());
  const ForwardMode training{.training = true, .seed = kSeed, .step = 1};
  const Tensor ids = ids_tensor({2, 5}, {1, 5, 11, 0, 7, 3, 3, 8, 10, 2});
  const std::vector<float> next_ids = {5, 11, 0, 7, 4, 3, 8, 10, 2, 6};
  const Tensor labels = Tensor::from_values({10}, next_ids);
  const Sharding columns = block_of(world, 1);

  Saved whole_saved(training), split_saved(training), whole_loss_saved, split_loss_saved;
  const Tensor whole_logits = whole.forward(ids, whole_saved);
  const Tensor split_logits = split.forward(ids, split_saved);
  EXPECT_TRUE(close_to(split_logits, shard_of(whole_logits, columns)));

  SoftmaxCrossEntropy whole_loss;
  VocabParallelCrossEntropy split_loss(world, split.first_vocabulary_id(), config.vocab_size);
  const double whole_value = whole_loss.forward(whole_logits, labels, whole_loss_saved);
  const double split_value = split_loss.forward(split_logits, labels, split_loss_saved);
  EXPECT_NEAR(split_value, whole_value, 1e-5 * std::abs(whole_value));

  whole.backward(whole_loss.backward(whole_loss_saved), whole_saved);
  split.backward(split_loss.backward(split_loss_saved), split_saved);
  expect_gradient_blocks(split.parameters(), whole.parameters());
}

}  // namespace
}  // namespace tern
