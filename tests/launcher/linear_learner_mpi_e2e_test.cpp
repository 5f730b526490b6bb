// linear-learner end to end:
//   - convex cases against scikit-learn on real data: L2-regularised logistic regression on
//     breast cancer and ridge regression on diabetes give scikit-learn's coefficients;
//   - replicated rows on 2 and 3 ranks (pipe mode on 3) train the models of 1 rank, up to
//     float rounding, and keep the same one;
//   - the decision threshold is the best cut for the selection criterion, checked against a
//     sweep over the model's own scores;
//   - multiclass on Fashion-MNIST images learns, with probabilities that sum to 1;
//   - positive_example_weight_mult=balanced weighs class 1 by n₀ / n₁;
//   - sparse input (libsvm) trains the dense input's model, on 1 and 2 ranks, and on MovieLens'
//     one-hot ratings beats the global mean;
//   - bad hyperparameters and labels fail clearly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/algorithms/registry.h"
#include "core/data/csv_writer.h"
#include "core/data/dense_reader.h"
#include "core/data/sparse_reader.h"
#include "core/io/model_file.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::expect_failed_with;
using testing::read_json;
using testing::real_data;
using testing::run_tern;
using testing::run_tern_on_ranks;
using testing::ScratchFolder;

// scikit-learn 1.2.1 on the features standardised by their mean and population standard
// deviation (as linear-learner's scaler does with all rows): LogisticRegression(C = 1 / (wd n),
// tol=1e-10) on breast_cancer.csv, and Ridge(alpha = n wd) on diabetes.csv with the label
// standardised too, wd = 0.01: coef_ and intercept_.
const std::vector<double> kSklearnLogisticCoefficients = {
    -0.4160846861849438,  -0.4549459460871529,  -0.4039697822049943,  -0.4140682068015257,  -0.15990594230785443,
    0.09515756590683988,  -0.4701328511066691,  -0.5459878463359129,  -0.04437776948196483, 0.29213959066150497,
    -0.6454923733107573,  0.07736929892524015,  -0.4493707619280336,  -0.49306625950230276, -0.09366836826298833,
    0.38403350800399033,  0.042553692195215945, -0.16915445649733918, 0.18669599599344747,  0.33761385952042006,
    -0.6298054934864226,  -0.7214802487161409,  -0.5652295182717256,  -0.5756480053294706,  -0.507600317958813,
    -0.11368111335888136, -0.5120204919387269,  -0.6109136580085952,  -0.5317567652449118,  -0.18914762282030373};
constexpr double kSklearnLogisticIntercept = 0.4952846088825547;
const std::vector<double> kSklearnRidgeCoefficients = {
    -0.00444579555881198, -0.1448774302888608,   0.321558791621661,   0.19797802141746623, -0.2350946030673058,
    0.09295184089506259,  -0.048543268841831105, 0.08049184492638298, 0.3658833355990179,  0.04393879245844475};

// Full-batch SGD with momentum, long enough to reach the optimum.
const std::string kConvexSettings =
    " --hp optimizer=sgd --hp momentum=0.9 --hp learning_rate=0.1 --hp wd=0.01 --hp l1=0 --hp epochs=3000 "
    "--hp early_stopping_patience=3000";

struct Moments {
  std::vector<double> mean, deviation;
  double label_mean = 0, label_deviation = 0;
};
Moments moments_of(const Dataset& data) {
  Moments moments;
  const std::int64_t n = data.rows(), d = data.num_features();
  const auto column = [&](auto value) {
    double sum = 0, square = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      sum += value(i);
      square += value(i) * value(i);
    }
    const double mean = sum / n;
    return std::make_pair(mean, std::sqrt(square / n - mean * mean));
  };
  for (std::int64_t f = 0; f < d; ++f) {
    const auto [mean, deviation] = column([&](std::int64_t i) { return double(data.features.data<float>()[i * d + f]); });
    moments.mean.push_back(mean);
    moments.deviation.push_back(deviation);
  }
  std::tie(moments.label_mean, moments.label_deviation) =
      column([&](std::int64_t i) { return double(data.labels.data<float>()[i]); });
  return moments;
}

ModelFile trained(const std::filesystem::path& job) { return read_model_file(job / "model" / "model.h5"); }

