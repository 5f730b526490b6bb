// gbdt end to end, through `tern train`, `tern predict` and `tern evaluate`:
//   - on real data with every feature value its own bin, the model is XGBoost 1.7.4's: the same
//     predictions on diabetes (reg:squarederror) and breast cancer (binary:logistic);
//   - 1, 2 and 3 ranks, and 1 and 2 threads, write byte-identical trees.json, with missing
//     values, sample weights, row and column subsampling, depthwise and lossguide, binary and
//     multiclass; and 7 ranks, more than the features, some holding no feature to search;
//   - subsampling with a seed is reproducible, and another seed gives other trees;
//   - early stopping keeps and records the best round; multiclass grows num_class trees a round;
//   - predict --output-margin and --pred-leaf give the margins and the leaves of the dump;
//   - bad hyperparameters fail clearly.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/data/dense_reader.h"
#include "core/data/hdf5_writer.h"
#include "core/data/sparse_reader.h"
#include "core/random/random.h"
#include "tests/launcher/tern_cli.h"
#include "tests/launcher/tree_problem.h"

namespace tern {
namespace {

using testing::expect_failed_with;
using testing::read_json;
using testing::read_text;
using testing::real_data;
using testing::run_tern;
using testing::run_tern_on_ranks;
using testing::ScratchFolder;
using testing::write_tree_problem;

// A run of XGBoost 1.7.4 (Debian's python3-xgboost, tree_method=hist) on a real data file:
// the rows it trained and tested on, its hyperparameters, and what it gave on the test rows.
struct XgboostRun {
  const char* file;
  std::int64_t train_rows, total_rows;  // rows [0, train_rows) train, the rest test
  const char* hyperparameters;
  const char* metric;
  double value, tolerance;                // the test metric
  std::vector<double> first_predictions;  // the first three test rows' predicted value or P(y=1)
  double prediction_tolerance;
};
//   diabetes: reg:squarederror, eta 0.1, max_depth 4, 50 rounds;
//   breast cancer: binary:logistic, max_bin 1024 (every distinct value a bin, in both), 50 rounds.
const XgboostRun kXgboostDiabetes = {"diabetes.csv", 342, 442, "--hp num_round=50 --hp eta=0.1 --hp max_depth=4",
                                     "rmse", 59.214602, 1e-4, {172.9918, 151.0269, 146.70035}, 2e-4};
const XgboostRun kXgboostBreastCancer = {"breast_cancer.csv", 450, 569,
                                         "--hp objective=binary:logistic --hp num_round=50 --hp max_bin=1024",
                                         "logloss", 0.0504273183949775, 1e-6,
                                         {0.99895799, 0.00071911071, 0.99277776}, 1e-6};

class GbdtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_tree_problem(train(), 3000, 2, 1);
    write_tree_problem(validation(), 800, 2, 2);
    write_tree_problem(scratch_ / "multi_train.h5", 3000, 4, 3);
    write_tree_problem(scratch_ / "multi_validation.h5", 800, 4, 4);
  }
  std::filesystem::path train() const { return scratch_ / "train.h5"; }
  std::filesystem::path validation() const { return scratch_ / "validation.h5"; }
  std::string arguments(const std::filesystem::path& job, const std::string& hyperparameters,
                        const std::string& data = "") const {
    const std::string channels = data.empty() ? "--train " + train().string() + " --validation " + validation().string() : data;
    return "train --algorithm gbdt --quiet " + channels + " --output-dir " + job.string() + " " + hyperparameters;
  }

