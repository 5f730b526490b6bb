// decision-tree, random-forest and adaboost end to end, through `tern train` and `tern predict`:
//   - on real data with every feature value its own bin, a decision tree is scikit-learn 1.2.1's
//     (the same impurity decrease per feature: entropy and Gini on breast cancer, mse on
//     diabetes, and the same predictions), and AdaBoost is its SAMME (the same tree weights and
//     test accuracy);
//   - a random forest on digits scores within scikit-learn's seed-to-seed spread, in test and
//     out-of-bag accuracy;
//   - 1, 2 and 3 ranks, and 1 and 2 threads, write byte-identical trees.json for all three, with
//     missing values, sample weights, bootstrap and max_features draws;
//   - the bootstrap is reproducible by seed; a forest's margins are its mean class probabilities;
//   - bad hyperparameters and labels fail clearly.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

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

class CartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_tree_problem(train(), 3000, 2, 1);
    write_tree_problem(scratch_ / "multi_train.h5", 3000, 4, 3);
    write_tree_problem(scratch_ / "multi_test.h5", 800, 4, 4);
  }
  std::filesystem::path train() const { return scratch_ / "train.h5"; }
  static std::string arguments(const std::string& algorithm, const std::filesystem::path& job, const std::string& data,
                               const std::string& hyperparameters) {
    return "train --algorithm " + algorithm + " --quiet " + data + " --output-dir " + job.string() + " " + hyperparameters;
  }

  // Splits a real data file into its first `train_rows` rows and the rest; returns the channels.
  std::string real_channels(const std::string& file, std::int64_t train_rows, std::int64_t total_rows) {
    const auto data = real_data(file);
    const auto train_rows_file = scratch_ / (file + ".train.csv"), test_rows_file = scratch_ / (file + ".test.csv");
    testing::write_rows(data, 0, train_rows, train_rows_file);
    testing::write_rows(data, train_rows, total_rows, test_rows_file);
    return "--train " + train_rows_file.string() + " --test " + test_rows_file.string();
  }

  ScratchFolder scratch_;
};

// Each feature's share of the tree's total impurity decrease (scikit-learn's
// feature_importances_) from a trees.json.
std::map<std::string, double> impurity_shares(const nlohmann::json& trees) {
  std::map<std::string, double> shares;
  double total = 0.0;
  for (const auto& [feature, gain] : trees["feature_importance"]["total_gain"].items()) total += gain.get<double>();
  for (const auto& [feature, gain] : trees["feature_importance"]["total_gain"].items())
    shares[feature] = gain.get<double>() / total;
  return shares;
}

// scikit-learn 1.2.1's DecisionTree{Classifier,Regressor}(max_depth=...) on the same rows, with
// no tied splits (the same tree for every random_state): its nonzero feature_importances_.
struct SklearnTree {
  const char* file;
  std::int64_t train_rows, total_rows;
  const char* hyperparameters;
  std::map<std::string, double> importances;
};
const SklearnTree kEntropyBreastCancer = {
    "breast_cancer.csv", 450, 569, "--hp criterion=entropy --hp max_depth=3",
    {{"f13", 0.0226869236}, {"f21", 0.0256098855}, {"f22", 0.7887483858}, {"f24", 0.0671185935}, {"f27", 0.0958362116}}};
const SklearnTree kGiniBreastCancer = {"breast_cancer.csv", 450, 569, "--hp criterion=gini --hp max_depth=2",
                                       {{"f22", 0.9189311825}, {"f24", 0.0810688175}}};
const SklearnTree kMseDiabetes = {"diabetes.csv", 342, 442, "--hp criterion=mse --hp max_depth=3",
                                  {{"f2", 0.2114315341}, {"f3", 0.1077653357}, {"f5", 0.0103369652},
                                   {"f6", 0.0376581989}, {"f8", 0.5707321348}, {"f9", 0.0620758314}}};

