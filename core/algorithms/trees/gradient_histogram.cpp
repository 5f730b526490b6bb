#include "core/algorithms/trees/gradient_histogram.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tern {

namespace {

// The largest power of two s with s·largest·rows < 2^62 (1 when largest is 0).
double fixed_point_scale(double largest, std::int64_t rows) {
  if (!(largest > 0.0)) return 1.0;
  TERN_CHECK(std::isfinite(largest), "gbdt: a gradient or hessian is not finite (", largest,
             "); check the labels and weights");
  const double budget = std::ldexp(1.0, 62) / (largest * static_cast<double>(std::max<std::int64_t>(rows, 1)));
  return std::ldexp(1.0, static_cast<int>(std::floor(std::log2(budget))));
}

constexpr std::size_t kPrefetchDistance = 16;  // rows ahead: a node's rows are scattered over the matrix

template <typename BinType>
void add_rows(const BinnedMatrix& matrix, std::span<const RowIndex> rows, const GradientSum* gradients,
              GradientSum* histogram) {
  const BinType* bins = matrix.data<BinType>();
  const std::int64_t features = matrix.features();
  const std::int64_t* offsets = matrix.slot_offsets().data();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetchDistance < rows.size()) {
      __builtin_prefetch(bins + static_cast<std::int64_t>(rows[i + kPrefetchDistance]) * features);
      __builtin_prefetch(gradients + rows[i + kPrefetchDistance]);
    }
    const BinType* row_bins = bins + static_cast<std::int64_t>(rows[i]) * features;
    const GradientSum gradient = gradients[rows[i]];
    for (std::int64_t f = 0; f < features; ++f) histogram[offsets[f] + row_bins[f]] += gradient;
  }
}

void add_rows(const BinnedMatrix& matrix, std::span<const RowIndex> rows, const GradientSum* gradients,
              GradientSum* histogram) {
  if (matrix.wide()) add_rows<std::uint16_t>(matrix, rows, gradients, histogram);
  else add_rows<std::uint8_t>(matrix, rows, gradients, histogram);
}

constexpr std::int64_t kRowsPerThread = 8192;  // below this a thread's own histogram costs more than it saves

}  // namespace

GradientQuantizer::GradientQuantizer(double max_abs_grad, double max_hess, std::int64_t total_rows)
    : grad_scale_(fixed_point_scale(max_abs_grad, total_rows)), hess_scale_(fixed_point_scale(max_hess, total_rows)) {}

GradientSum GradientQuantizer::quantize(double grad, double hess) const {
  // Rounding half away from zero, as std::llround does, without its library call.
  const auto nearest = [](double value) { return static_cast<std::int64_t>(value < 0.0 ? value - 0.5 : value + 0.5); };
  return {nearest(grad * grad_scale_), nearest(hess * hess_scale_)};
}

void build_histograms(const BinnedMatrix& matrix, std::span<const std::span<const RowIndex>> rows,
                      std::span<const GradientSum> gradients, std::span<Histogram* const> histograms) {
  const auto slots = static_cast<std::size_t>(matrix.total_slots());
  const auto nodes = static_cast<std::int64_t>(histograms.size());
  for (Histogram* histogram : histograms) histogram->assign(slots, GradientSum{});
  if (nodes >= omp_get_max_threads()) {
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t node = 0; node < nodes; ++node)
      add_rows(matrix, rows[static_cast<std::size_t>(node)], gradients.data(), histograms[static_cast<std::size_t>(node)]->data());
    return;
  }
  for (std::int64_t node = 0; node < nodes; ++node) {
    const std::span<const RowIndex> node_rows = rows[static_cast<std::size_t>(node)];
    Histogram& histogram = *histograms[static_cast<std::size_t>(node)];
    const auto count = static_cast<std::int64_t>(node_rows.size());
    const int threads = static_cast<int>(std::min<std::int64_t>(omp_get_max_threads(), count / kRowsPerThread));
    if (threads <= 1) {
      add_rows(matrix, node_rows, gradients.data(), histogram.data());
      continue;
    }
    std::vector<Histogram> partial(static_cast<std::size_t>(threads), Histogram(slots));
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num();
      const std::int64_t begin = count * t / threads, end = count * (t + 1) / threads;
      add_rows(matrix, node_rows.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)),
               gradients.data(), partial[static_cast<std::size_t>(t)].data());
#pragma omp barrier
#pragma omp for schedule(static)
      for (std::int64_t slot = 0; slot < static_cast<std::int64_t>(slots); ++slot)
        for (const Histogram& part : partial) histogram[static_cast<std::size_t>(slot)] += part[static_cast<std::size_t>(slot)];
    }
  }
}

void allreduce_histograms(std::span<Histogram* const> histograms, Communicator& comm) {
  if (comm.size() == 1 || histograms.empty()) return;
  std::vector<std::int64_t> packed;
  for (const Histogram* histogram : histograms)
    for (const GradientSum& slot : *histogram) {
      packed.push_back(slot.grad);
      packed.push_back(slot.hess);
    }
  comm.allreduce(packed.data(), static_cast<std::int64_t>(packed.size()), CommType::i64, ReduceOp::sum);
  std::size_t at = 0;
  for (Histogram* histogram : histograms)
    for (GradientSum& slot : *histogram) {
      slot.grad = packed[at++];
      slot.hess = packed[at++];
    }
}

}  // namespace tern
