// Early stopping's rule on crafted metric sequences: when it names a new best, when it stops
// (after `patience` evaluations without one), what counts as better for a metric to maximise
// and to minimise, and the tolerance a gain must exceed; the parameters it keeps at the best
// evaluation and puts back, and its whole state through a checkpoint's file.
#include "core/job/early_stopping.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "core/error.h"

namespace tern {
namespace {

// Feeds the values (one an epoch, 10 steps an epoch) until early stopping stops; returns the
// number of evaluations it took.
std::size_t evaluations_until_stop(EarlyStopping& stopping, const std::vector<double>& values) {
  for (std::size_t epoch = 0; epoch < values.size(); ++epoch) {
    stopping.record(values[epoch], 10 * static_cast<std::int64_t>(epoch + 1), static_cast<std::int64_t>(epoch));
    if (stopping.should_stop()) return epoch + 1;
  }
  return values.size();
}

TEST(EarlyStopping, StopsAfterPatienceEvaluationsWithoutANewBestAndKeepsTheBest) {
  EarlyStopping stopping({.metric = "accuracy", .maximize = true, .patience = 2});
  // Best at the third evaluation (0.9); the fourth and fifth bring nothing better.
  EXPECT_EQ(evaluations_until_stop(stopping, {0.7, 0.8, 0.9, 0.85, 0.9, 0.95, 0.99}), 5u);
  const nlohmann::json summary = stopping.summary();
  EXPECT_EQ(summary.at("best_value"), 0.9);
  EXPECT_EQ(summary.at("best_epoch"), 2);
  EXPECT_EQ(summary.at("best_step"), 30);
  EXPECT_EQ(summary.at("stopped_early"), true);
  EXPECT_EQ(summary.at("mode"), "max");
}

TEST(EarlyStopping, AMetricToMinimiseImprovesDownward) {
  EarlyStopping stopping({.metric = "log_loss", .maximize = false, .patience = 3});
  EXPECT_EQ(evaluations_until_stop(stopping, {0.9, 0.5, 0.6, 0.4, 0.45, 0.41, 0.42}), 7u);
  EXPECT_EQ(stopping.summary().at("best_value"), 0.4);
  EXPECT_EQ(stopping.summary().at("best_epoch"), 3);
  EXPECT_EQ(stopping.summary().at("stopped_early"), true);
}

TEST(EarlyStopping, AGainMustExceedTheTolerance) {
  EarlyStopping stopping({.metric = "r2", .maximize = true, .patience = 2, .tolerance = 0.01});
  EXPECT_TRUE(stopping.record(0.50, 1, 0));
  EXPECT_FALSE(stopping.record(0.505, 2, 1));  // +0.005: not enough
  EXPECT_TRUE(stopping.record(0.52, 3, 2));    // +0.02 over 0.50
  EXPECT_FALSE(stopping.should_stop());
  EXPECT_FALSE(stopping.record(0.52, 4, 3));
  EXPECT_FALSE(stopping.record(0.525, 5, 4));
  EXPECT_TRUE(stopping.should_stop());
  EXPECT_EQ(stopping.summary().at("best_step"), 3);
}

TEST(EarlyStopping, RunningOutOfEpochsIsNotStoppingEarly) {
  EarlyStopping stopping({.metric = "accuracy", .maximize = true, .patience = 5});
  EXPECT_EQ(evaluations_until_stop(stopping, {0.5, 0.6, 0.55}), 3u);
  EXPECT_EQ(stopping.summary().at("stopped_early"), false);
  EXPECT_EQ(stopping.summary().at("best_epoch"), 1);
}

// A parameter whose values are all `value`.
void fill(Parameter& parameter, float value) {
  for (float& element : parameter.value.values()) element = value;
}

TEST(EarlyStopping, KeepsTheBestValuesAndRestoresThemAlsoAfterACheckpoint) {
  Parameter weight("w", {2, 3});
  EarlyStopping stopping({.metric = "log_loss", .maximize = false, .patience = 2});
  stopping.watch({&weight});
  EXPECT_THROW(stopping.restore_best(), Error);  // nothing recorded yet
  fill(weight, 1.0f);
  stopping.record(0.5, 10, 0);
  fill(weight, 2.0f);
  stopping.record(0.3, 20, 1);  // the best
  fill(weight, 3.0f);
  stopping.record(0.4, 30, 2);

  // Through a checkpoint: the state saved, written to disk, read into a fresh EarlyStopping.
  ModelFile state;
  state.algorithm = "test";
  stopping.save_state(state);
  const auto path = std::filesystem::temp_directory_path() / ("tern-early-stopping-" + std::to_string(getpid()) + ".h5");
  write_model_file(state, path);
  EarlyStopping resumed({.metric = "log_loss", .maximize = false, .patience = 2});
  resumed.watch({&weight});
  resumed.load_state(read_model_file(path));
  std::filesystem::remove(path);
  EXPECT_EQ(resumed.summary(), stopping.summary());
  fill(weight, 4.0f);
  EXPECT_FALSE(resumed.record(0.35, 40, 3));
  EXPECT_TRUE(resumed.should_stop());  // the second evaluation without a new best, counting the one before
  resumed.restore_best();
  for (const float element : weight.value.values()) EXPECT_EQ(element, 2.0f);
}

TEST(EarlyStopping, WhichMetricsAreBetterLow) {
  for (const char* lower : {"log_loss", "mse", "rmse", "mae", "cross_entropy", "perplexity"})
    EXPECT_TRUE(lower_is_better(lower)) << lower;
  for (const char* higher : {"accuracy", "f1", "roc_auc", "r2", "top_3_accuracy"}) EXPECT_FALSE(lower_is_better(higher)) << higher;
  EXPECT_THROW(EarlyStopping({.metric = "accuracy", .patience = 0}), Error);
}

}  // namespace
}  // namespace tern
