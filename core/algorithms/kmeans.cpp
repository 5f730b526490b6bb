#include "core/algorithms/kmeans.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/algorithms/eigen_matrices.h"
#include "core/algorithms/evaluation.h"
#include "core/algorithms/hyperparameters.h"
#include "core/data/row_shard.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"

namespace tern {

namespace {

struct KMeansConfig {
  std::int64_t k = 0;
  bool kmeans_plus_plus = false;
  std::int64_t max_iter = 300;
  double tol = 1e-4;
  std::int64_t chunk_rows = 5000;  // rows read at a time (mini_batch_size)
  std::uint64_t seed = 0;
};

KMeansConfig read_hyperparameters(HyperparameterReader& read, std::int64_t rows, std::int64_t features) {
  KMeansConfig config;
  TERN_CHECK(read.given("k"), "hyperparameter 'k' is required for kmeans");
  config.k = read.integer("k", 1, Range::at_least(1));
  TERN_CHECK(config.k <= rows, "hyperparameter 'k' (", config.k, ") is larger than the training set (", rows,
             " rows)");
  const std::int64_t feature_dim = read.integer("feature_dim", features, Range::at_least(1));
  TERN_CHECK(feature_dim == features, "hyperparameter 'feature_dim' (", feature_dim, ") does not match the data's ",
             features, " features");
  config.kmeans_plus_plus = read.choice("init_method", "random", {"random", "kmeans++"}) == "kmeans++";
  config.max_iter = read.integer("max_iter", 300, Range::at_least(1));
  config.tol = read.real("tol", 1e-4, Range::non_negative());
  config.chunk_rows = read.integer("mini_batch_size", 5000, Range::at_least(1));
  config.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  read.finish();
  return config;
}

// For each row of x: its nearest centre (the lowest index among equals) and the squared
// distance to it, ‖x‖² − 2 x·μ + ‖μ‖² (at least 0).
struct Nearest {
  std::vector<std::int64_t> cluster;
  std::vector<double> squared_distance;
};
Nearest nearest_centers(const MatrixD& x, const MatrixD& centers) {
  const MatrixD dots = x * centers.transpose();
  const VectorD row_norms = x.rowwise().squaredNorm(), center_norms = centers.rowwise().squaredNorm();
  Nearest nearest{std::vector<std::int64_t>(static_cast<std::size_t>(x.rows())),
                  std::vector<double>(static_cast<std::size_t>(x.rows()))};
#pragma omp parallel for schedule(static)
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    std::int64_t best = 0;
    double best_distance = std::numeric_limits<double>::infinity();
    for (Eigen::Index j = 0; j < centers.rows(); ++j) {
      const double distance = row_norms(i) - 2.0 * dots(i, j) + center_norms(j);
      if (distance < best_distance) {
        best_distance = distance;
        best = j;
      }
    }
    nearest.cluster[static_cast<std::size_t>(i)] = best;
    nearest.squared_distance[static_cast<std::size_t>(i)] = std::max(best_distance, 0.0);
  }
  return nearest;
}

constexpr std::int64_t kBlockRows = 256;  // rows assigned together: their float64 copy stays in cache

// What a pass of Lloyd adds up over some rows: each cluster's sum of rows and count, the sum
// of the squared distances, and the row farthest from its centre (the first among equals).
struct PassTotals {
  MatrixD sums;
  VectorD counts;
  double ssd = 0.0;
  double farthest_distance = -1.0;
  std::int64_t farthest_row = -1;

  PassTotals(std::int64_t k, std::int64_t features) : sums(MatrixD::Zero(k, features)), counts(VectorD::Zero(k)) {}

