// knn: k-nearest-neighbour classification and regression, with the managed service's names
// (k, predictor_type, sample_size, index_metric, dimension_reduction_type/_target). Training
// builds an exact index (nearest_neighbors.h): sample_size rows drawn from the training set
// (all of them by default), optionally projected to fewer dimensions (dimension_reduction.h),
// and normalised for COSINE. Prediction finds each query's k nearest rows:
//
//   classifier:  the most frequent label among the k (ties: the smallest label); scores are the
//                vote shares, P(class c) = |{neighbours labelled c}| / k
//   regressor:   the mean of the k labels
//
//   index_metric  L2: ‖q − y‖²,  INNER_PRODUCT: the largest q·y,  COSINE: the largest q·y/‖q‖‖y‖
//
// During training the index stays sharded, each rank holding its sampled rows; the validation
// queries go to every rank and each shard's k nearest are merged into the global k nearest,
// the same neighbours as on one rank. The model saved is the whole index with its labels.
#pragma once

#include <memory>

#include "core/algorithms/algorithm.h"
#include "core/algorithms/dimension_reduction.h"
#include "core/algorithms/nearest_neighbors.h"

namespace tern {

class Knn : public Algorithm {
 public:
  std::string name() const override { return "knn"; }
  void fit(JobContext& job) override;
  Predictions predict(const Dataset& data) override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  TaskKind task() const override { return task_; }
  std::int64_t num_features() const override { return reduction_.input_dimension(); }
  std::int64_t num_classes() const override { return num_classes_; }
  // The managed service's metric names (evaluation.h).
  MetricValues score(const Predictions& predictions, const Tensor& labels) const override;

  // Each row's k nearest rows of the index, nearest first (rows·k of them).
  std::vector<Neighbor> neighbors(const Tensor& features) const;

 private:
  // Features as the index holds them: projected, and for COSINE normalised to unit length.
  Tensor prepare(const Tensor& features) const;
  Predictions vote(const std::vector<Neighbor>& neighbors, std::int64_t rows) const;

  std::int64_t k_ = 0;
  TaskKind task_ = TaskKind::regression;
  std::int64_t num_classes_ = 1;
  std::string index_metric_ = "L2";
  DimensionReduction reduction_;
  std::unique_ptr<NeighborIndex> index_;
};

}  // namespace tern
