// factorization-machines end to end on MovieLens (prepare-data.sh's libsvm export of the
// dslabs ratings: user and movie one-hot, genres multi-hot, a seeded 90/10 split):
//   - held-out RMSE well under the bias-only baseline (and the global mean's);
//   - replicated rows on 2 and 3 ranks train the model of 1 rank (up to float rounding), with
//     the gradients exchanged densely or as touched rows alike;
//   - HDF5 CSR input gives the libsvm input's model, and `tern evaluate` the trained RMSE;
//   - a binary classifier learns "rated 4 or more";
//   - bad hyperparameters and labels fail clearly.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

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

// Baselines on the same split, computed with numpy from the same libsvm files: the training
// ratings' mean predicts every test rating; bias-only predicts μ + b_user + b_movie, the biases
// fitted by 20 rounds of alternating regularised least squares, λ = 3 (the best of 1, 3, 5, 10,
// 25 on the test rows, so the baseline is at its best).
constexpr double kGlobalMeanRmse = 1.0516284533893008;
constexpr double kBiasOnlyRmse = 0.8798363839344617;

// SGD on batches of 64 with the decay per rating, as per-row SGD for FMs is usually run.
const std::string kTraining =
    " --hp optimizer=sgd --hp mini_batch_size=64 --hp bias_lr=0.15 --hp linear_lr=0.15 --hp factors_lr=0.15 "
    "--hp bias_wd=0 --hp linear_wd=0.05 --hp factors_wd=0.05 --hp factors_init_sigma=0.1 --hp num_factors=16";
const std::string kMovieLensSettings = kTraining + " --hp predictor_type=regressor --hp epochs=50";
const std::string kSettings = kTraining + " --hp predictor_type=regressor --hp epochs=2";
const std::string kBinarySettings = kTraining + " --hp predictor_type=binary_classifier --hp epochs=10";

class FactorizationMachinesTest : public ::testing::Test {
 protected:
  void SetUp() override { TERN_REQUIRE_REAL_DATA(real_data("movielens/train.libsvm")); }
  static std::string arguments(const std::filesystem::path& train, const std::filesystem::path& job,
                               const std::string& extra) {
    return "train --algorithm factorization-machines --quiet --train " + train.string() + " --output-dir " +
           job.string() + extra;
  }
  ScratchFolder scratch_;
};