TEST_F(CartTest, DecisionTreesAreScikitLearns) {
  for (const SklearnTree& reference : {kEntropyBreastCancer, kGiniBreastCancer, kMseDiabetes}) {
    TERN_REQUIRE_REAL_DATA(real_data(reference.file));
    const auto job = scratch_ / "tree";
    std::filesystem::remove_all(job);
    const auto result = run_tern(arguments("decision-tree", job,
                                           real_channels(reference.file, reference.train_rows, reference.total_rows),
                                           std::string(reference.hyperparameters) + " --hp max_bin=1024"));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const std::map<std::string, double> shares = impurity_shares(read_json(job / "model" / "trees.json"));
    ASSERT_EQ(shares.size(), reference.importances.size()) << reference.hyperparameters;
    for (const auto& [feature, share] : reference.importances)
      EXPECT_NEAR(shares.at(feature), share, 1e-6) << reference.hyperparameters << " " << feature;
  }
  // The regression tree's leaves are scikit-learn's means: its first three test predictions.
  const auto predicted = run_tern("predict --model " + (scratch_ / "tree" / "model").string() + " --data " +
                                  (scratch_ / "diabetes.csv.test.csv").string() + " --output " +
                                  (scratch_ / "p.csv").string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  std::istringstream lines(read_text(scratch_ / "p.csv"));
  for (const double expected : {160.5294117647, 160.5294117647, 117.5212765957}) {
    std::string line;
    std::getline(lines, line);
    EXPECT_NEAR(std::stod(line), expected, 1e-4);
  }
}

TEST_F(CartTest, AdaBoostIsScikitLearnsSamme) {
  TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv"));
  // AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=50, algorithm="SAMME"):
  // its test accuracy and its first estimator weights over their sum.
  const auto job = scratch_ / "adaboost";
  const auto result = run_tern(arguments("adaboost", job, real_channels("breast_cancer.csv", 450, 569),
                                         "--hp num_rounds=50 --hp max_bin=1024"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NEAR(testing::last_metric(job, "test:accuracy"), 0.9663865546218487, 1e-9);
  const auto weights = read_json(job / "model" / "trees.json")["tree_weights"];
  ASSERT_EQ(weights.size(), 50u);
  const std::vector<double> expected = {0.06230894, 0.0400479, 0.04010375, 0.02971397,
                                        0.0249014,  0.02138789, 0.02815334, 0.02030332};
  for (std::size_t t = 0; t < expected.size(); ++t) EXPECT_NEAR(weights[t].get<double>(), expected[t], 1e-7) << t;
}

TEST_F(CartTest, RandomForestScoresAsScikitLearnsDoes) {
  TERN_REQUIRE_REAL_DATA(real_data("digits.csv"));
  // RandomForestClassifier(n_estimators=100, max_depth=10, oob_score=True), random_state 0-4:
  // test accuracy 0.9214 ± 0.0079, out-of-bag accuracy 0.9724 ± 0.0017.
  const auto job = scratch_ / "forest";
  const auto result = run_tern(arguments("random-forest", job, real_channels("digits.csv", 1400, 1797),
                                         "--hp num_trees=100 --hp max_depth=10"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NEAR(testing::last_metric(job, "test:accuracy"), 0.9214, 3 * 0.0079);
  EXPECT_NEAR(testing::last_metric(job, "train:oob_accuracy"), 0.9724, 0.01);
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description["random-forest"]["trees"], 100);
  EXPECT_EQ(description["random-forest"]["oob_rows"], 1400);  // every row sat out of some tree
}

TEST_F(CartTest, AnyNumberOfRanksAndThreadsWritesTheSameTrees) {
  const std::string binary = "--train " + train().string();
  const std::string multiclass = "--train " + (scratch_ / "multi_train.h5").string();
  const std::vector<std::tuple<std::string, std::string, std::string>> settings = {
      {"decision-tree", binary, "--hp criterion=entropy --hp max_depth=6 --hp max_features=4 --hp min_samples_leaf=5 --hp max_bin=64"},
      {"decision-tree", binary, "--hp criterion=mse --hp max_depth=5 --hp min_samples_split=40"},
      {"random-forest", multiclass, "--hp num_trees=4 --hp max_depth=5 --hp seed=3"},
      {"adaboost", multiclass, "--hp num_rounds=5 --hp max_depth=2 --hp learning_rate=0.5"},
  };
  for (const auto& [algorithm, data, hyperparameters] : settings) {
    const auto reference = scratch_ / "one";
    std::filesystem::remove_all(reference);
    const auto single = run_tern(arguments(algorithm, reference, data, hyperparameters), "OMP_NUM_THREADS=1");
    ASSERT_EQ(single.exit_code, 0) << single.output;
    const std::string expected = read_text(reference / "model" / "trees.json");
    ASSERT_GT(expected.size(), 1000u);
    const auto threads = scratch_ / "threads";
    std::filesystem::remove_all(threads);
    ASSERT_EQ(run_tern(arguments(algorithm, threads, data, hyperparameters), "OMP_NUM_THREADS=2").exit_code, 0);
    EXPECT_EQ(read_text(threads / "model" / "trees.json"), expected) << algorithm << " " << hyperparameters << ": 2 threads";
    for (const int ranks : {2, 3}) {
      const auto job = scratch_ / std::to_string(ranks);
      std::filesystem::remove_all(job);
      const auto result = run_tern_on_ranks(ranks, arguments(algorithm, job, data, hyperparameters),
                                            ranks == 2 ? "OMP_NUM_THREADS=2" : "");
      ASSERT_EQ(result.exit_code, 0) << result.output;
      EXPECT_EQ(read_text(job / "model" / "trees.json"), expected)
          << algorithm << " " << hyperparameters << ": " << ranks << " ranks";
    }
  }
}

TEST_F(CartTest, TheBootstrapIsReproducibleBySeed) {
  std::vector<std::string> dumps;
  for (const std::string seed : {"1", "1", "2"}) {
    const auto job = scratch_ / ("seed" + std::to_string(dumps.size()));
    ASSERT_EQ(run_tern(arguments("random-forest", job, "--train " + train().string(),
                                 "--hp num_trees=3 --hp max_depth=4 --hp seed=" + seed))
                  .exit_code,
              0);
    dumps.push_back(read_text(job / "model" / "trees.json"));
  }
  EXPECT_EQ(dumps[0], dumps[1]);
  EXPECT_NE(dumps[0], dumps[2]);
}

TEST_F(CartTest, AForestsMarginsAreItsMeanClassProbabilities) {
  const auto job = scratch_ / "forest";
  ASSERT_EQ(run_tern(arguments("random-forest", job,
                               "--train " + (scratch_ / "multi_train.h5").string() + " --test " +
                                   (scratch_ / "multi_test.h5").string(),
                               "--hp num_trees=8 --hp max_depth=6"))
                .exit_code,
            0);
  EXPECT_GT(testing::last_metric(job, "test:accuracy"), 0.5);  // 4 classes: chance is about 0.25
  const auto margins = scratch_ / "margins.csv";
  const auto result = run_tern("predict --model " + (job / "model").string() + " --data " +
                               (scratch_ / "multi_test.h5").string() + " --output-margin --output " + margins.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::istringstream lines(read_text(margins));
  std::int64_t rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    std::istringstream fields(line);
    double total = 0.0;
    for (std::string field; std::getline(fields, field, ',');) total += std::stod(field);
    EXPECT_NEAR(total, 1.0, 1e-5) << line;
  }
  EXPECT_EQ(rows, 800);
}

TEST_F(CartTest, BadHyperparametersAndLabelsFailClearly) {
  const std::string data = "--train " + (scratch_ / "multi_train.h5").string();
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"decision-tree", "--hp criterion=variance", "criterion"},
      {"decision-tree", "--hp max_features=0", "max_features"},
      {"decision-tree", "--hp max_features=1.5", "max_features"},
      {"random-forest", "--hp max_features=cube", "max_features"},
      {"random-forest", "--hp bootstrap=false --hp oob_score=true", "oob_score"},
      {"adaboost", "--hp criterion=mse", "classifier"},
      {"decision-tree", "--hp num_classes=3", "must be a class in [0, 3)"},
  };
  for (const auto& [algorithm, hyperparameters, message] : cases) {
    const auto job = scratch_ / "bad";
    std::filesystem::remove_all(job);
    expect_failed_with(run_tern(arguments(algorithm, job, data, hyperparameters)), message);
  }
}

}  // namespace
}  // namespace tern
