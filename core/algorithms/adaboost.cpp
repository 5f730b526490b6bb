#include "core/algorithms/adaboost.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/job/progress.h"

namespace tern {

namespace {

// Σ weights[r] and Σ weights[r]·[missed[r]] over all ranks' rows, summed exactly.
std::pair<double, double> weight_sums(std::span<const double> weights, const std::vector<char>& missed,
                                      std::int64_t total_rows, Communicator& comm) {
  std::vector<double> columns(2 * weights.size());
  for (std::size_t r = 0; r < weights.size(); ++r) {
    columns[2 * r] = weights[r];
    columns[2 * r + 1] = missed[r] != 0 ? weights[r] : 0.0;
  }
  const std::vector<double> sums = exact_sums(columns, 2, total_rows, comm);
  return {sums[0], sums[1]};
}

}  // namespace

void AdaBoost::fit(JobContext& job) {
  HyperparameterReader read(name(), job.hyperparameters);
  const CartConfig config = read_cart_hyperparameters(read, "gini", 1, "all");
  TERN_CHECK(config.criterion != "mse", "adaboost (SAMME) is a classifier: criterion must be gini or entropy");
  const std::int64_t num_rounds = read.integer("num_rounds", 50, Range::at_least(1));
  const double learning_rate = read.real("learning_rate", 1.0, Range::positive());
  read.finish();
  job.resolved_hyperparameters = read.resolved();
  const auto start = std::chrono::steady_clock::now();

  const BinnedShard shard = read_training_data(job, config);
  CartTrainer trainer = this->trainer(shard, config, job.comm);
  const std::int64_t rows = shard.matrix.rows();
  const auto classes = static_cast<double>(classes_);
  ensemble_ = TreeEnsemble(classes_, 0.0f);
  std::vector<double> weights(shard.weights.begin(), shard.weights.end());
  std::vector<char> missed(static_cast<std::size_t>(rows), 0);
  const auto rescale = [&](double total) {
    for (double& weight : weights) weight *= static_cast<double>(shard.total_rows) / total;
  };
  rescale(weight_sums(weights, missed, shard.total_rows, job.comm).first);
  double alpha_sum = 0.0;
  ProgressReporter progress(num_rounds, 1, job.show_progress && job.comm.rank() == 0, "rows");
  for (std::int64_t round = 0; round < num_rounds; ++round) {
    RegressionTree tree = trainer.grow(trainer.all_rows(), weights, round);
    // The tree votes for its leaf's most frequent class: its leaves become one-hot votes.
    for (const auto& [leaf, leaf_rows] : trainer.leaf_rows()) {
      const std::span<float> values = tree.leaf_values(leaf);
      const auto vote = std::max_element(values.begin(), values.end()) - values.begin();
      std::fill(values.begin(), values.end(), 0.0f);
      values[static_cast<std::size_t>(vote)] = 1.0f;
      for (const RowIndex r : leaf_rows) missed[r] = shard.labels[r] != static_cast<float>(vote) ? 1 : 0;
    }
    const auto [total, missed_weight] = weight_sums(weights, missed, shard.total_rows, job.comm);
    const double error = missed_weight / total;
    if (error >= 1.0 - 1.0 / classes) {
      TERN_CHECK(round > 0, "adaboost: the first tree is no better than chance (weighted error ", error, " >= 1 - 1/",
                 classes_, "); give it more depth (max_depth) or check the labels");
      job.log.info("adaboost: stopping at round " + std::to_string(round) + ": its tree's weighted error " +
                   std::to_string(error) + " is no better than chance");
      break;
    }
    const double alpha = error <= 0.0 ? 1.0 : learning_rate * (std::log((1.0 - error) / error) + std::log(classes - 1.0));
    ensemble_.add(std::move(tree), static_cast<float>(alpha));
    alpha_sum += alpha;
    job.metrics.record(round, 0, "train:weighted_error", error);
    progress.step_done(round, 0, shard.total_rows, std::nan(""));
    if (error <= 0.0) {
      job.log.info("adaboost: round " + std::to_string(round) + "'s tree fits every row: boosting stops");
      break;
    }
    for (std::int64_t r = 0; r < rows; ++r)
      if (missed[static_cast<std::size_t>(r)] != 0) weights[static_cast<std::size_t>(r)] *= std::exp(alpha);
    rescale(weight_sums(weights, missed, shard.total_rows, job.comm).first);
    if (job.stop.agreed(job.comm)) {
      job.stopped = true;
      job.stop_reason = job.stop.reason();
      job.log.info(name() + ": stopped after round " + std::to_string(round) + " (" + job.stop_reason + ")");
      break;
    }
  }
  ensemble_.scale_weights(1.0 / alpha_sum);

  const auto trees = static_cast<std::int64_t>(ensemble_.trees().size());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  job.metrics.record(trees, 0, "train:fit_seconds", seconds);
  job.summary[name()] = {{"trees", trees}, {"feature_importance", ensemble_.feature_importance()}};
  job.log.info(name() + ": " + std::to_string(trees) + " trees in " + std::to_string(seconds) + " s");
}

}  // namespace tern
