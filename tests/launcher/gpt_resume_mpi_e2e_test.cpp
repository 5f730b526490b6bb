// End-to-end checkpoints and resumes of gpt on Jane Austen's text, against the same job run
// uninterrupted (models bitwise equal, every metric equal):
//   - tp=2 x pp=2 on 4 ranks, one rank killed with SIGKILL: each rank's part of the model and
//     of the optimizer state comes back from its own file;
//   - dp=2 with ZeRO-1 and f16 loss scaling, stopped by a SIGTERM to one rank: each rank's
//     optimizer shard and the loss scale come back;
//   - a checkpoint resumed on another layout is refused, naming every difference;
//   - early stopping on the validation loss (a learning rate that diverges) stops, and the
//     model saved is bitwise the one a run stopped at the best step saves.
#include <gtest/gtest.h>

#include "tests/launcher/gpt_layout_runs.h"
#include "tests/launcher/same_training.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::expect_same_training;
using testing::read_json;
using testing::real_data;
using testing::run_tern_on_ranks;
using testing::ScratchFolder;

constexpr int kStoppedExitCode = 75;  // launcher/job_folder.h

// The layout tests' small GPT (gpt_layout_runs.h) with Adam, 8 steps, a validation every 2.
std::string gpt_arguments(const std::filesystem::path& job, const std::string& extra) {
  return testing::training_arguments(job, {.tied = true, .optimizer = "adam"}) +
         " --hp max_steps=8 --hp eval_interval=2" + extra;
}

class GptResumeTest : public ::testing::Test {
 protected:
  void SetUp() override { TERN_REQUIRE_REAL_DATA(real_data("austen/train.h5")); }
  ScratchFolder scratch_;
};

TEST_F(GptResumeTest, TensorAndPipelineParallelRanksResumeBitwise) {
  const std::string layout = " --hp tp=2 --hp pp=2 --hp checkpoint_interval_steps=3";
  const auto reference = scratch_ / "uninterrupted", job = scratch_ / "killed";
  ASSERT_EQ(run_tern_on_ranks(4, gpt_arguments(reference, layout)).exit_code, 0);
  const auto killed = run_tern_on_ranks(4, gpt_arguments(job, layout), "TERN_FAULT_INJECTION=3:5:kill");
  ASSERT_NE(killed.exit_code, 0) << killed.output;
  ASSERT_TRUE(std::filesystem::exists(job / "checkpoints" / "step-3" / "rank-3.h5"));
  const auto resumed = run_tern_on_ranks(4, gpt_arguments(job, layout) + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_training(reference, job);
  EXPECT_EQ(read_json(job / "job.json").at("resumed_from_step"), 3);
}

TEST_F(GptResumeTest, ZeroShardsAndLossScaleResumeBitwise) {
  const std::string layout = " --hp zero_stage=1 --hp precision=f16 --hp num_microbatches=2";
  const auto reference = scratch_ / "uninterrupted", job = scratch_ / "terminated";
  ASSERT_EQ(run_tern_on_ranks(2, gpt_arguments(reference, layout)).exit_code, 0);
  const auto stopped = run_tern_on_ranks(2, gpt_arguments(job, layout), "TERN_FAULT_INJECTION=1:4:term");
  ASSERT_EQ(stopped.exit_code, kStoppedExitCode) << stopped.output;
  EXPECT_EQ(read_json(job / "job.json").at("status"), "Stopped");
  const auto resumed = run_tern_on_ranks(2, gpt_arguments(job, layout));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_training(reference, job);
  EXPECT_EQ(read_json(job / "job.json").at("resumed_from_step"), 5);
}

TEST_F(GptResumeTest, AnotherLayoutIsRefused) {
  const auto job = scratch_ / "tp2";
  ASSERT_EQ(run_tern_on_ranks(2, gpt_arguments(job, " --hp tp=2"), "TERN_FAULT_INJECTION=0:2:term").exit_code,
            kStoppedExitCode);
  testing::expect_failed_with(run_tern_on_ranks(2, gpt_arguments(job, " --hp pp=2")),
                              "it was saved with pp 1 (this job: 2), tp 2 (this job: 1)");
}

TEST_F(GptResumeTest, EarlyStoppingKeepsTheBestStepsModel) {
  // SGD at learning rate 3 diverges: the validation loss rises after step 2.
  const std::string diverging = " --hp optimizer=sgd --hp learning_rate=3 --hp momentum=0";
  const auto job = scratch_ / "early";
  const auto result = run_tern_on_ranks(
      1, gpt_arguments(job, diverging + " --hp max_steps=40 --hp early_stopping_metric=loss --hp early_stopping_patience=2"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto summary = read_json(job / "job.json").at("early_stopping");
  EXPECT_EQ(summary.at("stopped_early"), true);
  const std::int64_t best_step = summary.at("best_step");
  EXPECT_LT(best_step, 40);
  // The same training stopped at the best step by max_steps: the same model.
  const auto stopped_at_best = scratch_ / "best";
  ASSERT_EQ(run_tern_on_ranks(1, gpt_arguments(stopped_at_best, diverging + " --hp max_steps=" +
                                                                    std::to_string(best_step))).exit_code, 0);
  const ModelFile kept = read_model_file(job / "model" / "model.h5");
  const ModelFile best = read_model_file(stopped_at_best / "model" / "model.h5");
  for (const auto& [name, tensor] : best.tensors)
    EXPECT_EQ(std::memcmp(tensor.data<float>(), kept.tensor(name).data<float>(), tensor.size_bytes()), 0) << name;
}

}  // namespace
}  // namespace tern
