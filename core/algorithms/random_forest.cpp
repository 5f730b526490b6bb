#include "core/algorithms/random_forest.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/job/progress.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"

namespace tern {

namespace {

// Out-of-bag predictions: each row's sum of the trees' leaf values it sat out of.
class OutOfBag {
 public:
  OutOfBag(std::int64_t rows, std::int64_t outputs)
      : outputs_(outputs), sums_(static_cast<std::size_t>(rows * outputs), 0.0), trees_(static_cast<std::size_t>(rows), 0) {}

  void add(std::int64_t row, std::span<const float> leaf) {
    for (std::int64_t k = 0; k < outputs_; ++k) sums_[static_cast<std::size_t>(row * outputs_ + k)] += leaf[static_cast<std::size_t>(k)];
    trees_[static_cast<std::size_t>(row)] += 1;
  }

  // Accuracy (classes) or R² (classes 0) over all ranks' rows that sat out of a tree, and how
  // many rows that was. R² of a constant target is 1 for exact predictions, else 0, as
  // scikit-learn's r2_score gives.
  std::pair<double, std::int64_t> score(std::span<const float> labels, std::int64_t classes, Communicator& comm) const {
    // [rows, Σ correct] for classes; [rows, Σ y] and then [Σ (y − ȳ)², Σ (y − ŷ)²] for regression.
    std::vector<double> sums = {0.0, 0.0};
    for (std::size_t r = 0; r < trees_.size(); ++r) {
      if (trees_[r] == 0) continue;
      const double* row = sums_.data() + r * static_cast<std::size_t>(outputs_);
      sums[0] += 1.0;
      if (classes > 0) sums[1] += static_cast<double>(std::max_element(row, row + outputs_) - row) == labels[r] ? 1.0 : 0.0;
      else sums[1] += labels[r];
    }
    allreduce(comm, std::span<double>(sums), ReduceOp::sum);
    const auto rows = static_cast<std::int64_t>(sums[0]);
    if (rows == 0) return {std::nan(""), 0};
    if (classes > 0) return {sums[1] / sums[0], rows};
    const double mean = sums[1] / sums[0];
    std::vector<double> squares = {0.0, 0.0};
    for (std::size_t r = 0; r < trees_.size(); ++r) {
      if (trees_[r] == 0) continue;
      const double y = labels[r], predicted = sums_[r] / static_cast<double>(trees_[r]);
      squares[0] += (y - mean) * (y - mean);
      squares[1] += (y - predicted) * (y - predicted);
    }
    allreduce(comm, std::span<double>(squares), ReduceOp::sum);
    if (squares[0] == 0.0) return {squares[1] == 0.0 ? 1.0 : 0.0, rows};
    return {1.0 - squares[1] / squares[0], rows};
  }

 private:
  std::int64_t outputs_;
  std::vector<double> sums_;
  std::vector<std::int64_t> trees_;
};

}  // namespace

std::int64_t poisson_one_count(double u) {
  double probability = std::exp(-1.0), cumulative = probability;
  std::int64_t count = 0;
  while (u >= cumulative && count < 64) {
    count += 1;
    probability /= static_cast<double>(count);
    cumulative += probability;
  }
  return count;
}

void RandomForest::fit(JobContext& job) {
  HyperparameterReader read(name(), job.hyperparameters);
  const CartConfig config = read_cart_hyperparameters(read, "gini", 10, "auto");
  const std::int64_t num_trees = read.integer("num_trees", 100, Range::at_least(1));
  const bool bootstrap = read.choice("bootstrap", "true", {"true", "false"}) == "true";
  const bool oob_score = read.choice("oob_score", bootstrap ? "true" : "false", {"true", "false"}) == "true";
  TERN_CHECK(bootstrap || !oob_score, "hyperparameter 'oob_score' true needs bootstrap true: every row is in every tree");
  read.finish();
  job.resolved_hyperparameters = read.resolved();
  const auto start = std::chrono::steady_clock::now();

  const BinnedShard shard = read_training_data(job, config);
  CartTrainer trainer = this->trainer(shard, config, job.comm);
  const std::int64_t rows = shard.matrix.rows(), outputs = std::max<std::int64_t>(classes_, 1);
  ensemble_ = TreeEnsemble(outputs, 0.0f);
  OutOfBag out_of_bag(oob_score ? rows : 0, outputs);
  std::vector<double> weights(static_cast<std::size_t>(rows));
  ProgressReporter progress(num_trees, 1, job.show_progress && job.comm.rank() == 0, "rows");
  for (std::int64_t t = 0; t < num_trees; ++t) {
    std::vector<RowIndex> tree_rows, left_out;
    const std::uint64_t stream = stream_id("random-forest.bootstrap/" + std::to_string(t));
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t count =
          bootstrap ? poisson_one_count(kernels::philox_uniform_double(
                          config.growth.seed, static_cast<std::uint64_t>(shard.first_row + r), stream))
                    : 1;
      weights[static_cast<std::size_t>(r)] = static_cast<double>(count) * shard.weights[static_cast<std::size_t>(r)];
      (count > 0 ? tree_rows : left_out).push_back(static_cast<RowIndex>(r));
    }
    RegressionTree tree = trainer.grow(std::move(tree_rows), weights, t);
    if (tree.node(0).cover == 0.0f) {  // the bootstrap drew no row on any rank: a tree of nothing
      job.log.info(name() + ": tree " + std::to_string(t) + "'s bootstrap sample is empty; it is left out");
      continue;
    }
    if (oob_score)
      for (const RowIndex r : left_out) out_of_bag.add(r, tree.leaf_values(tree.leaf_of_binned(shard.matrix, r)));
    ensemble_.add(std::move(tree));
    progress.step_done(t, 0, shard.total_rows, std::nan(""));
    if (job.stop.agreed(job.comm)) {
      job.stopped = true;
      job.stop_reason = job.stop.reason();
      job.log.info(name() + ": stopped after tree " + std::to_string(t) + " (" + job.stop_reason + ")");
      break;
    }
  }
  const auto trees = static_cast<std::int64_t>(ensemble_.trees().size());
  TERN_CHECK(trees > 0, name(), ": every tree's bootstrap sample was empty (", shard.total_rows, " rows)");
  ensemble_.scale_weights(1.0 / static_cast<double>(trees));

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  job.metrics.record(trees, 0, "train:fit_seconds", seconds);
  job.summary[name()] = {{"trees", trees}, {"feature_importance", ensemble_.feature_importance()}};
  std::string line = name() + ": " + std::to_string(trees) + " trees in " + std::to_string(seconds) + " s";
  if (oob_score) {
    const auto [value, oob_rows] = out_of_bag.score(shard.labels, classes_, job.comm);
    const std::string metric = classes_ > 0 ? "oob_accuracy" : "oob_r2";
    job.metrics.record(trees, 0, "train:" + metric, value);
    job.summary[name()][metric] = value;
    job.summary[name()]["oob_rows"] = oob_rows;
    line += "; out-of-bag " + std::string(classes_ > 0 ? "accuracy " : "R2 ") + std::to_string(value) + " over " +
            std::to_string(oob_rows) + " rows";
  }
  job.log.info(line);
}

}  // namespace tern
