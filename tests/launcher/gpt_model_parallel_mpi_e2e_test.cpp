// End-to-end model parallelism for gpt on Austen: every layout of tensor, pipeline and data
// parallelism (and ZeRO-1, and activation checkpointing) trains the model one rank trains with
// the same global batch and micro-batches: dropout on, gradients clipped to a global norm small
// enough that every step clips, so the norm must be summed over all the ranks that hold a part
// of the gradient. Compared after 4 steps: the loss of every step and every parameter of the
// saved model (rank 0 joins the parts), to a relative difference of at most 1e-5.
//
// The optimizer is SGD with momentum, whose update is linear in the gradient, so the rounding
// differences of another order of additions stay rounding differences. Adam's first steps are
// close to lr · sign(g): an element whose gradient is near zero (the key bias's is zero in exact
// arithmetic, softmax ignoring a shift common to all keys; some directions of W_k are near it)
// can flip sign with the order of additions and move by 2·lr. ZeRO-1, which shards Adam's
// moments, is also checked with Adam, the key bias left out as in gpt_mpi_e2e_test.cpp.
//
// Also: the memory each rank reports falls as 1/tp, 1/pp and, for optimizer state, 1/dp with
// ZeRO-1; bad layouts are refused before training with a message that names the rule.
#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <regex>

#include "core/io/model_file.h"
#include "tests/launcher/gpt_layout_runs.h"

