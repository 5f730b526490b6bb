#include "core/algorithms/kmeans.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/algorithms/eigen_matrices.h"
#include "core/algorithms/epoch_batches.h"
#include "core/algorithms/evaluation.h"
#include "core/algorithms/fixed_order_sums.h"
#include "core/algorithms/hyperparameters.h"
#include "core/data/row_shard.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"
#include "kernels/cpu/gemm.h"

namespace tern {

namespace {

// The mini-batch mode's own hyperparameters: giving any of them (with algorithm_mode auto)
// chooses that mode.
const std::vector<std::string> kMiniBatchSettings = {"epochs",
                                                     "extra_center_factor",
                                                     "half_life_time_size",
                                                     "local_lloyd_max_iter",
                                                     "local_lloyd_tol",
                                                     "local_lloyd_num_trials",
                                                     "local_lloyd_init_method"};

struct KMeansConfig {
  std::int64_t k = 0;
  bool kmeans_plus_plus = false;
  bool mini_batch = false;
  // Lloyd mode
  std::int64_t max_iter = 300;
  double tol = 1e-4;
  // mini-batch mode
  std::int64_t epochs = 1;
  std::int64_t extra_center_factor = 2;
  double half_life_time_size = 0.0;
  std::int64_t local_max_iter = 300;
  double local_tol = 1e-4;
  std::int64_t local_trials = 1;
  bool local_kmeans_plus_plus = true;
  std::int64_t mini_batch_size = 5000;  // rows read at a time; in mini-batch mode the global batch
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
  const std::string mode = read.choice("algorithm_mode", "auto", {"auto", "lloyd", "mini_batch"});
  const bool mini_batch_settings = std::any_of(kMiniBatchSettings.begin(), kMiniBatchSettings.end(),
                                               [&](const std::string& name) { return read.given(name); });
  config.mini_batch = mode == "mini_batch" || (mode == "auto" && mini_batch_settings);
  TERN_CHECK(mode != "lloyd" || !mini_batch_settings, "hyperparameters ", "epochs, extra_center_factor, ",
             "half_life_time_size and local_lloyd_* apply to algorithm_mode mini_batch");
  if (config.mini_batch) {
    TERN_CHECK(!read.given("max_iter") && !read.given("tol"),
               "hyperparameters 'max_iter' and 'tol' apply to algorithm_mode lloyd (mini_batch has local_lloyd_max_iter "
               "and local_lloyd_tol)");
    config.epochs = read.integer("epochs", 1, Range::at_least(1));
    config.extra_center_factor = read.integer_or_keyword("extra_center_factor", "auto", "auto", 2, Range::at_least(1));
    TERN_CHECK(config.k * config.extra_center_factor <= rows, "k x extra_center_factor (",
               config.k * config.extra_center_factor, ") is larger than the training set (", rows, " rows)");
    config.half_life_time_size = read.real("half_life_time_size", 0.0, Range::non_negative());
    config.local_max_iter = read.integer("local_lloyd_max_iter", 300, Range::at_least(1));
    config.local_tol = read.real("local_lloyd_tol", 1e-4, Range::non_negative());
    config.local_trials = read.integer_or_keyword("local_lloyd_num_trials", "auto", "auto", 1, Range::at_least(1));
    config.local_kmeans_plus_plus =
        read.choice("local_lloyd_init_method", "kmeans++", {"random", "kmeans++"}) == "kmeans++";
  } else {
    config.max_iter = read.integer("max_iter", 300, Range::at_least(1));
    config.tol = read.real("tol", 1e-4, Range::non_negative());
  }
  config.mini_batch_size = read.integer("mini_batch_size", 5000, Range::at_least(1));
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

// The centres as the assignment of rows uses them: in float64 for exact distances, rounded to
// float32 for the GEMM that screens them, and their norms.
struct CenterTable {
  MatrixD exact;
  MatrixF rounded;
  VectorD squared_norms;
  double largest_norm = 0.0;

