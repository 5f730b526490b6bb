// pca end to end on Fashion-MNIST's 10,000 test images (784 features):
//   - regular mode on 1 rank: orthonormal components, each with its largest entry positive, and
//     the explained variance and its ratio of scikit-learn's PCA on the same rows;
//   - 2 and 3 ranks give the same components (up to sign) and variances;
//   - randomized mode finds the same leading components;
//   - `tern predict` writes (x - μ) Wᵀ, `tern evaluate` the share of variance the components keep;
//   - bad hyperparameters fail clearly.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/data/dense_reader.h"
#include "core/io/model_file.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::real_data;
using testing::run_tern;
using testing::run_tern_on_ranks;
using testing::ScratchFolder;

// scikit-learn 1.2.1, PCA(n_components=10, svd_solver="full") on the features of
// fashion-mnist/test.h5 as float64 (prepare-data.sh's conversion of Fashion-MNIST's t10k images).
const std::vector<double> kSklearnExplainedVariance = {
    1288319.5247778122, 779197.6225377473, 265730.43854768656, 218669.76933454155, 169257.23458071463,
    152452.76424582512, 104674.41864858971, 83982.28146175697,  58343.4069426233,   57195.68413796806};
const std::vector<double> kSklearnExplainedVarianceRatio = {
    0.291669460612, 0.176406664577, 0.06016011726, 0.049505803838, 0.038319039156,
    0.034514586375, 0.023697794406, 0.019013192196, 0.013208671999, 0.012948832973};

std::string pca_arguments(const std::filesystem::path& job, const std::string& extra = "") {
  return "train --algorithm pca --quiet --train " + real_data("fashion-mnist/test.h5").string() + " --output-dir " +
         job.string() + " --hp num_components=10" + extra;
}

ModelFile trained(const std::filesystem::path& job) { return read_model_file(job / "model" / "model.h5"); }

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

// Every component of `a` is ± the same component of `b` (|cos| ≥ 1 - tolerance), in order.
void expect_same_components(const ModelFile& a, const ModelFile& b, double tolerance) {
  const Tensor& wa = a.tensor("pca/components");
  const Tensor& wb = b.tensor("pca/components");
  const std::int64_t d = wa.dim(1);
  for (std::int64_t c = 0; c < wa.dim(0); ++c) {
    double dot = 0, na = 0, nb = 0;
    for (std::int64_t j = 0; j < d; ++j) {
      const double x = wa.data<float>()[c * d + j], y = wb.data<float>()[c * d + j];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    EXPECT_GE(std::abs(dot) / std::sqrt(na * nb), 1.0 - tolerance) << "component " << c;
  }
}

class PcaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_REQUIRE_REAL_DATA(real_data("fashion-mnist/test.h5"));
    const auto result = run_tern(pca_arguments(regular()), "OMP_NUM_THREADS=1");
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  std::filesystem::path regular() const { return scratch_ / "regular"; }
  ScratchFolder scratch_;
};

TEST_F(PcaTest, MatchesScikitLearn) {
  const ModelFile model = trained(regular());
  // Orthonormal rows, each with its entry of largest magnitude positive.
  const Tensor& w = model.tensor("pca/components");
  for (std::int64_t a = 0; a < 10; ++a) {
    float largest = 0;
    for (std::int64_t j = 0; j < 784; ++j)
      if (std::abs(w.data<float>()[a * 784 + j]) > std::abs(largest)) largest = w.data<float>()[a * 784 + j];
    EXPECT_GT(largest, 0.0f) << "component " << a;
    for (std::int64_t b = 0; b < 10; ++b) {
      double dot = 0;
      for (std::int64_t j = 0; j < 784; ++j) dot += double(w.data<float>()[a * 784 + j]) * w.data<float>()[b * 784 + j];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-5) << a << "," << b;
    }
  }
  for (std::size_t c = 0; c < kSklearnExplainedVariance.size(); ++c) {
    EXPECT_LE(relative(model.tensor("pca/explained_variance").data<float>()[c], kSklearnExplainedVariance[c]), 1e-5)
        << c;
    EXPECT_LE(relative(model.tensor("pca/explained_variance_ratio").data<float>()[c], kSklearnExplainedVarianceRatio[c]),
              1e-5)
        << c;
  }
}

