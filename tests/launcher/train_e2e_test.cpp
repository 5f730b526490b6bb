// End-to-end: `tern train`, `predict`, `evaluate` and `data split` on real data sets
// (prepared from Debian packages by scripts/prepare-data.sh), with minimum scores.
#include <gtest/gtest.h>

#include <iostream>

#include "core/data/dense_reader.h"
#include "core/io/model_file.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::read_json;
using testing::real_data;
using testing::run_tern;
using testing::ScratchFolder;

// The metric `name` from an evaluate --output JSON.
double evaluated_metric(const std::filesystem::path& model, const std::filesystem::path& data,
                        const std::filesystem::path& output, const std::string& name) {
  const auto result = run_tern("evaluate --model " + model.string() + " --data " + data.string() + " --output " +
                               output.string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const double value = read_json(output).at(name).get<double>();
  std::cout << "  " << data.filename().string() << " " << name << " = " << value << "\n";
  return value;
}

TEST(TrainE2E, FashionMnistMainJobReachesAtLeast088TestAccuracy) {
  const auto train = real_data("fashion-mnist/train.h5"), test = real_data("fashion-mnist/test.h5");
  TERN_REQUIRE_REAL_DATA(train);
  ScratchFolder scratch;
  const auto job = scratch / "job";
  const auto result = run_tern("train --algorithm mlp --quiet --train " + train.string() + " --test " + test.string() +
                               " --output-dir " + job.string() + " --hyperparameters " + TERN_SOURCE_DIR +
                               "/cluster-configs/fashion-mnist-mlp.json");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description.at("status"), "Completed");
  EXPECT_GE(description.at("test_metrics").at("accuracy").get<double>(), 0.88);
  EXPECT_GE(evaluated_metric(job / "model", test, scratch / "metrics.json", "accuracy"), 0.88);
  EXPECT_TRUE(std::filesystem::exists(job / "logs" / "rank-0.log"));
  EXPECT_FALSE(std::filesystem::exists(job / "failure"));
  // metrics.jsonl: train:loss every log_interval steps, one object a line.
  EXPECT_GT(testing::count_metric_records(job / "metrics.jsonl", "train:loss"), 100);
  // The training throughput, once an epoch.
  EXPECT_EQ(testing::count_metric_records(job / "metrics.jsonl", "train:samples_per_s"), 12);
}

TEST(TrainE2E, BreastCancerBinaryClassifier) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto train = scratch / "train.h5", test = scratch / "test.h5";
  const auto split = run_tern("data split --input " + data.string() + " --output " + train.string() + "=0.8 --output " +
                              test.string() + "=0.2 --seed 3");
  ASSERT_EQ(split.exit_code, 0) << split.output;
  const auto job = scratch / "job";
  const auto result = run_tern("train --algorithm mlp --quiet --train " + train.string() + " --validation " +
                               test.string() + " --output-dir " + job.string() +
                               " --hp predictor_type=binary_classifier --hp hidden_sizes=[32] --hp epochs=30"
                               " --hp mini_batch_size=32 --hp learning_rate=0.001 --hp seed=5");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_GE(evaluated_metric(job / "model", test, scratch / "m.json", "accuracy"), 0.94);
  EXPECT_GE(evaluated_metric(job / "model", test, scratch / "m.json", "roc_auc"), 0.98);
  EXPECT_NE(testing::read_text(job / "metrics.jsonl").find("validation:roc_auc"), std::string::npos);

  const auto predictions = scratch / "predictions.csv";
  const auto predicted = run_tern("predict --model " + (job / "model").string() + " --data " + test.string() +
                                  " --output " + predictions.string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  const std::string csv = testing::read_text(predictions);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), load_dataset(test).rows());
}

