#include "core/algorithms/pca.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>

#include "core/algorithms/eigen_matrices.h"
#include "core/algorithms/evaluation.h"
#include "core/algorithms/hyperparameters.h"
#include "core/data/dense_reader.h"
#include "core/data/row_shard.h"
#include "core/data/validation.h"
#include "core/random/random.h"

namespace tern {

namespace {

constexpr int kSubspaceIterations = 4;  // randomized mode: products with C after the first

struct PcaConfig {
  std::int64_t num_components = 0;
  bool randomized = false;
  bool subtract_mean = true;
  std::int64_t extra_components = 0;  // randomized: the subspace has num_components + this columns
  std::int64_t chunk_rows = 1000;     // rows read at a time (mini_batch_size)
  std::uint64_t seed = 0;
};

PcaConfig read_hyperparameters(HyperparameterReader& read, std::int64_t features) {
  PcaConfig config;
  TERN_CHECK(read.given("num_components"), "hyperparameter 'num_components' is required for pca");
  config.num_components = read.integer("num_components", 1, Range::at_least(1));
  TERN_CHECK(config.num_components <= features, "hyperparameter 'num_components' (", config.num_components,
             ") is larger than the number of features (", features, ")");
  const std::int64_t feature_dim = read.integer("feature_dim", features, Range::at_least(1));
  TERN_CHECK(feature_dim == features, "hyperparameter 'feature_dim' (", feature_dim, ") does not match the data's ",
             features, " features");
  config.randomized = read.choice("algorithm_mode", "regular", {"regular", "randomized"}) == "randomized";
  config.subtract_mean = read.boolean("subtract_mean", true);
  // The service's default, -1: the larger of 10 and num_components.
  const std::int64_t extra = read.integer("extra_components", -1, Range::at_least(-1));
  config.extra_components = extra < 0 ? std::max<std::int64_t>(10, config.num_components) : extra;
  config.chunk_rows = read.integer("mini_batch_size", 1000, Range::at_least(1));
  config.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  read.finish();
  return config;
}

// A rank's rows, chunk by chunk, as float64 matrices with μ subtracted.
class CenteredRows {
 public:
  explicit CenteredRows(const RowShard& shard) : shard_(shard), mean_(VectorD::Zero(shard.num_features())) {}

  void set_mean(const VectorD& mean) { mean_ = mean; }

  // Calls visit(X_c) for each chunk X_c [m, D] of the rows, in order.
  void for_each_chunk(const std::function<void(const MatrixD&)>& visit) const {
    shard_.for_each_chunk([&](const Dataset& chunk) {
      visit(as_double(chunk.features).rowwise() - mean_.transpose());
    });
  }