TEST_F(PcaTest, AnyNumberOfRanksGivesTheSameComponents) {
  const ModelFile reference = trained(regular());
  for (const int ranks : {2, 3}) {
    const auto job = scratch_ / ("ranks" + std::to_string(ranks));
    const auto result = run_tern_on_ranks(ranks, pca_arguments(job, " --ingestion " + std::string(ranks == 2 ? "file" : "pipe")));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const ModelFile model = trained(job);
    expect_same_components(reference, model, 1e-6);
    for (std::int64_t c = 0; c < 10; ++c)
      EXPECT_LE(relative(model.tensor("pca/explained_variance").data<float>()[c],
                         reference.tensor("pca/explained_variance").data<float>()[c]),
                1e-6);
  }
}

TEST_F(PcaTest, RandomizedModeFindsTheLeadingComponents) {
  const auto job = scratch_ / "randomized";
  const auto result = run_tern_on_ranks(2, pca_arguments(job, " --hp algorithm_mode=randomized --hp seed=3"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const ModelFile model = trained(job), reference = trained(regular());
  for (std::int64_t c = 0; c < 10; ++c)
    EXPECT_LE(relative(model.tensor("pca/explained_variance").data<float>()[c],
                       reference.tensor("pca/explained_variance").data<float>()[c]),
              1e-4)
        << c;
  expect_same_components(reference, model, 1e-4);
}

TEST_F(PcaTest, PredictProjectsAndEvaluateMeasuresTheKeptVariance) {
  const auto data = real_data("fashion-mnist/test.h5").string();
  const auto output = scratch_ / "projection.csv";
  const auto predicted = run_tern("predict --model " + (regular() / "model.tar.gz").string() + " --data " + data +
                                  " --output " + output.string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  // The first row's projection against (x - μ) Wᵀ computed here from the model file.
  std::istringstream lines(testing::read_text(output));
  std::string first_line;
  std::getline(lines, first_line);
  std::vector<double> written;
  std::istringstream fields(first_line);
  for (std::string field; std::getline(fields, field, ',');) written.push_back(std::stod(field));
  ASSERT_EQ(written.size(), 10u);
  const ModelFile model = trained(regular());
  const Dataset rows = load_dataset(data, 0, 1);
  const Tensor& mean = model.tensor("pca/mean");
  const Tensor& w = model.tensor("pca/components");
  for (std::int64_t c = 0; c < 10; ++c) {
    double z = 0;
    for (std::int64_t j = 0; j < 784; ++j)
      z += (double(rows.features.data<float>()[j]) - mean.data<float>()[j]) * w.data<float>()[c * 784 + j];
    EXPECT_NEAR(written[static_cast<std::size_t>(c)], z, 1e-3 * std::max(1.0, std::abs(z))) << c;
  }
  // On its own training rows, the share of variance kept is the components' explained ratios' sum.
  const auto evaluated = run_tern("evaluate --model " + (regular() / "model").string() + " --data " + data +
                                  " --output " + (scratch_ / "metrics.json").string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  double kept = 0;
  for (const double ratio : kSklearnExplainedVarianceRatio) kept += ratio;
  EXPECT_NEAR(testing::read_json(scratch_ / "metrics.json").at("explained_variance_ratio").get<double>(), kept, 1e-4);
}

TEST_F(PcaTest, BadHyperparametersFailClearly) {
  testing::expect_failed_with(run_tern(pca_arguments(scratch_ / "too-many", " --hp num_components=785")),
                              "'num_components' (785) is larger than the number of features (784)");
  testing::expect_failed_with(
      run_tern("train --algorithm pca --quiet --train " + real_data("fashion-mnist/test.h5").string() +
               " --output-dir " + (scratch_ / "none").string()),
      "'num_components' is required");
  testing::expect_failed_with(run_tern(pca_arguments(scratch_ / "mode", " --hp algorithm_mode=fast")),
                              "algorithm_mode");
  testing::expect_failed_with(run_tern(pca_arguments(scratch_ / "dim", " --hp feature_dim=100")),
                              "'feature_dim' (100) does not match the data's 784 features");
}

}  // namespace
}  // namespace tern
