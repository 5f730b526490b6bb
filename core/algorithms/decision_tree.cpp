#include "core/algorithms/decision_tree.h"

#include <chrono>

namespace tern {

void DecisionTree::fit(JobContext& job) {
  HyperparameterReader read(name(), job.hyperparameters);
  const CartConfig config = read_cart_hyperparameters(read, "gini", 10, "all");
  read.finish();
  job.resolved_hyperparameters = read.resolved();
  const auto start = std::chrono::steady_clock::now();

  const BinnedShard shard = read_training_data(job, config);
  CartTrainer trainer = this->trainer(shard, config, job.comm);
  const std::vector<double> weights(shard.weights.begin(), shard.weights.end());
  RegressionTree tree = trainer.grow(trainer.all_rows(), weights, 0);
  std::int64_t leaves = 0, depth = 0;
  for (const TreeNode& node : tree.nodes()) {
    leaves += node.is_leaf() ? 1 : 0;
    depth = std::max<std::int64_t>(depth, node.depth);
  }
  ensemble_ = TreeEnsemble(std::max<std::int64_t>(classes_, 1), 0.0f);
  ensemble_.add(std::move(tree));

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  job.metrics.record(1, 0, "train:fit_seconds", seconds);
  job.summary[name()] = {{"leaves", leaves}, {"depth", depth}, {"feature_importance", ensemble_.feature_importance()}};
  job.log.info(name() + ": a tree of " + std::to_string(leaves) + " leaves, depth " + std::to_string(depth) + ", in " +
               std::to_string(seconds) + " s");
}

}  // namespace tern
