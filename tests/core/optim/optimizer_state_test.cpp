// Optimizer state through a checkpoint file: an optimizer that runs 3 steps, saves its state
// (through an HDF5 file on disk, as a checkpoint does), and is rebuilt over the parameters'
// values at that point with the state loaded, must take the next 3 steps exactly as one that
// never stopped: the parameters equal bit for bit, for every optimizer. The same through
// ParameterUpdate with ZeRO-1 and with the f16 loss scale; a missing or misshapen state is an
// error that names it.
#include "core/optim/optimizer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/optim/parameter_update.h"
#include "core/random/random.h"
#include "tests/core/optim/random_parameters.h"

namespace tern {

void PrintTo(const OptimizerConfig& config, std::ostream* out) {
  *out << "optimizer kind " << static_cast<int>(config.kind) << ", momentum " << config.momentum;
}

namespace {

const std::vector<Shape> kShapes = {{4, 3}, {5}, {2, 2}};

// The gradients of step `step`, the same for every run.
void set_gradients(const std::vector<Parameter*>& parameters, int step) {
  for (std::size_t p = 0; p < parameters.size(); ++p)
    fill_uniform(parameters[p]->grad, -1.0f, 1.0f, 90 + static_cast<std::uint64_t>(step), p);
}

// A ModelFile written to disk and read back, as a checkpoint's rank file is.
ModelFile through_disk(const ModelFile& state) {
  const auto path = std::filesystem::temp_directory_path() / ("tern-optimizer-state-" + std::to_string(getpid()) + ".h5");
  write_model_file(state, path);
  ModelFile read = read_model_file(path);
  std::filesystem::remove(path);
  return read;
}

void expect_same_values(const std::vector<Parameter*>& expected, const std::vector<Parameter*>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t p = 0; p < expected.size(); ++p) {
    for (std::int64_t i = 0; i < expected[p]->value.numel(); ++i)
      ASSERT_EQ(actual[p]->value.data<float>()[i], expected[p]->value.data<float>()[i]) << expected[p]->name << "[" << i << "]";
  }
}

class OptimizerStateTest : public ::testing::TestWithParam<OptimizerConfig> {};

TEST_P(OptimizerStateTest, ResumingFromTheSavedStateGivesTheUninterruptedSteps) {
  auto uninterrupted = testing::make_parameters(kShapes, 1), interrupted = testing::make_parameters(kShapes, 1);
  Optimizer straight(GetParam(), testing::pointers(uninterrupted));
  for (int step = 0; step < 6; ++step) {
    set_gradients(testing::pointers(uninterrupted), step);
    straight.step(0.01f);
  }
  ModelFile checkpoint;
  {
    Optimizer first_half(GetParam(), testing::pointers(interrupted));
    for (int step = 0; step < 3; ++step) {
      set_gradients(testing::pointers(interrupted), step);
      first_half.step(0.01f);
    }
    first_half.save_state(checkpoint, "optimizer/");
  }
  Optimizer second_half(GetParam(), testing::pointers(interrupted));
  second_half.load_state(through_disk(checkpoint), "optimizer/");
  EXPECT_EQ(second_half.steps_taken(), 3);
  for (int step = 3; step < 6; ++step) {
    set_gradients(testing::pointers(interrupted), step);
    second_half.step(0.01f);
  }
  expect_same_values(testing::pointers(uninterrupted), testing::pointers(interrupted));
}

std::string optimizer_name(const ::testing::TestParamInfo<OptimizerConfig>& optimizer) {
  const char* names[] = {"SgdMomentum", "Adam", "AdamW", "Adagrad", "RmsProp"};
  return names[optimizer.index];
}

INSTANTIATE_TEST_SUITE_P(Optimizers, OptimizerStateTest,
                         ::testing::Values(OptimizerConfig{.kind = OptimizerKind::sgd, .momentum = 0.9f},
                                           OptimizerConfig{.kind = OptimizerKind::adam},
                                           OptimizerConfig{.kind = OptimizerKind::adamw, .weight_decay = 0.1f},
                                           OptimizerConfig{.kind = OptimizerKind::adagrad},
                                           OptimizerConfig{.kind = OptimizerKind::rmsprop}),
                         optimizer_name);

// Through ParameterUpdate: ZeRO-1 on one rank (its shard state) and the f16 loss scale, which
// halves on an overflowed step and must come back as it was.
TEST(ParameterUpdateState, ZeroShardAndLossScaleResumeExactly) {
  LocalCommunicator one_rank;
  const OptimizerConfig adam{.kind = OptimizerKind::adam};
  const LossScalingConfig scaling{.initial_scale = 1024.0, .growth_interval = 2};
  const auto run = [&](ParameterUpdate& update, const std::vector<Parameter*>& parameters, int first, int end) {
    for (int step = first; step < end; ++step) {
      update.begin_step();
      set_gradients(parameters, step);
      if (step == 1) parameters[0]->grad.data<float>()[0] = std::numeric_limits<float>::infinity();  // skipped
      update.finish_step(0.01f);
    }
  };
  auto uninterrupted = testing::make_parameters(kShapes, 2), interrupted = testing::make_parameters(kShapes, 2);
  ParameterUpdate straight(testing::pointers(uninterrupted), adam, {.zero_group = &one_rank}, scaling, 1.0f);
  run(straight, testing::pointers(uninterrupted), 0, 6);
  ModelFile checkpoint;
  {
    ParameterUpdate first_half(testing::pointers(interrupted), adam, {.zero_group = &one_rank}, scaling, 1.0f);
    run(first_half, testing::pointers(interrupted), 0, 3);
    first_half.save_state(checkpoint);
  }
  ParameterUpdate second_half(testing::pointers(interrupted), adam, {.zero_group = &one_rank}, scaling, 1.0f);
  second_half.load_state(through_disk(checkpoint));
  EXPECT_EQ(second_half.loss_scaler()->scale(), checkpoint.attributes.at("optimizer/loss_scale").get<double>());
  EXPECT_EQ(second_half.loss_scaler()->skipped_steps(), 1);
  run(second_half, testing::pointers(interrupted), 3, 6);
  EXPECT_EQ(second_half.loss_scaler()->scale(), straight.loss_scaler()->scale());
  expect_same_values(testing::pointers(uninterrupted), testing::pointers(interrupted));
}

TEST(OptimizerState, AMissingOrMisshapenStateIsNamed) {
  auto parameters = testing::make_parameters(kShapes, 3);
  Optimizer adam({.kind = OptimizerKind::adam}, testing::pointers(parameters));
  ModelFile empty;
  EXPECT_THROW(adam.load_state(empty, "optimizer/"), Error);
  ModelFile checkpoint;
  adam.save_state(checkpoint, "optimizer/");
  checkpoint.tensors.insert_or_assign("optimizer/p1/state_2", Tensor::zeros({4}));
  try {
    adam.load_state(checkpoint, "optimizer/");
    ADD_FAILURE() << "a state of the wrong shape loaded";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("optimizer/p1/state_2 has shape [4]"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace tern