  // Trains on the reference's rows and expects its test metric and first predictions.
  void expect_xgboosts_model(const XgboostRun& reference) {
    const auto data = real_data(reference.file);
    TERN_REQUIRE_REAL_DATA(data);
    const auto train_rows = scratch_ / "reference_train.csv", test_rows = scratch_ / "reference_test.csv";
    testing::write_rows(data, 0, reference.train_rows, train_rows);
    testing::write_rows(data, reference.train_rows, reference.total_rows, test_rows);
    const auto job = scratch_ / "reference";
    const auto result = run_tern(
        arguments(job, reference.hyperparameters, "--train " + train_rows.string() + " --test " + test_rows.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NEAR(testing::last_metric(job, std::string("test:") + reference.metric), reference.value, reference.tolerance);
    const auto predicted = run_tern("predict --model " + (job / "model").string() + " --data " + test_rows.string() +
                                    " --output " + (scratch_ / "p.csv").string());
    ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
    std::istringstream lines(read_text(scratch_ / "p.csv"));
    for (const double expected : reference.first_predictions) {
      std::string line;
      std::getline(lines, line);
      const auto comma = line.find(',');  // a classifier's line: label, P(y=1)
      EXPECT_NEAR(std::stod(comma == std::string::npos ? line : line.substr(comma + 1)), expected,
                  reference.prediction_tolerance);
    }
  }

  ScratchFolder scratch_;
};

TEST_F(GbdtTest, DiabetesRegressionIsXgboosts) { expect_xgboosts_model(kXgboostDiabetes); }

TEST_F(GbdtTest, BreastCancerClassifierIsXgboosts) { expect_xgboosts_model(kXgboostBreastCancer); }

TEST_F(GbdtTest, AnyNumberOfRanksAndThreadsWritesTheSameTrees) {
  const std::string multiclass = "--train " + (scratch_ / "multi_train.h5").string() + " --validation " +
                                 (scratch_ / "multi_validation.h5").string();
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"--hp objective=binary:logistic --hp num_round=12 --hp subsample=0.8 --hp colsample_bytree=0.8 "
       "--hp colsample_bynode=0.7 --hp max_bin=32 --hp seed=5 --hp eval_metric=auc",
       ""},
      {"--hp objective=multi:softprob --hp num_class=4 --hp num_round=6 --hp grow_policy=lossguide --hp max_depth=0 "
       "--hp max_leaves=12 --hp colsample_bylevel=0.6 --hp alpha=0.5 --hp gamma=0.1",
       multiclass},
      {"--hp objective=reg:absoluteerror --hp num_round=6 --hp subsample=0.7 --hp max_delta_step=0.3", ""},
  };
  for (const auto& [hyperparameters, data] : settings) {
    const auto reference = scratch_ / "one";
    std::filesystem::remove_all(reference);
    const auto single = run_tern(arguments(reference, hyperparameters, data), "OMP_NUM_THREADS=1");
    ASSERT_EQ(single.exit_code, 0) << single.output;
    const std::string expected = read_text(reference / "model" / "trees.json");
    ASSERT_GT(expected.size(), 1000u);
    const auto threads = scratch_ / "threads";
    std::filesystem::remove_all(threads);
    ASSERT_EQ(run_tern(arguments(threads, hyperparameters, data), "OMP_NUM_THREADS=2").exit_code, 0);
    EXPECT_EQ(read_text(threads / "model" / "trees.json"), expected) << hyperparameters << ": 2 threads";
    for (const int ranks : {2, 3}) {
      const auto job = scratch_ / std::to_string(ranks);
      std::filesystem::remove_all(job);
      const auto result = run_tern_on_ranks(ranks, arguments(job, hyperparameters, data), ranks == 2 ? "OMP_NUM_THREADS=2" : "");
      ASSERT_EQ(result.exit_code, 0) << result.output;
      EXPECT_EQ(read_text(job / "model" / "trees.json"), expected) << hyperparameters << ": " << ranks << " ranks";
    }
  }
}