  void add(const PassTotals& later) {
    sums += later.sums;
    counts += later.counts;
    ssd += later.ssd;
    if (later.farthest_distance > farthest_distance) {
      farthest_distance = later.farthest_distance;
      farthest_row = later.farthest_row;
    }
  }
};

// A chunk's totals against `centers`: its rows in blocks of kBlockRows, the blocks in parallel,
// their totals added in block order, so that the result does not depend on the thread count.
PassTotals chunk_totals(const Dataset& chunk, const MatrixD& centers) {
  const std::int64_t rows = chunk.rows(), features = chunk.num_features();
  const std::int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  std::vector<PassTotals> block_totals(static_cast<std::size_t>(blocks), PassTotals(centers.rows(), features));
#pragma omp parallel for schedule(static)
  for (std::int64_t block = 0; block < blocks; ++block) {
    const std::int64_t begin = block * kBlockRows, count = std::min(rows, begin + kBlockRows) - begin;
    const MatrixD x =
        Eigen::Map<const MatrixF>(chunk.features.data<float>() + begin * features, count, features).cast<double>();
    const Nearest found = nearest_centers(x, centers);
    PassTotals& totals = block_totals[static_cast<std::size_t>(block)];
    for (Eigen::Index i = 0; i < count; ++i) {
      const std::int64_t cluster = found.cluster[static_cast<std::size_t>(i)];
      const double distance = found.squared_distance[static_cast<std::size_t>(i)];
      totals.sums.row(cluster) += x.row(i);
      totals.counts(cluster) += 1.0;
      totals.ssd += distance;
      if (distance > totals.farthest_distance) {
        totals.farthest_distance = distance;
        totals.farthest_row = chunk.first_row + begin + i;
      }
    }
  }
  PassTotals total(centers.rows(), features);
  for (const PassTotals& block : block_totals) total.add(block);
  return total;
}

void allreduce_sum(Communicator& comm, double* values, std::int64_t count) {
  comm.allreduce(values, count, CommType::f64, ReduceOp::sum);
}

// The rows with the given file indices (whichever rank holds each), as rows of a matrix in that
// order: each rank fills the ones it holds, one allreduce adds them.
MatrixD gather_rows(const RowShard& shard, const std::vector<std::int64_t>& indices, Communicator& comm) {
  MatrixD rows = MatrixD::Zero(static_cast<Eigen::Index>(indices.size()), shard.num_features());
  shard.for_each_chunk([&](const Dataset& chunk) {
    const std::int64_t begin = chunk.first_row, end = chunk.first_row + chunk.rows();
    for (std::size_t i = 0; i < indices.size(); ++i) {
      if (indices[i] < begin || indices[i] >= end) continue;
      const float* row = chunk.features.data<float>() + (indices[i] - begin) * chunk.num_features();
      for (std::int64_t f = 0; f < chunk.num_features(); ++f) rows(static_cast<Eigen::Index>(i), f) = row[f];
    }
  });
  allreduce_sum(comm, rows.data(), rows.size());
  return rows;
}

// kmeans++: the first centre a uniformly drawn row; each next one a row drawn with probability
// proportional to its squared distance to the nearest centre so far. Every rank keeps those
// distances for its rows; the draw u ∈ [0, Σ) is shared, and the rank whose rows' running sum
// (in rank order) crosses u names the row. `chosen` gets the rows' indices in the file.
MatrixD kmeans_plus_plus(const RowShard& shard, std::int64_t k, std::uint64_t seed, Communicator& comm,
                         std::vector<std::int64_t>& chosen) {
  const std::uint64_t stream = stream_id("kmeans.init");
  const auto rows = static_cast<std::size_t>(shard.rows().size());
  std::vector<double> nearest(rows, std::numeric_limits<double>::infinity());
  chosen = {std::min<std::int64_t>(
      static_cast<std::int64_t>(kernels::philox_uniform_double(seed, 0, stream) * static_cast<double>(shard.total_rows())),
      shard.total_rows() - 1)};
  MatrixD centers = gather_rows(shard, chosen, comm);
  for (std::int64_t next = 1; next < k; ++next) {
    const MatrixD newest = centers.bottomRows(1);
    shard.for_each_chunk([&](const Dataset& chunk) {
      const Nearest found = nearest_centers(as_double(chunk.features), newest);
      for (std::int64_t i = 0; i < chunk.rows(); ++i) {
        double& distance = nearest[static_cast<std::size_t>(chunk.first_row - shard.rows().begin + i)];
        distance = std::min(distance, found.squared_distance[static_cast<std::size_t>(i)]);
      }
    });
    const double mine = std::accumulate(nearest.begin(), nearest.end(), 0.0);
    std::vector<double> sums(static_cast<std::size_t>(comm.size()));
    comm.allgather(&mine, 1, CommType::f64, sums.data());
    const double total = std::accumulate(sums.begin(), sums.end(), 0.0);
    TERN_CHECK(total > 0.0, "kmeans++: every row is at a centre already after ", next,
               " centres; the data has fewer than k = ", k, " distinct rows");
    double target = kernels::philox_uniform_double(seed, static_cast<std::uint64_t>(next), stream) * total;
    std::int64_t index = -1;  // the file row, on the rank that holds it; -1 elsewhere
    const int holder = [&] {
      for (int rank = 0; rank < comm.size(); ++rank) {
        if (target < sums[static_cast<std::size_t>(rank)] || rank + 1 == comm.size()) return rank;
        target -= sums[static_cast<std::size_t>(rank)];
      }
      return comm.size() - 1;
    }();
    if (comm.rank() == holder) {
      std::size_t i = 0;
      for (double running = 0.0; i + 1 < rows && running + nearest[i] <= target; ++i) running += nearest[i];
      index = shard.rows().begin + static_cast<std::int64_t>(i);
    }
    index = allreduce_value(comm, index, ReduceOp::max);
    chosen.push_back(index);
    centers.conservativeResize(next + 1, Eigen::NoChange);
    centers.row(next) = gather_rows(shard, {index}, comm).row(0);
  }
  return centers;
}

}  // namespace

