// knn end to end. The index is Fashion-MNIST's first 8,000 test images, the queries the other
// 2,000 (written as CSV by the test):
//   - L2, COSINE and INNER_PRODUCT give scikit-learn's neighbours and accuracy;
//   - 2 ranks and 3 ranks in pipe mode with odd chunks build bitwise the same index and give
//     the same validation metrics as 1 rank, sampled and with sign or fjlt reduction;
//   - sign and fjlt reduction to 64 of 784 dimensions keep most of the accuracy;
//   - the regressor averages the neighbours' labels (diabetes, against scikit-learn);
//   - `tern predict` and `tern evaluate` take the package and give the trained numbers;
//   - bad hyperparameters and labels fail clearly.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

#include "core/algorithms/knn.h"
#include "core/algorithms/registry.h"
#include "core/data/csv_writer.h"
#include "core/data/dense_reader.h"
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

// scikit-learn 1.2.1 on the same rows as float64: KNeighborsClassifier(n_neighbors=10,
// algorithm="brute", metric=...).fit(index).score(queries), and NearestNeighbors' kneighbors
// of the first three queries. INNER_PRODUCT by hand: numpy's argsort of −q·y (stable), the
// most frequent label of the 10 (np.bincount(...).argmax(), the smallest among equals).
struct Reference {
  const char* index_metric;
  double accuracy;
  std::vector<std::vector<std::int64_t>> neighbors;
};
const std::vector<Reference> kReferences = {
    {"L2",
     0.8105,
     {{5954, 2769, 1652, 2194, 2644, 5354, 5988, 3088, 3003, 7159},
      {7389, 3259, 5613, 4909, 4223, 1265, 1998, 425, 3393, 989},
      {5409, 6941, 6841, 1128, 7879, 614, 6448, 6885, 7388, 6822}}},
    {"COSINE",
     0.8035,
     {{2644, 5954, 1516, 3088, 5369, 1184, 3003, 2194, 2769, 3107},
      {1460, 1784, 3670, 5161, 5273, 5158, 4552, 4031, 6745, 7699},
      {5409, 2208, 5106, 2881, 55, 6941, 1717, 870, 461, 6841}}},
    {"INNER_PRODUCT",
     0.3675,
     {{231, 4003, 7967, 882, 2617, 2603, 4877, 2517, 7818, 4170},
      {2281, 3944, 1380, 5619, 53, 538, 1671, 994, 2617, 7729},
      {72, 4877, 1717, 870, 2082, 2617, 1350, 6213, 2603, 1973}}},
};

// scikit-learn 1.2.1: KNeighborsRegressor(n_neighbors=5, algorithm="brute") fit on the first
// 342 rows of diabetes.csv, predicting the other 100: RMSE and the first three predictions.
constexpr double kSklearnDiabetesRmse = 63.81855216157759;
const std::vector<double> kSklearnDiabetesPredictions = {179.6, 133.0, 117.8};

// Every validation metric of a job but the speed, by name.
std::map<std::string, double> validation_metrics(const std::filesystem::path& job) {
  std::map<std::string, double> metrics;
  std::istringstream lines(testing::read_text(job / "metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);
    const std::string name = entry.at("name");
    if (name.starts_with("validation:") && name != "validation:queries_per_second") metrics[name] = entry.at("value");
  }
  return metrics;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data<float>(), b.data<float>(), a.size_bytes()) == 0;
}

class KnnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto images = real_data("fashion-mnist/test.h5");
    TERN_REQUIRE_REAL_DATA(images);
    testing::write_rows(images, 0, 8000, index_csv());
    testing::write_rows(images, 8000, 10000, queries_csv());
  }

  std::filesystem::path index_csv() const { return scratch_ / "index.csv"; }
  std::filesystem::path queries_csv() const { return scratch_ / "queries.csv"; }
  std::string knn_arguments(const std::filesystem::path& job, const std::string& extra = "") const {
    return "train --algorithm knn --quiet --train " + index_csv().string() + " --validation " +
           queries_csv().string() + " --output-dir " + job.string() + " --hp k=10 --hp predictor_type=classifier" +
           extra;
  }

  ScratchFolder scratch_;
};

