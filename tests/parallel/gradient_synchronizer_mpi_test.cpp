// The bucketed, overlapped synchronizer must leave the gradients that one plain
// allreduce-average per tensor gives, for bucket sizes from "one bucket per tensor" to "all in
// one bucket", whatever order backward reports the gradients in. With 3 or more ranks the
// ring's chunks differ between a bucket and a lone tensor, so sums may be added in another
// order: tensors are compared to 1e-6 of their largest value.
#include "parallel/gradient_synchronizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "core/nn/activation.h"
#include "core/nn/linear.h"
#include "core/nn/loss.h"
#include "core/nn/sequential.h"
#include "core/random/random.h"
#include "tests/parallel/mpi_test_world.h"

namespace tern {
namespace {

using testing::test_world;

// max |actual - expected| <= 1e-6 · max |expected|: equal up to the order of float additions.
::testing::AssertionResult close_to(const Tensor& actual, const Tensor& expected) {
  float largest = 0.0f, difference = 0.0f;
  for (std::int64_t e = 0; e < expected.numel(); ++e) {
    largest = std::max(largest, std::abs(expected.data<float>()[e]));
    difference = std::max(difference, std::abs(actual.data<float>()[e] - expected.data<float>()[e]));
  }
  if (difference <= 1e-6f * largest) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "differs by " << difference << " (largest value " << largest << ")";
}

// Parameters of odd sizes whose gradients differ by rank.
std::vector<std::unique_ptr<Parameter>> make_parameters(int rank) {
  std::vector<std::unique_ptr<Parameter>> parameters;
  const Shape shapes[] = {{17, 5}, {5}, {1000}, {3, 3, 3}, {1}, {64, 33}};
  int index = 0;
  for (const Shape& shape : shapes) {
    std::string name = "p";
    name += std::to_string(index);
    auto parameter = std::make_unique<Parameter>(name, shape);
    fill_uniform(parameter->grad, -1.0f, 1.0f, 100 + static_cast<std::uint64_t>(rank), static_cast<std::uint64_t>(index));
    parameters.push_back(std::move(parameter));
    ++index;
  }
  return parameters;
}

class BucketSizeTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(BucketSizeTest, MatchesOnePlainAllreducePerTensor) {
  Communicator& world = test_world();
  auto parameters = make_parameters(world.rank());
  std::vector<Parameter*> pointers;
  std::vector<Tensor> expected;
  for (auto& parameter : parameters) {
    pointers.push_back(parameter.get());
    Tensor averaged = parameter->grad.clone();
    world.allreduce(averaged.data<float>(), averaged.numel(), CommType::f32, ReduceOp::average);
    expected.push_back(averaged);
  }
  GradientSynchronizer synchronizer(world, pointers, GetParam());
  for (int step = 0; step < 3; ++step) {
    // Report in reverse, as backward does, but skip one: finish_step must cover it.
    for (std::size_t i = pointers.size(); i-- > 1;) synchronizer.gradient_ready(*pointers[i]);
    synchronizer.finish_step();
    for (std::size_t i = 0; i < pointers.size(); ++i) {
      ASSERT_TRUE(close_to(pointers[i]->grad, expected[i])) << pointers[i]->name << " step " << step;
      // The next step averages the averages again: what one allreduce of them gives.
      world.allreduce(expected[i].data<float>(), expected[i].numel(), CommType::f32, ReduceOp::average);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Buckets, BucketSizeTest, ::testing::Values(std::size_t{1}, std::size_t{4096},
                                                                    GradientSynchronizer::kDefaultBucketBytes));

TEST(GradientSynchronizer, BroadcastMakesEveryRankStartFromRankZero) {
  Communicator& world = test_world();
  Linear layer(4, 3, "fc", 1000 + static_cast<std::uint64_t>(world.rank()));  // different on every rank
  GradientSynchronizer synchronizer(world, layer.parameters());
  synchronizer.broadcast_parameters();
  Linear reference(4, 3, "fc", 1000);  // what rank 0 drew
  for (std::size_t p = 0; p < 2; ++p) {
    const Tensor& mine = layer.parameters()[p]->value;
    const Tensor& theirs = reference.parameters()[p]->value;
    for (std::int64_t e = 0; e < mine.numel(); ++e) ASSERT_EQ(mine.data<float>()[e], theirs.data<float>()[e]);
  }
}

// Backward of a real network reports its parameters through ForwardMode's listener; the
// averaged gradients equal the gradient of the mean loss over all ranks' rows.
TEST(GradientSynchronizer, OverlapsWithBackwardOfASequential) {
  Communicator& world = test_world();
  Sequential network;
  network.append(std::make_unique<Linear>(6, 8, "fc1", 3));
  network.append(std::make_unique<ActivationLayer>(Activation::tanh));
  network.append(std::make_unique<Linear>(8, 2, "fc2", 3));
  GradientSynchronizer synchronizer(world, network.parameters(), 64);  // several buckets
  Tensor x = Tensor::empty({5, 6});
  fill_uniform(x, -1, 1, 7, static_cast<std::uint64_t>(world.rank()));
  const Tensor labels = Tensor::from_values({5}, std::vector<float>{0, 1, 1, 0, 1});
  SoftmaxCrossEntropy loss;

  zero_grads(network.parameters());
  Saved plain;
  const Tensor logits = network.forward(x, plain);
  Saved loss_saved;
  loss.forward(logits, labels, loss_saved);
  network.backward(loss.backward(loss_saved), plain);
  std::vector<Tensor> expected;
  for (Parameter* parameter : network.parameters()) {
    expected.push_back(parameter->grad.clone());
    world.allreduce(expected.back().data<float>(), expected.back().numel(), CommType::f32, ReduceOp::average);
  }

  zero_grads(network.parameters());
  Saved synchronized(ForwardMode{.gradient_listener = &synchronizer});
  network.forward(x, synchronized);
  network.backward(loss.backward(loss_saved), synchronized);
  synchronizer.finish_step();
  const auto parameters = network.parameters();
  for (std::size_t p = 0; p < parameters.size(); ++p) EXPECT_TRUE(close_to(parameters[p]->grad, expected[p])) << parameters[p]->name;
}

}  // namespace
}  // namespace tern