void KMeans::fit(JobContext& job) {
  Communicator& comm = job.comm;
  const ChannelShape train = train_channel_shape(job);
  const std::int64_t rows = train.rows, features = train.features;
  HyperparameterReader read("kmeans", job.hyperparameters);
  const KMeansConfig config = read_hyperparameters(read, rows, features);
  job.resolved_hyperparameters = read.resolved();
  const RowShard shard(job.channels.at("train"), comm, job.ingestion_mode, config.chunk_rows, TaskKind::clustering,
                       "train");
  const std::int64_t k = config.k;
  const auto fit_start = std::chrono::steady_clock::now();  // the rows read and checked
  job.log.info("kmeans: " + std::to_string(rows) + " rows x " + std::to_string(features) + " features on " +
               std::to_string(comm.size()) + " rank(s), k = " + std::to_string(k) + ", " +
               (config.kmeans_plus_plus ? "kmeans++" : "random") + " initial centres");

  // scikit-learn's tolerance: tol times the mean of the features' variances.
  VectorD moments = VectorD::Zero(2 * features);
  shard.for_each_chunk([&](const Dataset& chunk) {
    const MatrixD x = as_double(chunk.features);
    moments.head(features) += x.colwise().sum().transpose();
    moments.tail(features) += x.array().square().matrix().colwise().sum().transpose();
  });
  allreduce_sum(comm, moments.data(), moments.size());
  const VectorD mean = moments.head(features) / static_cast<double>(rows);
  const double mean_variance =
      (moments.tail(features) / static_cast<double>(rows) - mean.array().square().matrix()).mean();
  const double shift_tolerance = config.tol * std::max(mean_variance, 0.0);

  MatrixD centers;
  std::vector<std::int64_t> initial_rows;
  if (config.kmeans_plus_plus) {
    centers = kmeans_plus_plus(shard, k, config.seed, comm, initial_rows);
  } else {
    const std::vector<std::int64_t> order = random_permutation(rows, config.seed, stream_id("kmeans.init"));
    initial_rows.assign(order.begin(), order.begin() + k);
    centers = gather_rows(shard, initial_rows, comm);
  }
  job.summary["kmeans_initial_rows"] = initial_rows;

  // Lloyd: assign every row, allreduce the per-cluster sums and counts, move the centres.
  std::int64_t iteration = 0;
  bool converged = false;
  std::vector<double> totals(static_cast<std::size_t>(k * features + k + 1));
  while (iteration < config.max_iter && !converged) {
    PassTotals pass(k, features);
    shard.for_each_chunk([&](const Dataset& chunk) { pass.add(chunk_totals(chunk, centers)); });
    // One allreduce of the sums, the counts and the ssd.
    Eigen::Map<MatrixD> sums(totals.data(), k, features);
    double* counts = totals.data() + k * features;
    double& ssd = totals.back();
    sums = pass.sums;
    Eigen::Map<VectorD>(counts, k) = pass.counts;
    ssd = pass.ssd;
    allreduce_sum(comm, totals.data(), static_cast<std::int64_t>(totals.size()));
    job.metrics.record(iteration, 0, "train:ssd", ssd);
    MatrixD moved = centers;
    for (std::int64_t j = 0; j < k; ++j) {
      if (counts[j] > 0) moved.row(j) = sums.row(j) / counts[j];
    }
    // An empty cluster takes the row farthest from its centre (the largest distance over all
    // ranks, the lowest row among equals); one a round, so a second empty one waits a round.
    const auto empty = std::find(counts, counts + k, 0.0);
    if (empty != counts + k) {
      std::vector<double> mine = {pass.farthest_distance, static_cast<double>(pass.farthest_row)};
      std::vector<double> all(2 * static_cast<std::size_t>(comm.size()));
      comm.allgather(mine.data(), 2, CommType::f64, all.data());
      std::size_t best = 0;
      for (std::size_t r = 1; r < static_cast<std::size_t>(comm.size()); ++r) {
        if (all[2 * r] > all[2 * best]) best = r;
      }
      const auto row = static_cast<std::int64_t>(all[2 * best + 1]);
      moved.row(empty - counts) = gather_rows(shard, {row}, comm).row(0);
      job.log.info("kmeans: cluster " + std::to_string(empty - counts) + " was empty; it restarts at row " +
                   std::to_string(row));
    }
    const double shift = (moved - centers).squaredNorm();
    centers = moved;
    ++iteration;
    // Rank 0's decision for all: MPI does not promise every rank bitwise the same sums, and
    // ranks that disagreed on stopping would wait on each other forever.
    std::int32_t stop = empty == counts + k && shift <= shift_tolerance ? 1 : 0;
    comm.broadcast(&stop, sizeof stop, 0);
    converged = stop == 1;
  }

  // The final clustering's scores, against the final centres.
  double ssd = 0.0;
  shard.for_each_chunk([&](const Dataset& chunk) {
    const Nearest found = nearest_centers(as_double(chunk.features), centers);
    ssd += std::accumulate(found.squared_distance.begin(), found.squared_distance.end(), 0.0);
  });
  ssd = allreduce_value(comm, ssd, ReduceOp::sum);
  centers_ = Tensor::empty({k, features});
  Eigen::Map<MatrixF>(centers_.data<float>(), k, features) = centers.cast<float>();
  job.metrics.record(iteration, 0, "train:ssd", ssd);
  job.metrics.record(iteration, 0, "train:msd", ssd / static_cast<double>(rows));
  job.metrics.record(iteration, 0, "train:fit_seconds",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
  job.summary["kmeans"] = {{"iterations", iteration}, {"converged", converged}, {"ssd", ssd}};
  job.log.info("kmeans: " + std::string(converged ? "converged after " : "stopped after max_iter = ") +
               std::to_string(iteration) + " iterations; ssd " + std::to_string(ssd) + ", msd " +
               std::to_string(ssd / static_cast<double>(rows)));
  record_validation_metrics(*this, job, iteration);
}

Predictions KMeans::predict(const Dataset& data) {
  TERN_CHECK(centers_.defined(), "kmeans: no model trained or loaded");
  TERN_CHECK(data.num_features() == num_features(), "the model expects ", num_features(), " features, the data has ",
             data.num_features());
  const Nearest found = nearest_centers(
      as_double(data.features), as_double(centers_));
  Predictions predictions;
  predictions.task = TaskKind::clustering;
  predictions.labels = Tensor::empty({data.rows()});
  predictions.scores = Tensor::empty({data.rows()});
  for (std::int64_t i = 0; i < data.rows(); ++i) {
    predictions.labels.data<float>()[i] = static_cast<float>(found.cluster[static_cast<std::size_t>(i)]);
    predictions.scores.data<float>()[i] = static_cast<float>(std::sqrt(found.squared_distance[static_cast<std::size_t>(i)]));
  }
  return predictions;
}

MetricValues KMeans::evaluate_file(const std::filesystem::path& path) {
  TERN_CHECK(centers_.defined(), "kmeans: no model trained or loaded");
  const Dataset data = load_dataset(path);
  validate_dataset(data, TaskKind::clustering, 1, "data");
  TERN_CHECK(data.num_features() == num_features(), "the model expects ", num_features(), " features, the data has ",
             data.num_features());
  const Nearest found = nearest_centers(
      as_double(data.features), as_double(centers_));
  const double ssd = std::accumulate(found.squared_distance.begin(), found.squared_distance.end(), 0.0);
  return {{"msd", ssd / static_cast<double>(data.rows())}, {"ssd", ssd}};
}

ModelFile KMeans::export_model() const {
  ModelFile file;
  file.attributes = {{"k", num_classes()}, {"num_features", num_features()}};
  file.tensors.emplace("kmeans/centers", centers_);
  return file;
}

void KMeans::import_model(const ModelFile& file) {
  centers_ = file.tensor("kmeans/centers").clone();
  TERN_CHECK(centers_.ndim() == 2 && centers_.dim(0) == file.attributes.at("k").get<std::int64_t>() &&
                 centers_.dim(1) == file.attributes.at("num_features").get<std::int64_t>(),
             "kmeans model: centres of shape ", shape_string(centers_.shape()), " for k = ", file.attributes.at("k"),
             " and ", file.attributes.at("num_features"), " features");
}

}  // namespace tern
