// kmeans: k-means clustering by Lloyd's iterations, distributed over the ranks by rows, with
// the managed service's names (k, init_method, eval metrics msd and ssd). Labels are ignored.
//
//   assign:  c(x) = argmin_j ‖x − μ_j‖²             (ties: the lowest j)
//   update:  μ_j = Σ_{c(x)=j} x / |{x : c(x) = j}|
//   stop:    after max_iter iterations, or once Σ_j ‖μ_j − μ_j'‖² ≤ tol · (mean variance of the
//            features), scikit-learn's rule
//   ssd = Σ_x ‖x − μ_c(x)‖²  (scikit-learn's inertia),  msd = ssd / n
//
// Each rank assigns its contiguous share of the rows (the exact nearest centre by float64
// distance, screened by a float32 GEMM, ‖x‖² − 2 x·μ + ‖μ‖², in blocks of rows added in a
// fixed order) and adds up its per-cluster sums and counts in float64; one allreduce of k·D + k + 1 numbers an iteration gives every
// rank the same new centres. The result does not depend on the number of threads; across rank
// counts it is the same up to float64 rounding of the sums (bitwise when they are exact, as for
// integer pixel data). Initial centres (init_method): random, k distinct rows
// drawn by a seeded permutation of all rows; or kmeans++, each next centre a row drawn with
// probability ∝ its squared distance to the nearest centre so far (one pass and a few
// collectives per centre). A cluster left empty takes the row farthest from its centre.
//
// algorithm_mode mini_batch is the service's web-scale k-means instead: k × extra_center_factor
// centres moved batch by batch (μ_c += (s_c − b_c μ_c) / n_c for the b_c rows of sum s_c the
// batch gives centre c, n_c its rows so far), then reduced to k by a weighted Lloyd's on them.
#pragma once

#include "core/algorithms/algorithm.h"

namespace tern {

class KMeans : public Algorithm {
 public:
  std::string name() const override { return "kmeans"; }
  void fit(JobContext& job) override;
  // labels: each row's cluster; scores: its distance to that cluster's centre.
  Predictions predict(const Dataset& data) override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  TaskKind task() const override { return TaskKind::clustering; }
  std::int64_t num_features() const override { return centers_.dim(1); }
  std::int64_t num_classes() const override { return centers_.dim(0); }
  // msd and ssd of the file's rows against the centres.
  MetricValues evaluate_file(const std::filesystem::path& path) override;

 private:
  Tensor centers_;  // [k, D]
};

}  // namespace tern
