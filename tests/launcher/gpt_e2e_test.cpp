// End-to-end: `tern train --algorithm gpt` on Jane Austen's novels (byte-level token streams
// from scripts/prepare-data.sh). A small model trained for a few hundred steps must get its
// validation loss well below the unigram entropy of the text (3.09 nats a byte: the best a
// model that ignores context can do); the test channel reports loss and perplexity, `tern
// evaluate` gives the same numbers from the saved model, `tern generate` samples from it as its
// seed says, and bad uses fail clearly.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <sstream>

#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::real_data;
using testing::run_tern;
using testing::ScratchFolder;

const std::string kSmallGpt =
    " --quiet --hp n_layer=2 --hp n_head=4 --hp d_model=64 --hp seq_len=64 --hp mini_batch_size=16"
    " --hp learning_rate=0.003 --hp eval_sequences=200 --hp seed=2";

TEST(GptE2E, LearnsAustenWellBelowTheUnigramEntropy) {
  const auto train = real_data("austen/train.h5"), validation = real_data("austen/validation.h5");
  TERN_REQUIRE_REAL_DATA(train);
  ScratchFolder scratch;
  const auto job = scratch / "job";
  const auto result = run_tern("train --algorithm gpt --train " + train.string() + " --validation " +
                               validation.string() + " --test " + validation.string() + " --output-dir " +
                               job.string() + kSmallGpt + " --hp max_steps=300 --hp eval_interval=100");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto description = testing::read_json(job / "job.json");
  const double test_loss = description.at("test_metrics").at("loss").get<double>();
  std::cout << "  validation (test channel) loss " << test_loss << " nats, perplexity "
            << description.at("test_metrics").at("perplexity").get<double>() << "\n";
  EXPECT_LT(test_loss, 3.09 - 0.4);
  EXPECT_NEAR(description.at("test_metrics").at("perplexity").get<double>(), std::exp(test_loss), 1e-6 * std::exp(test_loss));
  // Validation every 100 steps: at 100, 200 and the end (300).
  EXPECT_EQ(testing::count_metric_records(job / "metrics.jsonl", "validation:loss"), 3);
  EXPECT_EQ(testing::count_metric_records(job / "metrics.jsonl", "train:tokens_per_s"), 1);
  EXPECT_NE(testing::read_text(job / "logs" / "rank-0.log").find("unigram entropy of the training tokens 3.09"),
            std::string::npos);

  const auto evaluated = run_tern("evaluate --model " + (job / "model").string() + " --data " + validation.string() +
                                  " --output " + (scratch / "metrics.json").string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_NEAR(testing::read_json(scratch / "metrics.json").at("loss").get<double>(), test_loss, 1e-9);

  const auto predicted = run_tern("predict --model " + (job / "model").string() + " --data " + validation.string() +
                                  " --output " + (scratch / "p.csv").string());
  testing::expect_failed_with(predicted, "tern generate");

  // Sampling: fixed by the seed, prompt plus max-tokens bytes, greedy at temperature 0.
  const std::string generate = "generate --model " + (job / "model").string() + " --prompt 'Mr. Darcy' --max-tokens 120";
  const auto first = run_tern(generate + " --seed 7"), again = run_tern(generate + " --seed 7"),
             other = run_tern(generate + " --seed 8");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::cout << "  sample: " << first.output << "\n";
  EXPECT_EQ(first.output.size(), 9u + 120u);
  EXPECT_EQ(first.output.rfind("Mr. Darcy", 0), 0u);
  EXPECT_EQ(again.output, first.output);
  EXPECT_NE(other.output, first.output);
  EXPECT_EQ(run_tern(generate + " --temperature 0 --seed 1").output, run_tern(generate + " --temperature 0 --seed 2").output);
}

// Mixed precision: an f16 run (with loss scaling) ends near the f32 run's validation loss.
TEST(GptE2E, F16TrainsAsWellAsF32) {
  const auto train = real_data("austen/train.h5"), validation = real_data("austen/validation.h5");
  TERN_REQUIRE_REAL_DATA(train);
  ScratchFolder scratch;
  const auto validation_loss = [&](const std::string& precision) {
    const auto job = scratch / precision;
    const auto result = run_tern("train --algorithm gpt --train " + train.string() + " --validation " +
                                 validation.string() + " --output-dir " + job.string() + kSmallGpt +
                                 " --hp max_steps=150 --hp precision=" + precision);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    double last = 0.0;
    std::istringstream lines(testing::read_text(job / "metrics.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      const auto record = nlohmann::json::parse(line);
      if (record.at("name") == "validation:loss") last = record.at("value").get<double>();
    }
    return last;
  };
  const double f32 = validation_loss("f32"), f16 = validation_loss("f16");
  std::cout << "  validation loss after 150 steps: f32 " << f32 << ", f16 " << f16 << "\n";
  EXPECT_NEAR(f16, f32, 0.1);
  EXPECT_GT(testing::count_metric_records(scratch / "f16" / "metrics.jsonl", "train:loss_scale"), 0);
}

TEST(GptE2E, BadHyperparametersAndDataFailBeforeTraining) {
  const auto train = real_data("austen/train.h5");
  TERN_REQUIRE_REAL_DATA(train);
  ScratchFolder scratch;
  int attempt = 0;
  const auto fails_with = [&](const std::string& arguments, const std::string& message) {
    const auto job = scratch / ("bad" + std::to_string(attempt++));
    SCOPED_TRACE(arguments);
    testing::expect_failed_with(run_tern("train --algorithm gpt --quiet --output-dir " + job.string() + " " + arguments),
                                message);
  };
  fails_with("--train " + train.string() + " --hp d_model=30 --hp n_head=4", "must be a multiple of 'n_head'");
  fails_with("--train " + train.string() + " --hp vocab_size=100", "smaller than the training stream's vocabulary");
  fails_with("--train " + real_data("breast_cancer.csv").string(), "breast_cancer.csv");
  fails_with("--train " + train.string() + " --hp tp=2", "tp=2");

  // generate needs a gpt model.
  const auto data = real_data("breast_cancer.csv");
  ASSERT_EQ(run_tern("train --algorithm mlp --quiet --train " + data.string() + " --output-dir " +
                     (scratch / "mlp").string() + " --hp epochs=1")
                .exit_code,
            0);
  testing::expect_failed_with(run_tern("generate --model " + (scratch / "mlp" / "model").string()),
                              "is mlp, not a gpt language model");
}

}  // namespace
}  // namespace tern
