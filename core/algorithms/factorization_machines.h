// factorization-machines: second-order factorization machines (Rendle, 2010) on sparse rows,
// with the managed service's names. For a row x with nonzero entries i:
//
//   ŷ = w₀ + Σ_i w_i x_i + Σ_{i<j} ⟨v_i, v_j⟩ x_i x_j
//     = w₀ + Σ_i w_i x_i + ½ Σ_f [ (Σ_i v_if x_i)² − Σ_i v_if² x_i² ]        O(k · nnz)
//
// and with s_f = Σ_j v_jf x_j and g = ∂ℓ/∂ŷ (squared loss: ŷ − y; logistic: σ(ŷ) − y):
//
//   ∂ℓ/∂w₀ = g,   ∂ℓ/∂w_i = g x_i,   ∂ℓ/∂v_if = g (x_i s_f − v_if x_i²)
//
// Trained by mini-batch SGD, Adam or Adagrad with a learning rate and an L2 weight decay per
// term (bias_lr/bias_wd, linear_lr/linear_wd, factors_lr/factors_wd), updating only the
// features a batch touches. The decay counts once per row that holds the feature, as per-row
// SGD applies it: a feature in n of a batch's B rows moves by (Σ_rows g x + wd n w) / B, so a
// rare feature is not shrunk more than a frequent one for each of its ratings. Data parallel: every rank takes its
// slice of each global batch; the ranks' gradients meet either as a dense allreduce of w and V,
// or, when the batch touches fewer features than that costs, as an allgather of only the
// touched rows, summed in rank order.
#pragma once

#include <span>

#include "core/algorithms/algorithm.h"
#include "core/data/sparse_rows.h"

namespace tern {

// The model's parameters: w₀, w [D], V [D, k].
struct FactorizationMachine {
  float bias = 0.0f;
  std::vector<float> linear;   // [D]
  std::vector<float> factors;  // [D, k], row i is v_i
  std::int64_t num_factors = 0;

  // ŷ for one sparse row; `sums` (k values) gets s_f = Σ_i v_if x_i when not null.
  double score(std::span<const std::int64_t> indices, std::span<const float> values, double* sums = nullptr) const;
  // Adds g · ∂ŷ/∂(w_i, v_i) of one row, for each of its features i, to row_of(i) (k + 1
  // values: ∂/∂w_i, then ∂/∂v_i), with `sums` the s_f that score() gave for the row.
  template <typename RowOf>
  void add_gradient(std::span<const std::int64_t> indices, std::span<const float> values, const double* sums, double g,
                    RowOf row_of) const {
    for (std::size_t e = 0; e < indices.size(); ++e) {
      const std::int64_t i = indices[e];
      const double x = values[e];
      float* row = row_of(i);
      const float* v = factors.data() + i * num_factors;
      row[0] += static_cast<float>(g * x);
      for (std::int64_t f = 0; f < num_factors; ++f) row[1 + f] += static_cast<float>(g * (x * sums[f] - v[f] * x * x));
    }
  }
};

class FactorizationMachines : public Algorithm {
 public:
  std::string name() const override { return "factorization-machines"; }
  void fit(JobContext& job) override;
  // Dense rows are read as sparse ones (their nonzero entries).
  Predictions predict(const Dataset& data) override;
  Predictions predict_sparse(const SparseRows& rows) const;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  TaskKind task() const override { return task_; }
  std::int64_t num_features() const override { return static_cast<std::int64_t>(model_.linear.size()); }
  std::int64_t num_classes() const override { return task_ == TaskKind::binary_classification ? 2 : 1; }
  // Sparse files (libsvm, HDF5 CSR) as well as dense ones.
  Predictions predict_file(const std::filesystem::path& path) override;
  MetricValues evaluate_file(const std::filesystem::path& path) override;
  // The managed service's metric names (evaluation.h).
  MetricValues score(const Predictions& predictions, const Tensor& labels) const override;

 private:
  TaskKind task_ = TaskKind::regression;
  FactorizationMachine model_;
};

}  // namespace tern