TEST_F(GbdtTest, MoreRanksThanFeaturesWritesTheSameTrees) {
  // 6 features over 7 ranks: a rank holds no feature's sums and searches nothing, yet takes
  // part in every exchange.
  const std::string hyperparameters = "--hp objective=binary:logistic --hp num_round=4 --hp max_bin=32";
  const auto reference = scratch_ / "one";
  std::filesystem::remove_all(reference);
  ASSERT_EQ(run_tern(arguments(reference, hyperparameters, ""), "OMP_NUM_THREADS=1").exit_code, 0);
  const auto job = scratch_ / "seven";
  std::filesystem::remove_all(job);
  const auto result = run_tern_on_ranks(7, arguments(job, hyperparameters, ""), "OMP_NUM_THREADS=1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(read_text(job / "model" / "trees.json"), read_text(reference / "model" / "trees.json"));
}

// Every split of two dumps alike and every leaf within `tolerance`.
void expect_same_trees(const nlohmann::json& a, const nlohmann::json& b, double tolerance) {
  ASSERT_EQ(a.contains("leaf"), b.contains("leaf")) << a.dump() << "\n" << b.dump();
  if (a.contains("leaf")) {
    EXPECT_NEAR(a["leaf"].get<double>(), b["leaf"].get<double>(), tolerance);
    return;
  }
  EXPECT_EQ(a["split"], b["split"]);
  EXPECT_EQ(a["split_condition"], b["split_condition"]);
  EXPECT_EQ(a["missing"], b["missing"]);
  for (std::size_t child = 0; child < 2; ++child) expect_same_trees(a["children"][child], b["children"][child], tolerance);
}

TEST_F(GbdtTest, SparseRowsTreatAbsentEntriesAsMissingAndKeepZeros) {
  // The same rows as libsvm: NaNs left out, every other value (zeros too) written.
  const Dataset dense = load_dataset(train());
  SparseRows sparse;
  sparse.num_features = dense.num_features();
  for (std::int64_t r = 0; r < dense.rows(); ++r) {
    std::vector<std::int64_t> indices;
    std::vector<float> values;
    for (std::int64_t f = 0; f < dense.num_features(); ++f) {
      const float value = dense.features.data<float>()[r * dense.num_features() + f];
      if (std::isnan(value)) continue;
      indices.push_back(f);
      values.push_back(value);
    }
    sparse.add_row(dense.labels.data<float>()[r], indices, values);
  }
  write_sparse(sparse, scratch_ / "train.libsvm");
  write_hdf5(dense, scratch_ / "unweighted.h5");  // libsvm has no weights: compare without them
  const std::string hyperparameters = "--hp objective=binary:logistic --hp num_round=5";
  for (const auto& [name, data] : {std::pair{"sparse", scratch_ / "train.libsvm"}, std::pair{"unweighted", scratch_ / "unweighted.h5"}}) {
    const auto result = run_tern(arguments(scratch_ / name, hyperparameters, "--train " + data.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  EXPECT_EQ(read_text(scratch_ / "sparse" / "model" / "trees.json"),
            read_text(scratch_ / "unweighted" / "model" / "trees.json"));
  ASSERT_EQ(run_tern("predict --model " + (scratch_ / "sparse" / "model").string() + " --data " +
                     (scratch_ / "train.libsvm").string() + " --output " + (scratch_ / "sparse.csv").string())
                .exit_code,
            0);
  ASSERT_EQ(run_tern("predict --model " + (scratch_ / "sparse" / "model").string() + " --data " +
                     (scratch_ / "unweighted.h5").string() + " --output " + (scratch_ / "dense.csv").string())
                .exit_code,
            0);
  EXPECT_EQ(read_text(scratch_ / "sparse.csv"), read_text(scratch_ / "dense.csv"));
}

TEST_F(GbdtTest, AWeightOfTwoIsARowTwice) {
  // Rows 0-599 with weight 2 against the same rows written twice with weight 1.
  const Dataset rows = load_dataset(train(), 0, 600);
  Dataset doubled = allocate_dataset(1200, rows.num_features(), "doubled");
  for (std::int64_t copy = 0; copy < 2; ++copy) {
    std::copy_n(rows.features.data<float>(), rows.features.numel(), doubled.features.data<float>() + copy * rows.features.numel());
    std::copy_n(rows.labels.data<float>(), rows.rows(), doubled.labels.data<float>() + copy * rows.rows());
  }
  write_hdf5(rows, scratch_ / "weighted.h5", std::vector<float>(600, 2.0f));
  write_hdf5(doubled, scratch_ / "doubled.h5");
  const std::string hyperparameters = "--hp objective=binary:logistic --hp num_round=4 --hp max_depth=3";
  for (const std::string name : {"weighted", "doubled"})
    ASSERT_EQ(run_tern(arguments(scratch_ / name, hyperparameters, "--train " + (scratch_ / (name + ".h5")).string()))
                  .exit_code,
              0);
  const auto weighted = read_json(scratch_ / "weighted" / "model" / "trees.json")["trees"];
  const auto doubled_trees = read_json(scratch_ / "doubled" / "model" / "trees.json")["trees"];
  ASSERT_EQ(weighted.size(), doubled_trees.size());
  for (std::size_t t = 0; t < weighted.size(); ++t) expect_same_trees(weighted[t], doubled_trees[t], 1e-6);
}

TEST_F(GbdtTest, SubsamplingIsReproducibleBySeed) {
  const std::string sampled = "--hp objective=binary:logistic --hp num_round=5 --hp subsample=0.5 --hp colsample_bytree=0.5";
  std::vector<std::string> dumps;
  for (const std::string seed : {"1", "1", "2"}) {
    const auto job = scratch_ / ("seed" + std::to_string(dumps.size()));
    ASSERT_EQ(run_tern(arguments(job, sampled + " --hp seed=" + seed)).exit_code, 0);
    dumps.push_back(read_text(job / "model" / "trees.json"));
  }
  EXPECT_EQ(dumps[0], dumps[1]);
  EXPECT_NE(dumps[0], dumps[2]);
}

TEST_F(GbdtTest, EarlyStoppingKeepsTheBestRound) {
  const auto job = scratch_ / "early";
  // eta 1 and deep trees overfit the noisy labels within a few rounds.
  const auto result = run_tern(arguments(job, "--hp objective=binary:logistic --hp num_round=200 --hp eta=1 "
                                              "--hp max_depth=8 --hp min_child_weight=0 --hp eval_metric=error,logloss "
                                              "--hp early_stopping_rounds=4"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // The watched metric is the last one, logloss; find its best round among those recorded.
  std::istringstream lines(read_text(job / "metrics.jsonl"));
  std::vector<double> logloss;
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry.at("name") == "validation:logloss") logloss.push_back(entry.at("value"));
  }
  const auto best = std::min_element(logloss.begin(), logloss.end()) - logloss.begin();
  ASSERT_LT(logloss.size(), 200u) << "training should have stopped early";
  EXPECT_EQ(static_cast<std::int64_t>(logloss.size()), best + 1 + 4);
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description["gbdt"]["best_iteration"], best);
  EXPECT_EQ(description["gbdt"]["rounds"], best + 1);
  const auto trees = read_json(job / "model" / "trees.json");
  EXPECT_EQ(trees["trees"].size(), static_cast<std::size_t>(best + 1));
  EXPECT_EQ(trees["best_iteration"], best);
  // The saved model scores the validation rows as the best round did.
  const auto evaluated = run_tern("evaluate --model " + (job / "model").string() + " --data " + validation().string() +
                                  " --output " + (scratch_ / "m.json").string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_NEAR(read_json(scratch_ / "m.json")["logloss"].get<double>(), logloss[static_cast<std::size_t>(best)], 1e-6);
}

TEST_F(GbdtTest, MulticlassGrowsATreePerClassEachRound) {
  const auto job = scratch_ / "multi";
  const auto result = run_tern(arguments(job, "--hp objective=multi:softmax --hp num_class=4 --hp num_round=7",
                                         "--train " + (scratch_ / "multi_train.h5").string() + " --validation " +
                                             (scratch_ / "multi_validation.h5").string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(read_json(job / "model" / "trees.json")["trees"].size(), 28u);
  EXPECT_LT(testing::last_metric(job, "validation:mlogloss"), std::log(4.0));
}

TEST_F(GbdtTest, PredictGivesMarginsAndLeaves) {
  const auto job = scratch_ / "job";
  ASSERT_EQ(run_tern(arguments(job, "--hp objective=binary:logistic --hp num_round=4 --hp max_depth=3")).exit_code, 0);
  const std::string model = " --model " + (job / "model").string() + " --data " + validation().string() + " --output ";
  ASSERT_EQ(run_tern("predict" + model + (scratch_ / "p.csv").string()).exit_code, 0);
  ASSERT_EQ(run_tern("predict --output-margin" + model + (scratch_ / "m.csv").string()).exit_code, 0);
  ASSERT_EQ(run_tern("predict --pred-leaf" + model + (scratch_ / "l.csv").string()).exit_code, 0);
  const auto trees = read_json(job / "model" / "trees.json")["trees"];
  std::istringstream predictions(read_text(scratch_ / "p.csv")), margins(read_text(scratch_ / "m.csv")),
      leaves(read_text(scratch_ / "l.csv"));
  for (int row = 0; row < 50; ++row) {
    std::string prediction, margin, leaf_line;
    std::getline(predictions, prediction);
    std::getline(margins, margin);
    std::getline(leaves, leaf_line);
    const double probability = std::stod(prediction.substr(prediction.find(',') + 1));
    EXPECT_NEAR(1.0 / (1.0 + std::exp(-std::stod(margin))), probability, 1e-5);
    // The margin is the sum of the leaves the row reaches (base_score 0.5: margin 0).
    std::istringstream fields(leaf_line);
    double sum = 0.0;
    for (std::size_t t = 0; t < trees.size(); ++t) {
      std::string field;
      std::getline(fields, field, ',');
      const int leaf = std::stoi(field);
      std::vector<nlohmann::json> pending = {trees[t]};
      double value = std::nan("");
      while (!pending.empty()) {
        const nlohmann::json node = pending.back();
        pending.pop_back();
        if (node["nodeid"] == leaf) value = node.at("leaf");
        if (node.contains("children")) pending.insert(pending.end(), node["children"].begin(), node["children"].end());
      }
      ASSERT_FALSE(std::isnan(value)) << "row " << row << " tree " << t << " leaf " << leaf;
      sum += value;
    }
    EXPECT_NEAR(sum, std::stod(margin), 1e-5);
  }
}

TEST_F(GbdtTest, BadHyperparametersFailClearly) {
  const auto job = scratch_ / "bad";
  expect_failed_with(run_tern(arguments(job, "--hp objective=multi:softmax --hp num_round=2")),
                     "'num_class' (at least 2) is required for objective multi:softmax");
  expect_failed_with(run_tern(arguments(job, "--hp num_round=2 --hp max_bin=1")), "max_bin");
  expect_failed_with(run_tern(arguments(job, "--hp num_round=2 --hp max_bin=70000")), "max_bin");
  expect_failed_with(run_tern(arguments(job, "--hp num_round=2 --hp objective=binary:hinge")), "objective");
  expect_failed_with(run_tern(arguments(job, "--hp max_depth=3")), "'num_round'");
  expect_failed_with(run_tern(arguments(job, "--hp num_round=2 --hp eval_metric=merror")),
                     "'merror' does not apply to objective reg:squarederror");
  expect_failed_with(run_tern(arguments(job, "--hp num_round=2 --hp subsample=0")), "subsample");
  expect_failed_with(run_tern(arguments(job, "--hp num_round=2 --hp max_depth=0")), "lossguide");
  expect_failed_with(run_tern(arguments(job, "--hp num_round=2 --hp early_stopping_rounds=3", "--train " + train().string())),
                     "needs a validation channel");
  expect_failed_with(run_tern(arguments(job, "--hp objective=binary:logistic --hp num_round=2",
                                        "--train " + (scratch_ / "multi_train.h5").string())),
                     "must be 0 or 1");
}

}  // namespace
}  // namespace tern