 private:
  const RowShard& shard_;
  VectorD mean_;
};

void allreduce_matrix(Communicator& comm, MatrixD& matrix) {
  allreduce(comm, std::span<double>(matrix.data(), static_cast<std::size_t>(matrix.size())), ReduceOp::sum);
}

// Σ_r X_rᵀ (X_r Q) over every rank's rows: C (n - 1) times Q, D × l.
MatrixD scatter_times(const CenteredRows& rows, const MatrixD& q, Communicator& comm) {
  MatrixD product = MatrixD::Zero(q.rows(), q.cols());
  rows.for_each_chunk([&](const MatrixD& x) { product.noalias() += x.transpose() * (x * q); });
  allreduce_matrix(comm, product);
  return product;
}

// An orthonormal basis of the columns of `y` (thin QR).
MatrixD orthonormal_basis(const MatrixD& y) {
  const Eigen::HouseholderQR<MatrixD> qr(y);
  return qr.householderQ() * MatrixD::Identity(y.rows(), y.cols());
}

// The eigenpairs of the symmetric `matrix` with the `count` largest eigenvalues, largest first:
// eigenvalues [count] and eigenvectors as columns.
std::pair<VectorD, MatrixD> top_eigenpairs(const MatrixD& matrix, std::int64_t count) {
  const Eigen::SelfAdjointEigenSolver<MatrixD> solver(matrix);
  TERN_CHECK(solver.info() == Eigen::Success, "pca: the eigensolver did not converge");
  const std::int64_t n = matrix.rows();
  VectorD values(count);
  MatrixD vectors(n, count);
  for (std::int64_t i = 0; i < count; ++i) {  // Eigen orders them smallest first
    values(i) = std::max(solver.eigenvalues()(n - 1 - i), 0.0);
    vectors.col(i) = solver.eigenvectors().col(n - 1 - i);
  }
  return {values, vectors};
}

Tensor tensor_of(const VectorD& values) {
  Tensor tensor = Tensor::empty({values.size()});
  for (Eigen::Index i = 0; i < values.size(); ++i) tensor.data<float>()[i] = static_cast<float>(values(i));
  return tensor;
}

}  // namespace

void Pca::fit(JobContext& job) {
  Communicator& comm = job.comm;
  const ChannelShape train = train_channel_shape(job);
  const std::int64_t rows = train.rows, features = train.features;
  HyperparameterReader read("pca", job.hyperparameters);
  const PcaConfig config = read_hyperparameters(read, features);
  job.resolved_hyperparameters = read.resolved();
  algorithm_mode_ = config.randomized ? "randomized" : "regular";
  TERN_CHECK(rows >= 2, "pca needs at least 2 training rows, ", train.source, " has ", rows);
  const RowShard shard(job.channels.at("train"), comm, job.ingestion_mode, config.chunk_rows, TaskKind::projection,
                       "train");
  CenteredRows centered(shard);
  const auto fit_start = std::chrono::steady_clock::now();  // the rows read and checked
  job.log.info("pca: " + std::to_string(rows) + " rows x " + std::to_string(features) + " features on " +
               std::to_string(comm.size()) + " rank(s), " + std::to_string(config.num_components) + " components, " +
               algorithm_mode_ + " mode");

  // μ from Σx over every rank, then every sum is of x - μ.
  VectorD sums = VectorD::Zero(features);
  centered.for_each_chunk([&](const MatrixD& x) { sums += x.colwise().sum().transpose(); });
  allreduce(comm, std::span<double>(sums.data(), static_cast<std::size_t>(features)), ReduceOp::sum);
  const VectorD mean = config.subtract_mean ? VectorD(sums / static_cast<double>(rows)) : VectorD::Zero(features);
  centered.set_mean(mean);
  const double degrees_of_freedom = static_cast<double>(rows - 1);

  VectorD variances;  // of the components
  MatrixD components;  // as columns, D × k
  double total_variance = 0.0;
  if (!config.randomized) {
    MatrixD scatter = MatrixD::Zero(features, features);
    centered.for_each_chunk([&](const MatrixD& x) { scatter.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose()); });
    allreduce_matrix(comm, scatter);
    const MatrixD covariance = MatrixD(scatter.selfadjointView<Eigen::Lower>()) / degrees_of_freedom;
    total_variance = covariance.trace();
    std::tie(variances, components) = top_eigenpairs(covariance, config.num_components);
  } else {
    const std::int64_t width = std::min(features, config.num_components + config.extra_components);
    Tensor gaussian = Tensor::empty({features, width});
    fill_normal(gaussian, 0.0f, 1.0f, config.seed, stream_id("pca.projection"));
    const MatrixD omega = as_double(gaussian);
    MatrixD y = scatter_times(centered, omega, comm);
    for (int iteration = 0; iteration < kSubspaceIterations; ++iteration)
      y = scatter_times(centered, orthonormal_basis(y), comm);
    const MatrixD q = orthonormal_basis(y);
    // C restricted to span(Q): Qᵀ C Q = Σ (X Q)ᵀ (X Q) / (n - 1), and trace(C) alongside.
    MatrixD restricted = MatrixD::Zero(width + 1, width);  // the last row holds Σ‖x - μ‖² in its first entry
    centered.for_each_chunk([&](const MatrixD& x) {
      const MatrixD projected = x * q;
      restricted.topRows(width).noalias() += projected.transpose() * projected;
      restricted(width, 0) += x.squaredNorm();
    });
    allreduce_matrix(comm, restricted);
    total_variance = restricted(width, 0) / degrees_of_freedom;
    MatrixD small_vectors;
    std::tie(variances, small_vectors) =
        top_eigenpairs(MatrixD(restricted.topRows(width)) / degrees_of_freedom, config.num_components);
    components = q * small_vectors;
  }