TEST_F(KnnTest, EachMetricGivesScikitLearnsNeighboursAndAccuracy) {
  const Dataset queries = load_dataset(queries_csv());
  for (const Reference& reference : kReferences) {
    const auto job = scratch_ / reference.index_metric;
    const auto result = run_tern(knn_arguments(job, std::string(" --hp index_metric=") + reference.index_metric));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_DOUBLE_EQ(testing::last_metric(job, "validation:multiclass_accuracy"), reference.accuracy) << reference.index_metric;
    const std::unique_ptr<Algorithm> model = load_model(job / "model");
    const std::vector<Neighbor> found = dynamic_cast<Knn&>(*model).neighbors(queries.features.rows(0, 3));
    for (std::size_t q = 0; q < 3; ++q) {
      std::vector<std::int64_t> rows;
      for (std::size_t j = 0; j < 10; ++j) rows.push_back(found[q * 10 + j].index);
      EXPECT_EQ(rows, reference.neighbors[q]) << reference.index_metric << " query " << q;
    }
  }
}

TEST_F(KnnTest, AnyNumberOfRanksBuildsTheSameIndexAndAnswers) {
  for (const std::string setting : {" --hp sample_size=5000 --hp seed=3", " --hp dimension_reduction_type=sign "
                                    "--hp dimension_reduction_target=64",
                                    " --hp dimension_reduction_type=fjlt --hp dimension_reduction_target=100 "
                                    "--hp index_metric=COSINE"}) {
    const auto reference = scratch_ / "one";
    std::filesystem::remove_all(reference);
    ASSERT_EQ(run_tern(knn_arguments(reference, setting), "OMP_NUM_THREADS=2").exit_code, 0);
    const ModelFile expected = read_model_file(reference / "model" / "model.h5");
    for (const int ranks : {2, 3}) {
      const auto job = scratch_ / std::to_string(ranks);
      std::filesystem::remove_all(job);
      const std::string ingestion = ranks == 3 ? " --ingestion pipe --hp mini_batch_size=777" : "";
      const auto result = run_tern_on_ranks(ranks, knn_arguments(job, setting + ingestion));
      ASSERT_EQ(result.exit_code, 0) << result.output;
      const ModelFile model = read_model_file(job / "model" / "model.h5");
      EXPECT_TRUE(same_bits(expected.tensor("knn/index"), model.tensor("knn/index"))) << setting << ", " << ranks;
      EXPECT_TRUE(same_bits(expected.tensor("knn/labels"), model.tensor("knn/labels"))) << setting << ", " << ranks;
      EXPECT_EQ(validation_metrics(job), validation_metrics(reference)) << setting << ", " << ranks << " ranks";
    }
  }
}

TEST_F(KnnTest, ReducedDimensionsKeepMostOfTheAccuracy) {
  for (const std::string type : {"sign", "fjlt"}) {
    const auto job = scratch_ / type;
    ASSERT_EQ(run_tern(knn_arguments(job, " --hp dimension_reduction_target=64 --hp dimension_reduction_type=" + type))
                  .exit_code,
              0);
    EXPECT_GE(testing::last_metric(job, "validation:multiclass_accuracy"), 0.77) << type;  // 0.8105 with all 784
    EXPECT_EQ(read_json(job / "job.json").at("knn").at("index_dimension"), 64);
  }
}