namespace tern {
namespace {

using testing::real_data;
using testing::ScratchFolder;

using testing::GptModel;
using testing::parameter_difference;
using testing::step_losses;
using testing::training_arguments;

struct Layout {
  std::string name;
  int ranks;
  std::string hyperparameters;  // the layout's own, on top of the model's
  GptModel model;
};

void PrintTo(const Layout& layout, std::ostream* out) { *out << layout.name; }

// The single-rank runs, one per model (tied or untied, SGD or Adam), shared by every layout, in a folder
// of the suite's own.
class GptModelParallel : public ::testing::TestWithParam<Layout> {
 protected:
  static void SetUpTestSuite() {
    folder_ = std::filesystem::temp_directory_path() / ("tern-gpt-model-parallel-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder_);
    if (!std::filesystem::exists(real_data("austen/train.h5"))) return;  // the tests skip
    for (const GptModel& model : {GptModel{}, GptModel{.tied = false}, GptModel{.optimizer = "adam"}}) {
      const auto result = testing::run_tern(training_arguments(reference(model), model), "OMP_NUM_THREADS=1");
      ASSERT_EQ(result.exit_code, 0) << result.output;
    }
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(folder_); }
  static std::filesystem::path reference(const GptModel& model) { return folder_ / ("one-" + model.name()); }

  static std::filesystem::path folder_;
};

std::filesystem::path GptModelParallel::folder_;

TEST_P(GptModelParallel, TrainsTheSingleRankModel) {
  const Layout& layout = GetParam();
  TERN_REQUIRE_REAL_DATA(real_data("austen/train.h5"));
  const auto job = folder_ / layout.name;
  const auto result =
      testing::run_tern_on_ranks(layout.ranks, training_arguments(job, layout.model) + " " + layout.hyperparameters);
  ASSERT_EQ(result.exit_code, 0) << result.output;

  const std::vector<double> expected = step_losses(reference(layout.model)), actual = step_losses(job);
  ASSERT_EQ(actual.size(), expected.size());
  double worst_loss = 0.0;
  for (std::size_t step = 0; step < expected.size(); ++step)
    worst_loss = std::max(worst_loss, std::abs(actual[step] - expected[step]) / std::abs(expected[step]));
  const double worst_parameter = parameter_difference(read_model_file(reference(layout.model) / "model" / "model.h5"),
                                                      read_model_file(job / "model" / "model.h5"),
                                                      layout.model.optimizer == "adam");
  std::cout << std::scientific << std::setprecision(2) << "  " << layout.name << " (" << layout.ranks
            << " ranks) vs 1 rank: losses " << worst_loss
            << ", parameters " << worst_parameter << "\n";
  EXPECT_LE(worst_loss, 1e-5);
  EXPECT_LE(worst_parameter, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, GptModelParallel,
    ::testing::Values(Layout{"tp2", 2, "--hp tp=2"},
                    Layout{"pp2_gpipe", 2, "--hp pp=2 --hp pipeline_schedule=gpipe"},
                    Layout{"pp2_1f1b", 2, "--hp pp=2 --hp pipeline_schedule=1f1b"},
                    Layout{"pp4_gpipe", 4, "--hp pp=4 --hp pipeline_schedule=gpipe"},
                    Layout{"pp4_1f1b", 4, "--hp pp=4 --hp pipeline_schedule=1f1b"},
                    Layout{"pp2_uneven_stages", 2, "--hp pp=2 --hp stage_layers=1,3"},
                    Layout{"tp2_pp2", 4, "--hp tp=2 --hp pp=2"},
                    Layout{"tp2_pp2_untied", 4, "--hp tp=2 --hp pp=2", {.tied = false}},
                    Layout{"dp2_pp2_tp2", 8, "--hp tp=2 --hp pp=2"},
                    Layout{"dp2_zero1", 2, "--hp zero_stage=1"},
                    Layout{"dp2_zero1_adam", 2, "--hp zero_stage=1", {.optimizer = "adam"}},
                    Layout{"dp2_pp2_zero1", 4, "--hp pp=2 --hp zero_stage=1"},
                    Layout{"tp2_pp2_checkpointing", 4, "--hp tp=2 --hp pp=2 --hp activation_checkpointing=true"}),
    [](const ::testing::TestParamInfo<Layout>& layout) { return layout.param.name; });

// "memory of rank R: parameters P MiB, gradients G MiB, optimizer state O MiB, activations kept
// for backward A MiB" -> {P, G, O, A} in bytes.
std::array<double, 4> reported_memory(const std::filesystem::path& log) {
  const std::string text = testing::read_text(log);
  const std::regex line(R"(parameters ([0-9.]+) MiB, gradients ([0-9.]+) MiB, optimizer state ([0-9.]+) MiB, )"
                        R"(activations kept for backward ([0-9.]+) MiB)");
  std::smatch match;
  EXPECT_TRUE(std::regex_search(text, match, line)) << log << ":\n" << text;
  if (match.empty()) return {};
  return {std::stod(match[1]) * (1 << 20), std::stod(match[2]) * (1 << 20), std::stod(match[3]) * (1 << 20),
          std::stod(match[4]) * (1 << 20)};
}

// Per-rank memory against the single rank's: parameters and gradients halve with tp = 2 and
// with pp = 2 (more than half: what every tensor-parallel rank keeps whole, LayerNorms and
// biases, and the embeddings on the pipeline's ends), optimizer state halves with ZeRO-1 over
// dp = 2 while parameters stay whole.
TEST(GptModelParallelMemory, FallsAsOneOverTheDegreeOfEachSplit) {
  TERN_REQUIRE_REAL_DATA(real_data("austen/train.h5"));
  ScratchFolder scratch;
  const std::string wide = " --hp n_layer=4 --hp d_model=64 --hp max_steps=1";  // blocks outweigh the embeddings
  const auto run = [&](const std::string& name, int ranks, const std::string& layout) {
    const auto result =
        testing::run_tern_on_ranks(ranks, training_arguments(scratch / name, GptModel{.optimizer = "adam"}) + wide + " " + layout);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    std::vector<std::array<double, 4>> memory;
    for (int rank = 0; rank < ranks; ++rank)
      memory.push_back(reported_memory(scratch / name / "logs" / ("rank-" + std::to_string(rank) + ".log")));
    return memory;
  };
  const auto one = run("one", 1, "")[0];
  std::cout << std::fixed << std::setprecision(3) << "  per-rank memory / one rank's (parameters, gradients, "
            << "optimizer state, activations):\n";
  const auto ratios = [&](const std::string& name, const std::array<double, 4>& rank) {
    std::array<double, 4> ratio{};
    for (std::size_t i = 0; i < 4; ++i) ratio[i] = rank[i] / one[i];
    std::cout << "    " << name << ": " << ratio[0] << ", " << ratio[1] << ", " << ratio[2] << ", " << ratio[3] << "\n";
    return ratio;
  };
  for (const auto& rank : run("tp2", 2, "--hp tp=2")) {
    const auto ratio = ratios("tp=2", rank);
    EXPECT_GT(ratio[0], 0.5);
    EXPECT_LT(ratio[0], 0.56);
    EXPECT_NEAR(ratio[2], ratio[0], 1e-3);  // Adam's two moments follow the parameters
  }
  const auto stages = run("pp2", 2, "--hp pp=2");
  for (const auto& rank : stages) {
    const auto ratio = ratios("pp=2", rank);
    EXPECT_GT(ratio[0], 0.45);
    EXPECT_LT(ratio[0], 0.62);
  }
  for (const auto& rank : run("dp2_zero1", 2, "--hp zero_stage=1")) {
    const auto ratio = ratios("dp=2 ZeRO-1", rank);
    EXPECT_NEAR(ratio[0], 1.0, 1e-3);
    EXPECT_NEAR(ratio[2], 0.5, 1e-3);
  }
  for (const auto& rank : run("tp2_pp2", 4, "--hp tp=2 --hp pp=2")) {
    const auto ratio = ratios("tp=2 pp=2", rank);
    EXPECT_GT(ratio[0], 0.22);
    EXPECT_LT(ratio[0], 0.33);
  }
}

TEST(GptModelParallelLayout, BadLayoutsAreRefusedBeforeTraining) {
  const auto train = real_data("austen/train.h5");
  TERN_REQUIRE_REAL_DATA(train);
  ScratchFolder scratch;
  const std::string base = "train --algorithm gpt --quiet --train " + train.string() +
                           " --hp seq_len=16 --hp mini_batch_size=8 --hp max_steps=1 --output-dir ";
  testing::expect_failed_with(
      testing::run_tern_on_ranks(2, base + (scratch / "heads").string() + " --hp n_head=3 --hp d_model=48 --hp tp=2"),
      "n_head (3) must be a multiple of tp");
  testing::expect_failed_with(
      testing::run_tern_on_ranks(4, base + (scratch / "layers").string() + " --hp n_layer=2 --hp pp=4"),
      "n_layer (2) must be at least pp");
  testing::expect_failed_with(testing::run_tern_on_ranks(3, base + (scratch / "world").string() + " --hp tp=2"),
                              "impossible layout: 3 ranks cannot be split into tp=2");
  testing::expect_failed_with(
      testing::run_tern_on_ranks(2, base + (scratch / "stages").string() + " --hp n_layer=4 --hp pp=2 --hp stage_layers=1,2"),
      "stage_layers adds up to 3 layers, the model has n_layer=4");
  testing::expect_failed_with(
      testing::run_tern_on_ranks(2, base + (scratch / "micro").string() + " --hp num_microbatches=3"),
      "must divide evenly into 2 data-parallel rank(s) x 3 micro-batch(es)");
  const auto breast_cancer = real_data("breast_cancer.csv");
  testing::expect_failed_with(testing::run_tern_on_ranks(2, "train --algorithm mlp --quiet --train " +
                                                                breast_cancer.string() + " --hp tp=2 --output-dir " +
                                                                (scratch / "mlp").string()),
                              "layout tp=2 pp=1: mlp trains with data parallelism only");
}

}  // namespace
}  // namespace tern
