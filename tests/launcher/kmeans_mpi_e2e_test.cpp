// kmeans end to end:
//   - on Fashion-MNIST's 10,000 test images, k = 10 from seeded random rows: the same initial
//     rows, iterations and inertia as scikit-learn's Lloyd from those rows;
//   - 2 ranks and 3 ranks in pipe mode with odd chunks give bitwise the same centres as 1 rank
//     with 2 threads, for random and for kmeans++ initial centres;
//   - `tern predict` writes each row's cluster and distance, `tern evaluate` msd and ssd;
//   - on non-integer data (breast cancer) 3 ranks agree with 1 rank up to float64 rounding;
//   - kmeans++ never draws a row that is a centre already;
//   - a cluster left empty restarts at the farthest row;
//   - mini-batch mode comes within 3% of Lloyd's inertia, and gives the same centres on 1, 2
//     and 3 ranks;
//   - bad hyperparameters fail clearly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "core/io/model_file.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::read_json;
using testing::real_data;
using testing::run_tern;
using testing::run_tern_on_ranks;
using testing::ScratchFolder;

// scikit-learn 1.2.1: KMeans(n_clusters=10, init=X[rows], n_init=1, algorithm="lloyd",
// max_iter=300, tol=1e-4).fit(X) on the float64 features of fashion-mnist/test.h5, with `rows`
// the initial rows Tern draws with seed 0 (kInitialRows): inertia_ and n_iter_.
const std::vector<std::int64_t> kInitialRows = {7531, 1251, 253, 7401, 2495, 1388, 2448, 3549, 242, 164};
constexpr double kSklearnInertia = 20812076162.14945;
constexpr int kSklearnIterations = 67;

std::string kmeans_arguments(const std::filesystem::path& job, const std::string& extra = "") {
  return "train --algorithm kmeans --quiet --train " + real_data("fashion-mnist/test.h5").string() + " --output-dir " +
         job.string() + " --hp k=10" + extra;
}

Tensor centers_of(const std::filesystem::path& job) {
  return read_model_file(job / "model" / "model.h5").tensor("kmeans/centers").clone();
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data<float>(), b.data<float>(), a.size_bytes()) == 0;
}

class KMeansTest : public ::testing::Test {
 protected:
  void SetUp() override { TERN_REQUIRE_REAL_DATA(real_data("fashion-mnist/test.h5")); }
  ScratchFolder scratch_;
};

TEST_F(KMeansTest, MatchesScikitLearnFromTheSameInitialRows) {
  const auto job = scratch_ / "one";
  const auto result = run_tern(kmeans_arguments(job), "OMP_NUM_THREADS=1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description.at("kmeans_initial_rows").get<std::vector<std::int64_t>>(), kInitialRows);
  EXPECT_EQ(description.at("kmeans").at("iterations"), kSklearnIterations);
  EXPECT_EQ(description.at("kmeans").at("converged"), true);
  EXPECT_NEAR(description.at("kmeans").at("ssd").get<double>(), kSklearnInertia, 1e-9 * kSklearnInertia);
}

TEST_F(KMeansTest, AnyNumberOfRanksGivesTheSameCentres) {
  for (const std::string init : {"random", "kmeans++"}) {
    const std::string hyperparameters = " --hp init_method=" + init + " --hp seed=4";
    const auto reference = scratch_ / (init + "-one");
    ASSERT_EQ(run_tern(kmeans_arguments(reference, hyperparameters), "OMP_NUM_THREADS=2").exit_code, 0);  // threads: no matter
    const Tensor expected = centers_of(reference);
    for (const int ranks : {2, 3}) {
      const auto job = scratch_ / (init + "-" + std::to_string(ranks));
      const std::string ingestion = ranks == 3 ? " --ingestion pipe --hp mini_batch_size=777" : "";
      const auto result = run_tern_on_ranks(ranks, kmeans_arguments(job, hyperparameters + ingestion));
      ASSERT_EQ(result.exit_code, 0) << result.output;
      EXPECT_TRUE(same_bits(expected, centers_of(job))) << init << " on " << ranks << " ranks";
      EXPECT_EQ(read_json(job / "job.json").at("kmeans_initial_rows"),
                read_json(reference / "job.json").at("kmeans_initial_rows"));
    }
  }
}

TEST_F(KMeansTest, NonIntegerDataOnThreeRanksMatchesOneRank) {
  // Breast cancer's features are not integers: the float64 sums round, in an order that depends
  // on the ranks' rows, so the centres agree up to that rounding.
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  const std::string arguments = " --algorithm kmeans --quiet --train " + data.string() + " --hp k=3 --hp mini_batch_size=100";
  ASSERT_EQ(run_tern("train" + arguments + " --output-dir " + (scratch_ / "one").string()).exit_code, 0);
  const auto three = run_tern_on_ranks(3, "train" + arguments + " --output-dir " + (scratch_ / "three").string());
  ASSERT_EQ(three.exit_code, 0) << three.output;
  const Tensor a = centers_of(scratch_ / "one"), b = centers_of(scratch_ / "three");
  double difference = 0, scale = 0;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    difference = std::max(difference, std::abs(double(a.data<float>()[i]) - b.data<float>()[i]));
    scale = std::max(scale, std::abs(double(a.data<float>()[i])));
  }
  EXPECT_LE(difference / scale, 1e-6);
  EXPECT_EQ(read_json(scratch_ / "one" / "job.json").at("kmeans").at("iterations"),
            read_json(scratch_ / "three" / "job.json").at("kmeans").at("iterations"));
}