std::string train_arguments(const std::filesystem::path& data, const std::filesystem::path& job,
                            const std::string& predictor, const std::string& extra = "") {
  return "train --algorithm linear-learner --quiet --train " + data.string() + " --output-dir " + job.string() +
         " --hp predictor_type=" + predictor + extra;
}

class LinearLearnerTest : public ::testing::Test {
 protected:
  void SetUp() override { TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv")); }
  ScratchFolder scratch_;
};

TEST_F(LinearLearnerTest, RegularisedLogisticRegressionMatchesScikitLearn) {
  const auto data = real_data("breast_cancer.csv");
  const auto job = scratch_ / "logistic";
  const auto result = run_tern(train_arguments(data, job, "binary_classifier", kConvexSettings + " --hp mini_batch_size=569"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const ModelFile model = trained(job);
  const Moments moments = moments_of(load_dataset(data));
  // The saved weights are over the raw features: w_raw = w / σ, b_raw = b − Σ w μ / σ.
  double intercept = model.tensor("linear/bias").data<float>()[0];
  for (std::size_t f = 0; f < kSklearnLogisticCoefficients.size(); ++f) {
    const double raw = model.tensor("linear/weights").data<float>()[f];
    EXPECT_NEAR(raw * moments.deviation[f], kSklearnLogisticCoefficients[f], 2e-4) << "feature " << f;
    intercept += raw * moments.mean[f];
  }
  EXPECT_NEAR(intercept, kSklearnLogisticIntercept, 2e-4);
}

TEST_F(LinearLearnerTest, RidgeRegressionMatchesScikitLearn) {
  const auto data = real_data("diabetes.csv");
  TERN_REQUIRE_REAL_DATA(data);
  const auto job = scratch_ / "ridge";
  const auto result = run_tern(train_arguments(data, job, "regressor", kConvexSettings + " --hp mini_batch_size=442"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const ModelFile model = trained(job);
  const Moments moments = moments_of(load_dataset(data));
  double intercept = model.tensor("linear/bias").data<float>()[0] - moments.label_mean;
  for (std::size_t f = 0; f < kSklearnRidgeCoefficients.size(); ++f) {
    const double raw = model.tensor("linear/weights").data<float>()[f];
    EXPECT_NEAR(raw * moments.deviation[f] / moments.label_deviation, kSklearnRidgeCoefficients[f], 1e-5) << f;
    intercept += raw * moments.mean[f];
  }
  EXPECT_NEAR(intercept / moments.label_deviation, 0.0, 1e-5);
}

TEST_F(LinearLearnerTest, ReplicatedRowsOnMoreRanksTrainTheSameModels) {
  const auto data = real_data("breast_cancer.csv");
  const std::string settings = " --hp mini_batch_size=50 --hp epochs=20";
  ASSERT_EQ(run_tern(train_arguments(data, scratch_ / "one", "binary_classifier", settings)).exit_code, 0);
  const ModelFile expected = trained(scratch_ / "one");
  const auto expected_summary = read_json(scratch_ / "one" / "job.json").at("linear_learner");
  for (const int ranks : {2, 3}) {
    const auto job = scratch_ / std::to_string(ranks);
    const std::string ingestion = ranks == 3 ? " --ingestion pipe" : "";
    const auto result = run_tern_on_ranks(ranks, train_arguments(data, job, "binary_classifier", settings + ingestion));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const ModelFile model = trained(job);
    const Tensor& a = expected.tensor("linear/weights");
    const Tensor& b = model.tensor("linear/weights");
    for (std::int64_t i = 0; i < a.numel(); ++i)
      EXPECT_NEAR(a.data<float>()[i], b.data<float>()[i], 1e-4 * (1 + std::abs(a.data<float>()[i]))) << ranks << " ranks";
    const auto summary = read_json(job / "job.json").at("linear_learner");
    EXPECT_EQ(summary.at("selected_model"), expected_summary.at("selected_model")) << ranks << " ranks";
    EXPECT_NEAR(summary.at("decision_threshold").get<double>(), expected_summary.at("decision_threshold").get<double>(),
                1e-3);
  }
}

// The model's P(1) for every row of the data, in process.
std::vector<float> scores_of(const std::filesystem::path& job, const Dataset& data) {
  const Tensor scores = load_model(job / "model")->predict(data).scores;
  return {scores.data<float>(), scores.data<float>() + scores.numel()};
}

TEST_F(LinearLearnerTest, TheThresholdIsTheBestCutForTheCriterion) {
  const auto data = real_data("breast_cancer.csv");
  const Dataset rows = load_dataset(data);
  struct Case {
    std::string criterion;
    double target_recall;
  };
  for (const Case& check : {Case{"accuracy", 0}, Case{"precision_at_target_recall", 0.99}}) {
    const auto job = scratch_ / check.criterion;
    const auto result = run_tern(train_arguments(data, job, "binary_classifier",
                                                 " --validation " + data.string() + " --hp epochs=5 --hp num_models=1" +
                                                     " --hp binary_classifier_model_selection_criteria=" + check.criterion +
                                                     " --hp target_recall=0.99"));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const std::vector<float> scores = scores_of(job, rows);
    const float threshold = read_json(job / "job.json").at("linear_learner").at("decision_threshold").get<float>();
    // The criterion when rows scoring above `cut` are predicted 1.
    const auto value_at = [&](float cut) {
      double tp = 0, fp = 0, positives = 0;
      for (std::size_t i = 0; i < scores.size(); ++i) {
        const bool positive = rows.labels.data<float>()[i] == 1.0f;
        positives += positive;
        if (scores[i] > cut) (positive ? tp : fp) += 1;
      }
      const double accuracy = (tp + (scores.size() - positives - fp)) / scores.size();
      const double precision = tp + fp > 0 ? tp / (tp + fp) : 1.0, recall = tp / positives;
      return check.criterion == "accuracy" ? accuracy : (recall >= check.target_recall ? precision : 0.0);
    };
    double best = value_at(-1.0f);  // every row predicted 1
    for (const float cut : scores) best = std::max(best, value_at(cut));
    EXPECT_GT(best, 0.8) << check.criterion;
    EXPECT_EQ(value_at(threshold), best) << check.criterion << ": threshold " << threshold;
    if (check.criterion == "accuracy") {
      EXPECT_DOUBLE_EQ(testing::last_metric(job, "validation:binary_classification_accuracy"), best);  // the metrics use the calibrated threshold
    }
  }
}

TEST_F(LinearLearnerTest, MulticlassLearnsAndGivesProbabilities) {
  const auto images = real_data("fashion-mnist/test.h5");
  TERN_REQUIRE_REAL_DATA(images);
  const Dataset all = load_dataset(images);
  write_csv({all.features.rows(0, 8000), all.labels.rows(0, 8000), all.source}, scratch_ / "train.csv");
  write_csv({all.features.rows(8000, 10000), all.labels.rows(8000, 10000), all.source}, scratch_ / "validation.csv");
  const auto job = scratch_ / "multiclass";
  const auto result = run_tern(train_arguments(scratch_ / "train.csv", job, "multiclass_classifier",
                                               " --validation " + (scratch_ / "validation.csv").string() +
                                                   " --hp num_classes=10 --hp epochs=5 --hp num_models=4"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_GT(testing::last_metric(job, "validation:multiclass_accuracy"), 0.78);  // about 0.81 (a 10-class linear model on 8,000 images)
  const Dataset validation = load_dataset(scratch_ / "validation.csv");
  const Tensor probabilities = load_model(job / "model")->predict(validation).scores;
  ASSERT_EQ(probabilities.dim(1), 10);
  for (std::int64_t i = 0; i < 100; ++i) {
    double sum = 0;
    for (std::int64_t c = 0; c < 10; ++c) sum += probabilities.data<float>()[i * 10 + c];
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST_F(LinearLearnerTest, BalancedPositiveWeightIsTheClassRatio) {
  const auto data = real_data("breast_cancer.csv");
  const Dataset rows = load_dataset(data);
  double positives = 0;
  for (const float label : rows.labels.values()) positives += label;
  const auto job = scratch_ / "balanced";
  ASSERT_EQ(run_tern(train_arguments(data, job, "binary_classifier",
                                     " --hp positive_example_weight_mult=balanced --hp num_models=1 --hp epochs=2"))
                .exit_code,
            0);
  const auto model = read_json(job / "job.json").at("linear_learner").at("models").at(0);
  EXPECT_NEAR(model.at("positive_example_weight_mult").get<double>(), (rows.rows() - positives) / positives, 1e-12);
}

TEST_F(LinearLearnerTest, SparseInputTrainsTheDenseModel) {
  // Without the scaler dense and sparse rows do the same arithmetic (up to the order of sums).
  const auto dense = real_data("breast_cancer.csv");
  const auto sparse = scratch_ / "breast_cancer.libsvm";
  write_sparse(to_sparse(load_dataset(dense)), sparse);
  const std::string settings = " --hp normalize_data=false --hp num_models=1 --hp epochs=5 --hp learning_rate=1e-4";
  ASSERT_EQ(run_tern(train_arguments(dense, scratch_ / "dense", "binary_classifier", settings)).exit_code, 0);
  const Tensor expected = trained(scratch_ / "dense").tensor("linear/weights").clone();
  for (const int ranks : {1, 2}) {
    const auto job = scratch_ / ("sparse" + std::to_string(ranks));
    const auto result = run_tern_on_ranks(ranks, train_arguments(sparse, job, "binary_classifier", settings));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const Tensor weights = trained(job).tensor("linear/weights").clone();
    ASSERT_EQ(weights.shape(), expected.shape());
    for (std::int64_t i = 0; i < weights.numel(); ++i)
      EXPECT_NEAR(weights.data<float>()[i], expected.data<float>()[i], 1e-4 * (1 + std::abs(expected.data<float>()[i])))
          << "weight " << i << ", " << ranks << " rank(s)";
  }
  // `tern evaluate` reads the sparse file too, with the trained model's numbers.
  const auto evaluated = run_tern("evaluate --model " + (scratch_ / "sparse1" / "model").string() + " --data " +
                                  sparse.string() + " --output " + (scratch_ / "metrics.json").string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_GT(read_json(scratch_ / "metrics.json").at("binary_classification_accuracy").get<double>(), 0.85);
}

TEST_F(LinearLearnerTest, SparseMovieLensRatingsBeatTheGlobalMean) {
  // User, movie and genre one-hot: a linear model here is a bias model. The training ratings'
  // mean gives a held-out RMSE of 1.0516, the best regularised bias-only model 0.8798
  // (numpy, factorization_machines_mpi_e2e_test.cpp has the details).
  const auto train = real_data("movielens/train.libsvm");
  TERN_REQUIRE_REAL_DATA(train);
  const auto job = scratch_ / "movielens";
  const auto result = run_tern(train_arguments(train, job, "regressor",
                                               " --hp epochs=10 --test " + real_data("movielens/test.libsvm").string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_LT(testing::last_metric(job, "test:rmse"), 0.92);  // measured 0.9035
}

TEST_F(LinearLearnerTest, BadHyperparametersAndLabelsFailClearly) {
  const auto data = real_data("breast_cancer.csv").string();
  const auto fails = [&](const std::string& predictor, const std::string& extra, const std::string& message) {
    expect_failed_with(run_tern(train_arguments(data, scratch_ / "bad", predictor, extra)), message);
    std::filesystem::remove_all(scratch_ / "bad");
  };
  fails("binary_classifier", " --hp loss=squared_hinge", "hyperparameter 'loss' of linear-learner: expected one of");
  fails("regressor", " --hp loss=hinge_loss", "hinge_loss does not fit predictor_type regressor");
  fails("multiclass_classifier", "", "'num_classes' is required for multiclass_classifier");
  fails("binary_classifier", " --hp normalize_label=true", "'normalize_label' applies to regressors only");
  fails("regressor", " --hp positive_example_weight_mult=2", "applies to binary_classifier only");
  fails("binary_classifier", " --hp positive_example_weight_mult=heavy", "positive_example_weight_mult");
  fails("binary_classifier", " --hp quantile=1", "'quantile'");
  fails("multiclass_classifier", " --hp num_classes=2", "'num_classes' of linear-learner must be >= 3");
  expect_failed_with(run_tern("train --algorithm linear-learner --quiet --train " + data + " --output-dir " +
                              (scratch_ / "none").string()),
                     "'predictor_type' is required");
  const auto three_classes = scratch_ / "three.csv";
  testing::write_text(three_classes, "0,1,2\n1,3,4\n2,5,6\n");
  expect_failed_with(run_tern(train_arguments(three_classes, scratch_ / "labels", "binary_classifier")), "label");
}

}  // namespace
}  // namespace tern