  explicit CenterTable(const MatrixD& centers)
      : exact(centers), rounded(centers.cast<float>()), squared_norms(centers.rowwise().squaredNorm()) {
    largest_norm = std::sqrt(squared_norms.maxCoeff());
  }
};

// For each of `count` float32 rows: the nearest centre by exact float64 distance (the lowest
// index among equals) and that distance, found as knn's search finds neighbours: a float32 GEMM
// gives d̃_j = ‖x‖² + ‖μ_j‖² − 2 x·μ̃_j with μ̃_j the float32 centre, within
// e = 2‖x‖ max‖μ‖ (γ_D + 2u) (+ float64 rounding) of ‖x − μ_j‖²; when the runner-up is more than
// 2e behind, the best is the exact nearest, else all k are computed exactly.
Nearest assign_rows(const float* rows, std::int64_t count, std::int64_t features, const CenterTable& centers) {
  const std::int64_t k = centers.exact.rows();
  std::vector<float> dots(static_cast<std::size_t>(count * k));
  kernels::cpu::gemm(kernels::Transpose::no, kernels::Transpose::yes, count, k, features, 1.0f, rows, features,
                     centers.rounded.data(), features, 0.0f, dots.data(), k);
  const double unit = std::ldexp(1.0, -24), gamma = features * unit / (1.0 - features * unit);
  Nearest nearest{std::vector<std::int64_t>(static_cast<std::size_t>(count)),
                  std::vector<double>(static_cast<std::size_t>(count))};
  for (std::int64_t i = 0; i < count; ++i) {
    const float* x = rows + i * features;
    const double squared_norm = fixed_order_dot(x, x, features);
    const double norm = std::sqrt(squared_norm);
    const double error = 2.0 * norm * centers.largest_norm * (gamma + 2.0 * unit) +
                         8.0 * std::ldexp(1.0, -53) * (norm + centers.largest_norm) * (norm + centers.largest_norm);
    std::int64_t best = 0;
    double best_distance = std::numeric_limits<double>::infinity(), runner_up = best_distance;
    for (std::int64_t j = 0; j < k; ++j) {
      const double distance = squared_norm + centers.squared_norms(j) - 2.0 * dots[static_cast<std::size_t>(i * k + j)];
      if (distance < best_distance) {
        runner_up = best_distance;
        best_distance = distance;
        best = j;
      } else if (distance < runner_up) {
        runner_up = distance;
      }
    }
    if (runner_up - best_distance <= 2.0 * error) {  // too close to call in float32: exactly
      best_distance = std::numeric_limits<double>::infinity();
      for (std::int64_t j = 0; j < k; ++j) {
        const double distance = fixed_order_squared_distance(x, centers.exact.row(j).data(), features);
        if (distance < best_distance) {
          best_distance = distance;
          best = j;
        }
      }
    }
    nearest.cluster[static_cast<std::size_t>(i)] = best;
    nearest.squared_distance[static_cast<std::size_t>(i)] = fixed_order_squared_distance(x, centers.exact.row(best).data(), features);
  }
  return nearest;
}

constexpr std::int64_t kBlockRows = 256;  // rows assigned together: their products stay in cache

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
  const CenterTable table(centers);
  std::vector<PassTotals> block_totals(static_cast<std::size_t>(blocks), PassTotals(centers.rows(), features));
#pragma omp parallel for schedule(static)
  for (std::int64_t block = 0; block < blocks; ++block) {
    const std::int64_t begin = block * kBlockRows, count = std::min(rows, begin + kBlockRows) - begin;
    const Eigen::Map<const MatrixF> x(chunk.features.data<float>() + begin * features, count, features);
    const Nearest found = assign_rows(x.data(), count, features, table);
    PassTotals& totals = block_totals[static_cast<std::size_t>(block)];
    for (Eigen::Index i = 0; i < count; ++i) {
      const std::int64_t cluster = found.cluster[static_cast<std::size_t>(i)];
      const double distance = found.squared_distance[static_cast<std::size_t>(i)];
      totals.sums.row(cluster) += x.row(i).cast<double>();
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


// Mini-batch mode (Sculley, "Web-scale k-means clustering", 2010), in its batch form: each
// global batch's rows are assigned to the nearest centre, and a centre c that got b_c rows
// with sum s_c moves towards their mean with a step that shrinks as it sees more rows:
//   n_c ← n_c + b_c,   μ_c ← μ_c + (s_c − b_c μ_c) / n_c
// (n_c first decays by ½^(B / half_life_time_size) when that is set). One allreduce of the
// batch's sums and counts a step. `seen` gets each centre's n_c.
MatrixD mini_batch_centers(JobContext& job, MatrixD centers, const KMeansConfig& config, VectorD& seen,
                           std::int64_t& steps) {
  Communicator& comm = job.comm;
  const std::int64_t count = centers.rows(), features = centers.cols();
  seen = VectorD::Zero(count);
  EpochBatches batches(job, config.mini_batch_size, config.seed);
  std::vector<double> totals(static_cast<std::size_t>(count * features + count + 2));
  for (std::int64_t epoch = 0; epoch < config.epochs; ++epoch) {
    double epoch_ssd = 0.0, epoch_rows = 0.0;
    batches.for_each_step(epoch, [&](const Batch& batch) {
      PassTotals pass(count, features);
      if (batch.features.dim(0) > 0) pass = chunk_totals({batch.features, batch.labels, "", 0}, centers);
      Eigen::Map<MatrixD> sums(totals.data(), count, features);
      Eigen::Map<VectorD> counts(totals.data() + count * features, count);
      sums = pass.sums;
      counts = pass.counts;
      totals[totals.size() - 2] = pass.ssd;
      totals.back() = static_cast<double>(batch.features.dim(0));
      allreduce_sum(comm, totals.data(), static_cast<std::int64_t>(totals.size()));
      if (config.half_life_time_size > 0) seen *= std::pow(0.5, totals.back() / config.half_life_time_size);
      for (std::int64_t c = 0; c < count; ++c) {
        if (counts(c) == 0) continue;
        seen(c) += counts(c);
        centers.row(c) += (sums.row(c) - counts(c) * centers.row(c)) / seen(c);
      }
      epoch_ssd += totals[totals.size() - 2];
      epoch_rows += totals.back();
      ++steps;
    });
    // Each row against the centres as they stood when its batch came.
    job.metrics.record(steps, epoch, "train:batch_msd", epoch_ssd / epoch_rows);
    job.log.info("kmeans: epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config.epochs) + ": batch msd " +
                 std::to_string(epoch_ssd / epoch_rows));
  }
  // Rank 0's centres for all: MPI does not promise every rank bitwise the same sums.
  comm.broadcast(centers.data(), static_cast<std::int64_t>(centers.size() * sizeof(double)), 0);
  comm.broadcast(seen.data(), static_cast<std::int64_t>(seen.size() * sizeof(double)), 0);
  return centers;
}

// The index of the point drawn with probability ∝ weights (u ∈ [0, 1) scaled by their sum).
std::int64_t weighted_draw(const VectorD& weights, double u) {
  double target = u * weights.sum();
  for (Eigen::Index i = 0; i < weights.size(); ++i) {
    if (target < weights(i)) return i;
    target -= weights(i);
  }
  return weights.size() - 1;
}

// k centres of weighted points by Lloyd's iterations (weighted means), from kmeans++ starts
// (the first drawn ∝ weight, each next ∝ weight × squared distance to the nearest so far) or
// from k distinct points drawn at random; the best of `trials` starts by Σ w ‖x − μ‖².
// `best_ssd` gets that sum.
MatrixD weighted_lloyd(const MatrixD& points, const VectorD& weights, const KMeansConfig& config, double& best_ssd) {
  const std::int64_t k = config.k, count = points.rows();
  const std::uint64_t stream = stream_id("kmeans.local_lloyd");
  const VectorD mean = (points.transpose() * weights) / weights.sum();
  const double spread = (weights.transpose() * (points.rowwise() - mean.transpose()).rowwise().squaredNorm())(0) /
                        (weights.sum() * static_cast<double>(points.cols()));
  MatrixD best;
  best_ssd = std::numeric_limits<double>::infinity();
  for (std::int64_t trial = 0; trial < config.local_trials; ++trial) {
    const std::uint64_t seed = config.seed + static_cast<std::uint64_t>(trial);
    MatrixD centers(k, points.cols());
    if (config.local_kmeans_plus_plus) {
      VectorD nearest = VectorD::Constant(count, std::numeric_limits<double>::infinity());
      centers.row(0) = points.row(weighted_draw(weights, kernels::philox_uniform_double(seed, 0, stream)));
      for (std::int64_t next = 1; next < k; ++next) {
        const Nearest found = nearest_centers(points, centers.middleRows(next - 1, 1));
        for (std::int64_t i = 0; i < count; ++i)
          nearest(i) = std::min(nearest(i), found.squared_distance[static_cast<std::size_t>(i)]);
        const VectorD chances = weights.cwiseProduct(nearest);
        const double u = kernels::philox_uniform_double(seed, static_cast<std::uint64_t>(next), stream);
        centers.row(next) = points.row(chances.sum() > 0 ? weighted_draw(chances, u) : next % count);
      }
    } else {
      const std::vector<std::int64_t> order = random_permutation(count, seed, stream);
      for (std::int64_t j = 0; j < k; ++j) centers.row(j) = points.row(order[static_cast<std::size_t>(j)]);
    }
    double ssd = 0.0;
    for (std::int64_t iteration = 0; iteration < config.local_max_iter; ++iteration) {
      const Nearest found = nearest_centers(points, centers);
      MatrixD sums = MatrixD::Zero(k, points.cols());
      VectorD mass = VectorD::Zero(k);
      ssd = 0.0;
      for (std::int64_t i = 0; i < count; ++i) {
        const std::int64_t c = found.cluster[static_cast<std::size_t>(i)];
        sums.row(c) += weights(i) * points.row(i);
        mass(c) += weights(i);
        ssd += weights(i) * found.squared_distance[static_cast<std::size_t>(i)];
      }
      MatrixD moved = centers;
      for (std::int64_t c = 0; c < k; ++c) {
        if (mass(c) > 0) moved.row(c) = sums.row(c) / mass(c);  // a centre with no weight stays
      }
      const double shift = (moved - centers).squaredNorm();
      centers = moved;
      if (shift <= config.local_tol * spread) break;
    }
    const Nearest final_assignment = nearest_centers(points, centers);
    ssd = 0.0;
    for (std::int64_t i = 0; i < count; ++i) ssd += weights(i) * final_assignment.squared_distance[static_cast<std::size_t>(i)];
    if (ssd < best_ssd) {
      best_ssd = ssd;
      best = centers;
    }
  }
  return best;
}

// Lloyd's iterations from `centers`: assign every row, allreduce the per-cluster sums and counts,
// move the centres; until max_iter or scikit-learn's tolerance, tol times the mean of the
// features' variances. `iteration` and `converged` say how it ended.
MatrixD lloyd(JobContext& job, const RowShard& shard, MatrixD centers, const KMeansConfig& config,
              std::int64_t& iteration, bool& converged) {
  Communicator& comm = job.comm;
  const std::int64_t k = config.k, features = shard.num_features(), rows = shard.total_rows();
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

  iteration = 0;
  converged = false;
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
  const RowShard shard(job.channels.at("train"), comm, job.ingestion_mode, config.mini_batch_size, TaskKind::clustering,
                       "train");
  const std::int64_t k = config.k;
  const auto fit_start = std::chrono::steady_clock::now();  // the rows read and checked
  job.log.info("kmeans: " + std::to_string(rows) + " rows x " + std::to_string(features) + " features on " +
               std::to_string(comm.size()) + " rank(s), k = " + std::to_string(k) + ", " +
               (config.kmeans_plus_plus ? "kmeans++" : "random") + " initial centres");

  // Initial centres: k, or in mini-batch mode k x extra_center_factor.
  const std::int64_t initial_count = config.mini_batch ? k * config.extra_center_factor : k;
  MatrixD centers;
  std::vector<std::int64_t> initial_rows;
  if (config.kmeans_plus_plus) {
    centers = kmeans_plus_plus(shard, initial_count, config.seed, comm, initial_rows);
  } else {
    const std::vector<std::int64_t> order = random_permutation(rows, config.seed, stream_id("kmeans.init"));
    initial_rows.assign(order.begin(), order.begin() + initial_count);
    centers = gather_rows(shard, initial_rows, comm);
  }
  job.summary["kmeans_initial_rows"] = initial_rows;

  std::int64_t iteration = 0;  // Lloyd's iterations, or mini-batch steps
  nlohmann::json summary;
  if (config.mini_batch) {
    VectorD seen;
    const MatrixD batch_centers = mini_batch_centers(job, centers, config, seen, iteration);
    double local_ssd = 0.0;
    centers = initial_count > k ? weighted_lloyd(batch_centers, seen, config, local_ssd) : batch_centers;
    summary = {{"algorithm_mode", "mini_batch"},
               {"epochs", config.epochs},
               {"steps", iteration},
               {"centers_before_reduction", initial_count},
               {"local_lloyd_weighted_ssd", local_ssd}};
  } else {
    bool converged = false;
    centers = lloyd(job, shard, centers, config, iteration, converged);
    summary = {{"algorithm_mode", "lloyd"}, {"iterations", iteration}, {"converged", converged}};
  }

  // The final clustering's scores, against the final centres.
  double ssd = 0.0;
  shard.for_each_chunk([&](const Dataset& chunk) {
    const Nearest found = assign_rows(chunk.features.data<float>(), chunk.rows(), features, CenterTable(centers));
    ssd += std::accumulate(found.squared_distance.begin(), found.squared_distance.end(), 0.0);
  });
  ssd = allreduce_value(comm, ssd, ReduceOp::sum);
  centers_ = Tensor::empty({k, features});
  Eigen::Map<MatrixF>(centers_.data<float>(), k, features) = centers.cast<float>();
  job.metrics.record(iteration, 0, "train:ssd", ssd);
  job.metrics.record(iteration, 0, "train:msd", ssd / static_cast<double>(rows));
  job.metrics.record(iteration, 0, "train:fit_seconds",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
  summary["ssd"] = ssd;
  job.summary["kmeans"] = summary;
  job.log.info("kmeans: " +
               (config.mini_batch ? std::to_string(iteration) + " mini-batch steps"
                                  : std::string(summary.at("converged") ? "converged after " : "stopped after max_iter = ") +
                                        std::to_string(iteration) + " iterations") +
               "; ssd " + std::to_string(ssd) + ", msd " + std::to_string(ssd / static_cast<double>(rows)));
  record_validation_metrics(*this, job, iteration);
}

Predictions KMeans::predict(const Dataset& data) {
  TERN_CHECK(centers_.defined(), "kmeans: no model trained or loaded");
  TERN_CHECK(data.num_features() == num_features(), "the model expects ", num_features(), " features, the data has ",
             data.num_features());
  const Nearest found = assign_rows(data.features.data<float>(), data.rows(), num_features(), CenterTable(as_double(centers_)));
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
  const Nearest found = assign_rows(data.features.data<float>(), data.rows(), num_features(), CenterTable(as_double(centers_)));
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