TEST_F(KnnTest, TheRegressorAveragesTheNeighboursLabels) {
  const auto diabetes = real_data("diabetes.csv");
  TERN_REQUIRE_REAL_DATA(diabetes);
  testing::write_rows(diabetes, 0, 342, scratch_ / "train.csv");
  testing::write_rows(diabetes, 342, 442, scratch_ / "test.csv");
  const auto job = scratch_ / "regressor";
  const auto result = run_tern("train --algorithm knn --quiet --train " + (scratch_ / "train.csv").string() +
                               " --test " + (scratch_ / "test.csv").string() + " --output-dir " + job.string() +
                               " --hp k=5 --hp predictor_type=regressor");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NEAR(testing::last_metric(job, "test:rmse"), kSklearnDiabetesRmse, 1e-4);
  const auto output = scratch_ / "predictions.csv";
  ASSERT_EQ(run_tern("predict --model " + (job / "model.tar.gz").string() + " --data " +
                     (scratch_ / "test.csv").string() + " --output " + output.string())
                .exit_code,
            0);
  std::istringstream lines(testing::read_text(output));
  for (const double expected : kSklearnDiabetesPredictions) {
    std::string line;
    std::getline(lines, line);
    EXPECT_NEAR(std::stod(line.substr(0, line.find(','))), expected, 1e-4) << line;
  }
}

TEST_F(KnnTest, PredictAndEvaluateTakeThePackage) {
  const auto job = scratch_ / "job";
  ASSERT_EQ(run_tern(knn_arguments(job)).exit_code, 0);
  const auto evaluated = run_tern("evaluate --model " + (job / "model.tar.gz").string() + " --data " +
                                  queries_csv().string() + " --output " + (scratch_ / "metrics.json").string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_DOUBLE_EQ(read_json(scratch_ / "metrics.json").at("multiclass_accuracy").get<double>(), 0.8105);
  const auto output = scratch_ / "predictions.csv";
  ASSERT_EQ(run_tern("predict --model " + (job / "model.tar.gz").string() + " --data " + queries_csv().string() +
                     " --output " + output.string())
                .exit_code,
            0);
  const Dataset queries = load_dataset(queries_csv());
  std::istringstream lines(testing::read_text(output));
  int right = 0, rows = 0;
  for (std::string line; std::getline(lines, line); ++rows)
    right += std::stoi(line.substr(0, line.find(','))) == static_cast<int>(queries.labels.data<float>()[rows]);
  EXPECT_EQ(rows, 2000);
  EXPECT_EQ(right, 1621);  // 0.8105 of 2,000
}

TEST_F(KnnTest, BadHyperparametersAndLabelsFailClearly) {
  const auto fails = [&](const std::string& extra, const std::string& message) {
    expect_failed_with(run_tern(knn_arguments(scratch_ / "bad", extra)), message);
    std::filesystem::remove_all(scratch_ / "bad");
  };
  fails(" --hp k=9000", "hyperparameter 'k' (9000) is larger than the sample (8000 rows)");
  fails(" --hp sample_size=5 --hp k=6", "hyperparameter 'k' (6) is larger than the sample (5 rows)");
  fails(" --hp sample_size=9000", "hyperparameter 'sample_size' (9000) is larger than the training set (8000 rows)");
  fails(" --hp index_metric=L1", "index_metric");
  fails(" --hp faiss_index_ivf_nlists=10", "Tern's knn index is exact");
  fails(" --hp dimension_reduction_target=10", "needs a dimension_reduction_type");
  fails(" --hp dimension_reduction_type=sign", "'dimension_reduction_target' is required");
  fails(" --hp dimension_reduction_type=fjlt --hp dimension_reduction_target=900", "dimension_reduction_target");
  expect_failed_with(run_tern("train --algorithm knn --quiet --train " + index_csv().string() + " --output-dir " +
                              (scratch_ / "none").string() + " --hp k=3"),
                     "'predictor_type' is required");
  const auto fractional = scratch_ / "fractional.csv";
  testing::write_text(fractional, "0,1,2\n1.5,3,4\n");
  expect_failed_with(run_tern("train --algorithm knn --quiet --train " + fractional.string() + " --output-dir " +
                              (scratch_ / "fractional").string() + " --hp k=1 --hp predictor_type=classifier"),
                     "has label 1.5; class labels must be 0, 1, 2, ...");
}

}  // namespace
}  // namespace tern
