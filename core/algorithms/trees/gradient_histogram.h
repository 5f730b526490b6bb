// Gradient histograms of the histogram method, in fixed point so that they are the same on
// any number of ranks and threads.
//
// A row's gradient g and hessian h are rounded once to integers, ĝ = round(g·2^a) and
// ĥ = round(h·2^b), with the scales chosen per tree from the largest |g| and h over all ranks
// so that no sum over the whole data set can overflow 63 bits (2^a·max|g|·rows < 2^62). Integer
// addition is associative, so a node's histogram, built per thread, summed across threads and
// allreduced across ranks in any order, is exactly the same number everywhere; the split
// search then reads the same sums on every rank and picks the same split. The rounding error,
// 2^−a per row, is below 10^−12 of the largest gradient for a million rows.
//
// The histogram of a node holds, for every slot of every feature (binned_matrix.h), the sum of
// (ĝ, ĥ) over the node's rows whose value falls in that slot.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/algorithms/trees/binned_matrix.h"
#include "core/comm.h"

namespace tern {

struct GradientSum {
  std::int64_t grad = 0, hess = 0;

  GradientSum& operator+=(const GradientSum& other) {
    grad += other.grad;
    hess += other.hess;
    return *this;
  }
  GradientSum& operator-=(const GradientSum& other) {
    grad -= other.grad;
    hess -= other.hess;
    return *this;
  }
  friend GradientSum operator-(GradientSum a, const GradientSum& b) { return a -= b; }
  friend GradientSum operator+(GradientSum a, const GradientSum& b) { return a += b; }
};

class GradientQuantizer {
 public:
  // Scales for gradients up to max_abs_grad and hessians up to max_hess over total_rows rows.
  GradientQuantizer(double max_abs_grad, double max_hess, std::int64_t total_rows);

  GradientSum quantize(double grad, double hess) const;
  double grad(std::int64_t sum) const { return static_cast<double>(sum) / grad_scale_; }
  double hess(std::int64_t sum) const { return static_cast<double>(sum) / hess_scale_; }

 private:
  double grad_scale_ = 1.0, hess_scale_ = 1.0;
};

using Histogram = std::vector<GradientSum>;

// The histograms [matrix.total_slots()] of several nodes, each of its listed rows (indices into
// the matrix), each row adding gradients[row]. With as many nodes as threads, the threads take
// whole nodes; otherwise each node's rows are split over the threads, each filling its own
// histogram, and the thread histograms are then added.
void build_histograms(const BinnedMatrix& matrix, std::span<const std::span<const RowIndex>> rows,
                      std::span<const GradientSum> gradients, std::span<Histogram* const> histograms);

// Sums histograms over the ranks, in place, with one allreduce over all of them.
void allreduce_histograms(std::span<Histogram* const> histograms, Communicator& comm);

}  // namespace tern