TEST_F(FactorizationMachinesTest, MovieLensRmseIsWellUnderTheBiasOnlyBaseline) {
  const auto job = scratch_ / "movielens";
  const auto test = real_data("movielens/test.libsvm");
  const auto result = run_tern(arguments(real_data("movielens/train.libsvm"), job,
                                         kMovieLensSettings + " --validation " + test.string() + " --test " + test.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const double rmse = testing::last_metric(job, "test:rmse");
  // Measured: 0.8622 (bias-only 0.8798, global mean 1.0516).
  EXPECT_LT(rmse, kBiasOnlyRmse - 0.01) << "bias-only " << kBiasOnlyRmse << ", global mean " << kGlobalMeanRmse;
  const auto evaluated = run_tern("evaluate --model " + (job / "model.tar.gz").string() + " --data " + test.string() +
                                  " --output " + (scratch_ / "metrics.json").string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_NEAR(read_json(scratch_ / "metrics.json").at("rmse").get<double>(), rmse, 1e-9);
}

// The first 20,000 training ratings, for the runs that compare layouts.
std::filesystem::path small_train(const ScratchFolder& scratch, const std::string& extension) {
  const auto path = scratch / ("small" + extension);
  write_sparse(load_sparse(real_data("movielens/train.libsvm"), 0, 20000), path);
  return path;
}

TEST_F(FactorizationMachinesTest, ReplicatedRanksAndBothExchangesTrainTheOneRankModel) {
  const auto train = small_train(scratch_, ".libsvm");
  ASSERT_EQ(run_tern(arguments(train, scratch_ / "one", kSettings)).exit_code, 0);
  const ModelFile expected = read_model_file(scratch_ / "one" / "model" / "model.h5");
  for (const auto& [ranks, exchange] : std::vector<std::pair<int, std::string>>{{2, "dense"}, {2, "sparse"}, {3, "auto"}}) {
    const auto job = scratch_ / (std::to_string(ranks) + exchange);
    const auto result = run_tern_on_ranks(ranks, arguments(train, job, kSettings + " --hp gradient_exchange=" + exchange));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const ModelFile model = read_model_file(job / "model" / "model.h5");
    for (const char* name : {"fm/bias", "fm/linear", "fm/factors"}) {
      const Tensor& a = expected.tensor(name);
      const Tensor& b = model.tensor(name);
      double worst = 0;
      for (std::int64_t i = 0; i < a.numel(); ++i)
        worst = std::max(worst, std::abs(double(a.data<float>()[i]) - b.data<float>()[i]));
      EXPECT_LT(worst, 1e-4) << name << " on " << ranks << " ranks, " << exchange << " exchange";
    }
    const auto summary = read_json(job / "job.json").at("factorization_machines");
    if (exchange == "dense") {
      EXPECT_EQ(summary.at("sparse_exchange_steps"), 0);
    } else if (exchange == "sparse") {
      EXPECT_EQ(summary.at("dense_exchange_steps"), 0);
    }
  }
}

TEST_F(FactorizationMachinesTest, HdfCsrInputTrainsTheLibsvmModel) {
  const auto libsvm = small_train(scratch_, ".libsvm"), hdf5 = small_train(scratch_, ".h5");
  ASSERT_EQ(run_tern(arguments(libsvm, scratch_ / "libsvm", kSettings)).exit_code, 0);
  ASSERT_EQ(run_tern(arguments(hdf5, scratch_ / "hdf5", kSettings)).exit_code, 0);
  const ModelFile a = read_model_file(scratch_ / "libsvm" / "model" / "model.h5");
  const ModelFile b = read_model_file(scratch_ / "hdf5" / "model" / "model.h5");
  const Tensor& x = a.tensor("fm/factors");
  const Tensor& y = b.tensor("fm/factors");
  ASSERT_EQ(x.shape(), y.shape());
  EXPECT_EQ(std::memcmp(x.data<float>(), y.data<float>(), x.size_bytes()), 0);
}

TEST_F(FactorizationMachinesTest, BinaryClassifierLearnsHighRatings) {
  // "Rated 4 or more" as the label.
  const auto liked = [&](const std::filesystem::path& from, const std::string& name) {
    SparseRows rows = load_sparse(from);
    for (float& label : rows.labels) label = label >= 4.0f ? 1.0f : 0.0f;
    write_sparse(rows, scratch_ / name);
    return scratch_ / name;
  };
  const auto train = liked(real_data("movielens/train.libsvm"), "train.libsvm");
  const auto test = liked(real_data("movielens/test.libsvm"), "test.libsvm");
  const auto job = scratch_ / "binary";
  const auto result = run_tern(arguments(train, job, kBinarySettings + " --test " + test.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_GT(testing::last_metric(job, "test:roc_auc_score"), 0.75);
  EXPECT_GT(testing::last_metric(job, "test:binary_classification_accuracy"), 0.68);
}

TEST_F(FactorizationMachinesTest, BadHyperparametersAndLabelsFailClearly) {
  const auto train = real_data("movielens/test.libsvm");
  expect_failed_with(run_tern(arguments(train, scratch_ / "a", " --hp predictor_type=regressor")),
                     "'num_factors' is required");
  expect_failed_with(run_tern(arguments(train, scratch_ / "b", " --hp num_factors=4")), "'predictor_type' is required");
  expect_failed_with(run_tern(arguments(train, scratch_ / "c", " --hp num_factors=4 --hp predictor_type=regressor --hp feature_dim=10")),
                     "is smaller than the data's");
  expect_failed_with(run_tern(arguments(train, scratch_ / "d", " --hp num_factors=4 --hp predictor_type=binary_classifier")),
                     "(binary labels are 0 or 1)");
  expect_failed_with(run_tern(arguments(train, scratch_ / "e", " --hp num_factors=4 --hp predictor_type=regressor --hp factors_init_method=xavier")),
                     "factors_init_method");
}

}  // namespace
}  // namespace tern