TEST_F(KMeansTest, KMeansPlusPlusNeverDrawsARowThatIsACentreAlready) {
  // Five copies of (0, 0) and one (9, 9): after a first centre, only one row has weight.
  const auto data = scratch_ / "duplicates.csv";
  testing::write_text(data, "1,0,0\n1,0,0\n1,0,0\n1,0,0\n1,0,0\n1,9,9\n");
  for (int seed = 0; seed < 10; ++seed) {
    const auto job = scratch_ / ("seed" + std::to_string(seed));
    ASSERT_EQ(run_tern("train --algorithm kmeans --quiet --train " + data.string() + " --output-dir " + job.string() +
                       " --hp k=2 --hp init_method=kmeans++ --hp seed=" + std::to_string(seed))
                  .exit_code,
              0);
    const auto rows = read_json(job / "job.json").at("kmeans_initial_rows").get<std::vector<std::int64_t>>();
    EXPECT_TRUE(rows[0] == 5 || rows[1] == 5) << "seed " << seed << ": rows " << rows[0] << ", " << rows[1];
  }
}

TEST_F(KMeansTest, PredictGivesClustersAndDistancesAndEvaluateTheScores) {
  const auto job = scratch_ / "job";
  ASSERT_EQ(run_tern(kmeans_arguments(job, " --hp max_iter=20")).exit_code, 0);
  const auto data = real_data("fashion-mnist/test.h5").string();
  const auto output = scratch_ / "clusters.csv";
  const auto predicted = run_tern("predict --model " + (job / "model.tar.gz").string() + " --data " + data +
                                  " --output " + output.string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  std::istringstream lines(testing::read_text(output));
  double ssd = 0;
  int rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    const auto comma = line.find(',');
    const int cluster = std::stoi(line.substr(0, comma));
    EXPECT_TRUE(cluster >= 0 && cluster < 10) << line;
    ssd += std::pow(std::stod(line.substr(comma + 1)), 2);
  }
  EXPECT_EQ(rows, 10000);
  const auto evaluated = run_tern("evaluate --model " + (job / "model").string() + " --data " + data + " --output " +
                                  (scratch_ / "metrics.json").string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const auto metrics = read_json(scratch_ / "metrics.json");
  const double trained_ssd = read_json(job / "job.json").at("kmeans").at("ssd");
  EXPECT_NEAR(metrics.at("ssd").get<double>(), trained_ssd, 1e-6 * trained_ssd);  // the centres stored as float32
  EXPECT_NEAR(metrics.at("msd").get<double>(), metrics.at("ssd").get<double>() / 10000, 1e-6);
  EXPECT_NEAR(ssd, trained_ssd, 1e-5 * trained_ssd);  // from the printed distances
}

TEST_F(KMeansTest, AnEmptyClusterRestartsAtTheFarthestRow) {
  // Five copies of (0, 0) and one (9, 9): seed 0 draws rows 2 and 1, two equal centres, so the
  // second gets no row (ties go to the lower cluster) and must move to (9, 9).
  const auto data = scratch_ / "duplicates.csv";
  testing::write_text(data, "1,0,0\n1,0,0\n1,0,0\n1,0,0\n1,0,0\n1,9,9\n");
  const auto job = scratch_ / "empty";
  const auto result = run_tern("train --algorithm kmeans --quiet --train " + data.string() + " --output-dir " +
                               job.string() + " --hp k=2 --hp seed=0");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(testing::read_text(job / "logs" / "rank-0.log").find("cluster 1 was empty; it restarts at row 5"),
            std::string::npos);
  EXPECT_EQ(read_json(job / "job.json").at("kmeans").at("ssd"), 0.0);
  const Tensor centers = centers_of(job);
  EXPECT_EQ(centers.data<float>()[2], 9.0f);
  EXPECT_EQ(centers.data<float>()[3], 9.0f);
}

TEST_F(KMeansTest, BadHyperparametersFailClearly) {
  testing::expect_failed_with(run_tern(kmeans_arguments(scratch_ / "k", " --hp k=10001")),
                              "'k' (10001) is larger than the training set (10000 rows)");
  testing::expect_failed_with(run_tern("train --algorithm kmeans --quiet --train " +
                                       real_data("fashion-mnist/test.h5").string() + " --output-dir " +
                                       (scratch_ / "none").string()),
                              "'k' is required");
  testing::expect_failed_with(run_tern(kmeans_arguments(scratch_ / "init", " --hp init_method=forgy")), "init_method");
  testing::expect_failed_with(run_tern(kmeans_arguments(scratch_ / "mode", " --hp algorithm_mode=lloyd --hp epochs=2")),
                              "apply to algorithm_mode mini_batch");
  testing::expect_failed_with(run_tern(kmeans_arguments(scratch_ / "iter", " --hp epochs=2 --hp max_iter=5")),
                              "'max_iter' and 'tol' apply to algorithm_mode lloyd");
  testing::expect_failed_with(run_tern(kmeans_arguments(scratch_ / "extra", " --hp extra_center_factor=1001")),
                              "k x extra_center_factor (10010) is larger than the training set (10000 rows)");
}

// Mini-batch mode: 3 epochs of batches of 500 rows into 40 centres, reduced to 10 by a weighted
// local Lloyd from kmeans++ starts.
const std::string kMiniBatchSettings =
    " --hp epochs=3 --hp mini_batch_size=500 --hp extra_center_factor=4 --hp init_method=kmeans++ "
    "--hp local_lloyd_num_trials=3";

TEST_F(KMeansTest, MiniBatchModeComesCloseToLloyd) {
  const auto job = scratch_ / "mini-batch";
  const auto result = run_tern(kmeans_arguments(job, kMiniBatchSettings));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto summary = read_json(job / "job.json").at("kmeans");
  EXPECT_EQ(summary.at("algorithm_mode"), "mini_batch");
  EXPECT_EQ(summary.at("steps"), 3 * 20);
  EXPECT_EQ(summary.at("centers_before_reduction"), 40);
  EXPECT_EQ(read_json(job / "job.json").at("kmeans_initial_rows").size(), 40u);
  // Within 3% of the inertia scikit-learn's Lloyd reaches to convergence from random rows.
  EXPECT_LT(summary.at("ssd").get<double>(), 1.03 * kSklearnInertia);
  EXPECT_EQ(testing::count_metric_records(job / "metrics.jsonl", "train:batch_msd"), 3);
}

TEST_F(KMeansTest, MiniBatchModeOnTwoAndThreeRanksGivesTheOneRankCentres) {
  // Replicated rows: the ranks take slices of the same global batches. The pixel sums are exact,
  // so the centres agree bitwise.
  const auto reference = scratch_ / "one";
  ASSERT_EQ(run_tern(kmeans_arguments(reference, kMiniBatchSettings)).exit_code, 0);
  for (const int ranks : {2, 3}) {
    const auto job = scratch_ / std::to_string(ranks);
    const std::string ingestion = ranks == 3 ? " --ingestion pipe" : "";
    const auto result = run_tern_on_ranks(ranks, kmeans_arguments(job, kMiniBatchSettings + ingestion));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_TRUE(same_bits(centers_of(reference), centers_of(job))) << ranks << " ranks";
  }
}

}  // namespace
}  // namespace tern