  // Each component's largest entry positive, so that the signs do not depend on the solver.
  for (std::int64_t c = 0; c < config.num_components; ++c) {
    Eigen::Index largest = 0;
    components.col(c).cwiseAbs().maxCoeff(&largest);
    if (components(largest, c) < 0) components.col(c) *= -1.0;
  }
  mean_ = tensor_of(mean);
  components_ = Tensor::empty({config.num_components, features});
  Eigen::Map<MatrixF>(components_.data<float>(), config.num_components, features) =
      components.transpose().cast<float>();
  explained_variance_ = tensor_of(variances);
  explained_variance_ratio_ = tensor_of(variances / std::max(total_variance, 1e-300));

  const double kept = variances.sum() / std::max(total_variance, 1e-300);
  job.metrics.record(0, 0, "train:explained_variance_ratio", kept);
  job.metrics.record(0, 0, "train:fit_seconds",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
  job.summary["pca"] = {{"explained_variance_ratio", kept}, {"total_variance", total_variance}};
  job.log.info("pca: the " + std::to_string(config.num_components) + " components explain " +
               std::to_string(100.0 * kept) + "% of the training variance (first: " +
               std::to_string(100.0 * variances(0) / std::max(total_variance, 1e-300)) + "%)");
  record_validation_metrics(*this, job, 0);
}

Predictions Pca::predict(const Dataset& data) {
  TERN_CHECK(components_.defined(), "pca: no model trained or loaded");
  TERN_CHECK(data.num_features() == num_features(), "the model expects ", num_features(), " features, the data has ",
             data.num_features());
  const std::int64_t k = components_.dim(0), d = num_features();
  const Eigen::Map<const MatrixF> x = matrix_view(data.features);
  const Eigen::Map<const Eigen::RowVectorXf> mean(mean_.data<float>(), d);
  const Eigen::Map<const MatrixF> w = matrix_view(components_);
  Predictions predictions;
  predictions.task = TaskKind::projection;
  predictions.scores = Tensor::empty({data.rows(), k});
  Eigen::Map<MatrixF>(predictions.scores.data<float>(), data.rows(), k).noalias() =
      (x.rowwise() - mean) * w.transpose();
  return predictions;
}

MetricValues Pca::evaluate_file(const std::filesystem::path& path) {
  const Dataset data = load_dataset(path);
  validate_dataset(data, TaskKind::projection, 1, "data");
  const Predictions projected = predict(data);
  const std::int64_t d = num_features();
  const MatrixD x = as_double(data.features).rowwise() -
                    Eigen::Map<const Eigen::RowVectorXf>(mean_.data<float>(), d).cast<double>();
  const MatrixD z = as_double(projected.scores);
  const MatrixD w = as_double(components_);
  const double residual = (x - z * w).squaredNorm(), spread = x.squaredNorm();
  return {{"reconstruction_mse", residual / static_cast<double>(x.size())},
          {"explained_variance_ratio", spread > 0 ? 1.0 - residual / spread : 1.0}};
}

ModelFile Pca::export_model() const {
  ModelFile file;
  file.attributes = {{"num_components", components_.dim(0)},
                     {"num_features", num_features()},
                     {"algorithm_mode", algorithm_mode_}};
  file.tensors.emplace("pca/mean", mean_);
  file.tensors.emplace("pca/components", components_);
  file.tensors.emplace("pca/explained_variance", explained_variance_);
  file.tensors.emplace("pca/explained_variance_ratio", explained_variance_ratio_);
  return file;
}

void Pca::import_model(const ModelFile& file) {
  algorithm_mode_ = file.attributes.at("algorithm_mode").get<std::string>();
  mean_ = file.tensor("pca/mean").clone();
  components_ = file.tensor("pca/components").clone();
  explained_variance_ = file.tensor("pca/explained_variance").clone();
  explained_variance_ratio_ = file.tensor("pca/explained_variance_ratio").clone();
  TERN_CHECK(components_.ndim() == 2 && components_.dim(1) == mean_.numel() &&
                 mean_.numel() == file.attributes.at("num_features").get<std::int64_t>() &&
                 components_.dim(0) == file.attributes.at("num_components").get<std::int64_t>() &&
                 explained_variance_.numel() == components_.dim(0) &&
                 explained_variance_ratio_.numel() == components_.dim(0),
             "pca model: components of shape ", shape_string(components_.shape()), " for ", mean_.numel(),
             " features");
}

}  // namespace tern