// Early stopping on breast cancer's validation log loss: a large learning rate overfits within
// a few epochs, so the run stops `patience` epochs after the best one, job.json records the
// best, and the saved model is the best epoch's (its log loss on the validation file is the
// best value), not the last one's.
TEST(TrainE2E, EarlyStoppingKeepsTheBestEpochsModel) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto train = scratch / "train.h5", validation = scratch / "validation.h5";
  ASSERT_EQ(run_tern("data split --input " + data.string() + " --output " + train.string() + "=0.8 --output " +
                     validation.string() + "=0.2 --seed 3")
                .exit_code,
            0);
  const std::string hyperparameters = " --hp predictor_type=binary_classifier --hp hidden_sizes=[64,64] --hp epochs=60"
                                      " --hp mini_batch_size=16 --hp learning_rate=0.01 --hp seed=5"
                                      " --hp early_stopping_metric=log_loss --hp early_stopping_patience=3";
  const auto job = scratch / "job";
  const auto result = run_tern("train --algorithm mlp --quiet --train " + train.string() + " --validation " +
                               validation.string() + " --output-dir " + job.string() + hyperparameters);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json stopping = read_json(job / "job.json").at("early_stopping");
  std::cout << "  early stopping: " << stopping.dump() << "\n";
  EXPECT_EQ(stopping.at("metric"), "log_loss");
  EXPECT_EQ(stopping.at("mode"), "min");
  ASSERT_TRUE(stopping.at("stopped_early").get<bool>()) << "60 epochs at this rate should overfit";
  const auto best_epoch = stopping.at("best_epoch").get<std::int64_t>();
  // Evaluated every epoch up to best + patience, then stopped.
  EXPECT_EQ(testing::count_metric_records(job / "metrics.jsonl", "validation:log_loss"), best_epoch + 1 + 3);
  EXPECT_NEAR(evaluated_metric(job / "model", validation, scratch / "m.json", "log_loss"),
              stopping.at("best_value").get<double>(), 1e-6);

  const auto without_validation = run_tern("train --algorithm mlp --quiet --train " + train.string() +
                                           " --output-dir " + (scratch / "no-validation").string() + hyperparameters);
  testing::expect_failed_with(without_validation, "early_stopping_metric 'log_loss' needs a validation channel");
}

TEST(TrainE2E, DiabetesRegressor) {
  const auto data = real_data("diabetes.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto train = scratch / "train.csv", test = scratch / "test.csv";
  ASSERT_EQ(run_tern("data split --input " + data.string() + " --output " + train.string() + "=0.8 --output " +
                     test.string() + "=0.2 --seed 1")
                .exit_code,
            0);
  const auto job = scratch / "job";
  const auto result = run_tern("train --algorithm mlp --quiet --train " + train.string() + " --output-dir " +
                               job.string() +
                               " --hp predictor_type=regressor --hp hidden_sizes=[16] --hp epochs=60"
                               " --hp mini_batch_size=16 --hp learning_rate=0.003 --hp wd=0.01");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // A linear model reaches R² ≈ 0.45 on this data; an MLP that learned anything is well above 0.3.
  EXPECT_GE(evaluated_metric(job / "model", test, scratch / "m.json", "r2"), 0.3);
}

// mini_batch_size=full is batch gradient descent (one step an epoch), 1 is stochastic gradient
// descent (one step a row); the steps logged show which ran.
TEST(TrainE2E, FullBatchAndSingleRowBatches) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  for (const auto& [batch, expected_steps] : {std::pair{"full", 3}, std::pair{"1", 3 * 569}}) {
    const auto job = scratch / (std::string("job-") + batch);
    const auto result = run_tern("train --algorithm mlp --quiet --train " + data.string() + " --output-dir " +
                                 job.string() + " --hp epochs=3 --hp log_interval=1 --hp optimizer=sgd"
                                 " --hp learning_rate=0.01 --hp mini_batch_size=" + batch);
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(testing::count_metric_records(job / "metrics.jsonl", "train:loss"), expected_steps)
        << "mini_batch_size=" << batch;
  }
}

TEST(TrainE2E, ModelFileIsReadableAsPlainHdf5) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto job = scratch / "job";
  ASSERT_EQ(run_tern("train --algorithm mlp --quiet --train " + data.string() + " --output-dir " + job.string() +
                     " --hp epochs=1 --hp hidden_sizes=[8,4]")
                .exit_code,
            0);
  const ModelFile model = read_model_file(job / "model" / "model.h5");
  EXPECT_EQ(model.algorithm, "mlp");
  EXPECT_EQ(model.attributes.at("hidden_sizes"), nlohmann::json({8, 4}));
  EXPECT_EQ(model.tensor("parameters/hidden0.weight").shape(), (Shape{8, 30}));
  EXPECT_EQ(model.tensor("parameters/output.weight").shape(), (Shape{1, 4}));
  // And from h5py, when Debian's python3-h5py is present (scripts/install-deps.sh installs it).
  if (std::filesystem::exists("/usr/lib/python3/dist-packages/h5py")) {
    const std::string script = "import h5py, json; f = h5py.File('" + (job / "model" / "model.h5").string() +
                               "', 'r'); print(f['parameters/hidden1.weight'].shape, json.loads(f.attrs['hidden_sizes']))";
    const testing::CommandResult result = testing::run_shell("/usr/bin/python3 -c \"" + script + "\"");
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.output, "(4, 8) [8, 4]\n");
  }
}

}  // namespace
}  // namespace tern
