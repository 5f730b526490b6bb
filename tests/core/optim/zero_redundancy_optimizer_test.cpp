// ZeroRedundancyOptimizer on one process against the plain Optimizer: the shard is every
// parameter whole and the updates must be equal bit for bit, since both run the same elementwise
// kernel on the same numbers. Shards over several ranks (parameters that straddle ranges, empty
// ranges) are tested in tests/parallel/zero_redundancy_optimizer_mpi_test.cpp.
#include "core/optim/zero_redundancy_optimizer.h"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/random/random.h"
#include "tests/core/optim/random_parameters.h"

namespace tern {

// How gtest names an optimizer case (in tern, where argument-dependent lookup finds it).
void PrintTo(const OptimizerConfig& config, std::ostream* out) {
  *out << "optimizer kind " << static_cast<int>(config.kind) << ", momentum " << config.momentum << ", weight decay "
       << config.weight_decay;
}

namespace {

// Parameters of several shapes (49 elements in all) with values drawn from `seed`.
struct Model {
  std::vector<std::unique_ptr<Parameter>> parameters;

  explicit Model(std::uint64_t seed) : parameters(testing::make_parameters({{7, 3}, {5}, {1}, {11, 2}}, seed)) {}
  std::vector<Parameter*> pointers() const { return testing::pointers(parameters); }
  // The gradients of step `step`, the same for every Model.
  void set_gradients(int step) {
    for (std::size_t p = 0; p < parameters.size(); ++p)
      fill_uniform(parameters[p]->grad, -1.0f, 1.0f, 50 + static_cast<std::uint64_t>(step), p);
  }
};

std::string optimizer_case_name(const ::testing::TestParamInfo<OptimizerConfig>& test_case) {
  const char* names[] = {"SgdWithMomentum", "Adam", "AdamWWithDecay"};
  return names[test_case.index];
}

class ZeroMatchesPlain : public ::testing::TestWithParam<OptimizerConfig> {};

TEST_P(ZeroMatchesPlain, SameParametersAfterEveryStep) {
  Model plain_model(7), zero_model(7);
  Optimizer plain(GetParam(), plain_model.pointers());
  LocalCommunicator local;
  ZeroRedundancyOptimizer zero(GetParam(), zero_model.pointers(), local);
  const void* flat_storage = zero_model.parameters.front()->value.storage_address();
  for (int step = 0; step < 4; ++step) {
    plain_model.set_gradients(step);
    zero_model.set_gradients(step);
    plain.step(0.05f);
    zero.reduce_scatter_gradients();
    zero.step(0.05f);
    for (std::size_t p = 0; p < plain_model.parameters.size(); ++p) {
      const Tensor& expected = plain_model.parameters[p]->value;
      const Tensor& actual = zero_model.parameters[p]->value;
      ASSERT_EQ(actual.storage_address(), flat_storage) << "parameter " << p << " is no longer a view";
      ASSERT_EQ(actual.shape(), expected.shape());
      for (std::int64_t e = 0; e < expected.numel(); ++e)
        ASSERT_EQ(actual.data<float>()[e], expected.data<float>()[e]) << "parameter " << p << " element " << e
                                                                       << " step " << step;
    }
  }
  EXPECT_EQ(zero.steps_taken(), plain.steps_taken());
  EXPECT_EQ(zero.state_bytes(), plain.state_bytes());
}

INSTANTIATE_TEST_SUITE_P(Optimizers, ZeroMatchesPlain,
                         ::testing::Values(OptimizerConfig{.kind = OptimizerKind::sgd, .momentum = 0.9f},
                                           OptimizerConfig{.kind = OptimizerKind::adam},
                                           OptimizerConfig{.kind = OptimizerKind::adamw, .weight_decay = 0.1f}),
                         optimizer_case_name);

TEST(ZeroRedundancyOptimizer, KeepsTheValuesItFlattens) {
  Model original(3), flattened(3);
  LocalCommunicator local;
  ZeroRedundancyOptimizer zero({.kind = OptimizerKind::adam}, flattened.pointers(), local);
  for (std::size_t p = 0; p < original.parameters.size(); ++p) {
    const Tensor& before = original.parameters[p]->value;
    const Tensor& after = flattened.parameters[p]->value;
    for (std::int64_t e = 0; e < before.numel(); ++e) ASSERT_EQ(after.data<float>()[e], before.data<float>()[e]);
  }
}

// On one rank the shard is every parameter whole, in list order, over the same memory.
TEST(ZeroRedundancyOptimizer, OneRankShardIsEveryParameter) {
  Model model(1);
  LocalCommunicator local;
  ZeroRedundancyOptimizer zero({.kind = OptimizerKind::adam}, model.pointers(), local);
  const std::vector<std::string> names = {"p0[0:21]", "p1[0:5]", "p2[0:1]", "p3[0:22]"};
  ASSERT_EQ(zero.shard().size(), names.size());
  for (std::size_t p = 0; p < names.size(); ++p) {
    const Parameter& piece = *zero.shard()[p];
    EXPECT_EQ(piece.name, names[p]);
    EXPECT_EQ(piece.value.data<float>(), model.parameters[p]->value.data<float>()) << piece.name;
    EXPECT_EQ(piece.value.numel(), model.parameters[p]->value.numel()) << piece.name;
    EXPECT_EQ(piece.grad.numel(), piece.value.numel()) << piece.name;
  }
}

TEST(ZeroRedundancyOptimizer, PiecesKeepCountedElsewhere) {
  Model model(1);
  model.parameters[1]->counted_elsewhere = true;
  LocalCommunicator local;
  ZeroRedundancyOptimizer zero({.kind = OptimizerKind::sgd}, model.pointers(), local);
  ASSERT_EQ(zero.shard().size(), 4u);
  for (std::size_t p = 0; p < 4; ++p) EXPECT_EQ(zero.shard()[p]->counted_elsewhere, p == 1) << zero.shard()[p]->name;
}

}  // namespace
}  // namespace tern
