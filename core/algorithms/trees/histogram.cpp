#include "core/algorithms/trees/histogram.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/algorithms/trees/row_shares.h"
#include "core/error.h"

namespace tern {

namespace {

// The largest power of two s with s·largest·rows < 2^62 (1 when largest is 0).
double fixed_point_scale(double largest, std::int64_t rows) {
  TERN_CHECK(std::isfinite(largest), "trees: a gradient, hessian, target or weight is not finite (", largest,
             "); check the labels and weights");
  largest = std::abs(largest);
  if (largest == 0.0) return 1.0;
  const double budget = std::ldexp(1.0, 62) / (largest * static_cast<double>(std::max<std::int64_t>(rows, 1)));
  return std::ldexp(1.0, static_cast<int>(std::floor(std::log2(budget))));
}

constexpr std::size_t kPrefetchDistance = 16;  // rows ahead: a node's rows are scattered over the matrix

// Adds rows to a histogram. kWidth is the statistics' width when known at compile time (the
// two of boosting, the common case, unrolled), else 0 and `width` holds it; kAllFeatures says
// the layout is every feature, in order, which spares a lookup per value.
template <typename BinType, std::int64_t kWidth, bool kAllFeatures>
void add_rows(const BinnedMatrix& matrix, const HistogramLayout& layout, std::span<const RowIndex> rows,
              const RowStatistics& statistics, std::int64_t* histogram) {
  const std::int64_t width = kWidth > 0 ? kWidth : statistics.width;
  const BinType* bins = matrix.data<BinType>();
  const std::int64_t features = matrix.features(), listed = static_cast<std::int64_t>(layout.features().size());
  const std::int64_t* offsets = layout.offsets().data();
  const std::int64_t* feature_of = layout.features().data();
  const std::int64_t* values = statistics.values.data();  // held here: a histogram store could alias the struct
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetchDistance < rows.size()) {
      __builtin_prefetch(bins + static_cast<std::int64_t>(rows[i + kPrefetchDistance]) * features);
      __builtin_prefetch(values + static_cast<std::int64_t>(rows[i + kPrefetchDistance]) * width);
    }
    const BinType* row_bins = bins + static_cast<std::int64_t>(rows[i]) * features;
    const std::int64_t* row = values + static_cast<std::int64_t>(rows[i]) * width;
    if constexpr (kWidth == 2) {  // the row's two values held in registers, not reloaded after each store
      const std::int64_t first = row[0], second = row[1];
      for (std::int64_t j = 0; j < listed; ++j) {
        std::int64_t* slot = histogram + (offsets[j] + row_bins[kAllFeatures ? j : feature_of[j]]) * 2;
        slot[0] += first;
        slot[1] += second;
      }
    } else {
      for (std::int64_t j = 0; j < listed; ++j) {
        std::int64_t* slot = histogram + (offsets[j] + row_bins[kAllFeatures ? j : feature_of[j]]) * width;
        for (std::int64_t c = 0; c < width; ++c) slot[c] += row[c];
      }
    }
  }
}

template <typename BinType, std::int64_t kWidth>
void add_rows_of_layout(const BinnedMatrix& matrix, const HistogramLayout& layout, std::span<const RowIndex> rows,
                        const RowStatistics& statistics, std::int64_t* histogram) {
  if (layout.all_features()) add_rows<BinType, kWidth, true>(matrix, layout, rows, statistics, histogram);
  else add_rows<BinType, kWidth, false>(matrix, layout, rows, statistics, histogram);
}

template <typename BinType>
void add_rows_of_width(const BinnedMatrix& matrix, const HistogramLayout& layout, std::span<const RowIndex> rows,
                       const RowStatistics& statistics, std::int64_t* histogram) {
  if (statistics.width == 2) add_rows_of_layout<BinType, 2>(matrix, layout, rows, statistics, histogram);
  else add_rows_of_layout<BinType, 0>(matrix, layout, rows, statistics, histogram);
}

void add_rows(const BinnedMatrix& matrix, const HistogramLayout& layout, std::span<const RowIndex> rows,
              const RowStatistics& statistics, std::int64_t* histogram) {
  if (matrix.wide()) add_rows_of_width<std::uint16_t>(matrix, layout, rows, statistics, histogram);
  else add_rows_of_width<std::uint8_t>(matrix, layout, rows, statistics, histogram);
}

constexpr std::int64_t kRowsPerThread = 8192;  // below this a thread's own histogram costs more than it saves

}  // namespace

HistogramLayout::HistogramLayout(const BinnedMatrix& matrix)
    : offsets_(matrix.slot_offsets()), all_features_(true) {
  for (std::int64_t f = 0; f < matrix.features(); ++f) features_.push_back(f);
}

HistogramLayout::HistogramLayout(const BinnedMatrix& matrix, std::vector<std::int64_t> features)
    : features_(std::move(features)), offsets_{0} {
  for (const std::int64_t f : features_) offsets_.push_back(offsets_.back() + matrix.missing_bin(f) + 1);
  all_features_ = static_cast<std::int64_t>(features_.size()) == matrix.features();
}

FixedPointScales::FixedPointScales(std::span<const double> largest, std::int64_t total_rows) {
  for (const double value : largest) {
    scales_.push_back(fixed_point_scale(value, total_rows));
    inverse_scales_.push_back(1.0 / scales_.back());
  }
}

std::vector<double> exact_sums(std::span<const double> values, std::int64_t columns, std::int64_t total_rows,
                               Communicator& comm) {
  std::vector<double> largest(static_cast<std::size_t>(columns), 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    TERN_CHECK(std::isfinite(values[i]), "trees: a weight or target sum is not finite (", values[i], ")");
    double& column = largest[i % static_cast<std::size_t>(columns)];
    column = std::max(column, std::abs(values[i]));
  }
  allreduce(comm, std::span<double>(largest), ReduceOp::max);
  const FixedPointScales scales(largest, total_rows);
  std::vector<std::int64_t> sums(static_cast<std::size_t>(columns), 0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto column = static_cast<std::int64_t>(i % static_cast<std::size_t>(columns));
    sums[static_cast<std::size_t>(column)] += scales.quantize(column, values[i]);
  }
  allreduce(comm, std::span<std::int64_t>(sums), ReduceOp::sum);
  std::vector<double> totals(static_cast<std::size_t>(columns));
  scales.values(sums.data(), totals.data());
  return totals;
}

void build_histograms(const BinnedMatrix& matrix, std::span<const HistogramLayout* const> layouts,
                      std::span<const std::span<const RowIndex>> rows, const RowStatistics& statistics,
                      std::span<Histogram* const> histograms) {
  std::vector<std::int64_t> counts;
  for (const std::span<const RowIndex> node_rows : rows) counts.push_back(static_cast<std::int64_t>(node_rows.size()));
  const int threads = threads_for_rows(counts, kRowsPerThread);
  const std::vector<std::vector<RowShare>> shares = share_rows(counts, threads);
  const std::vector<std::vector<SharePlace>> parts = node_parts(shares, histograms.size());
  for (std::size_t node = 0; node < histograms.size(); ++node) {
    histograms[node]->resize(static_cast<std::size_t>(layouts[node]->total_slots() * statistics.width));
    if (counts[node] == 0) std::fill(histograms[node]->begin(), histograms[node]->end(), 0);  // no thread takes it
  }
  // A node split between threads gets a partial histogram from each of its parts, added after.
  std::vector<std::vector<Histogram>> partial(shares.size());  // by thread, by share (empty: whole)
#pragma omp parallel num_threads(threads)
  {
    // Each thread zeroes what it fills, its own memory bandwidth and pages: for wide data the
    // histograms are megabytes. A team smaller than asked for (OMP_DYNAMIC, a thread limit)
    // still takes every share.
    for (auto t = static_cast<std::size_t>(omp_get_thread_num()); t < shares.size();
         t += static_cast<std::size_t>(omp_get_num_threads())) {
      partial[t].resize(shares[t].size());
      for (std::size_t i = 0; i < shares[t].size(); ++i) {
        const RowShare& share = shares[t][i];
        Histogram& target = share.whole ? *histograms[share.node] : partial[t][i];
        if (share.whole) std::fill(target.begin(), target.end(), 0);
        else target.assign(histograms[share.node]->size(), 0);
        add_rows(matrix, *layouts[share.node],
                 rows[share.node].subspan(static_cast<std::size_t>(share.begin),
                                          static_cast<std::size_t>(share.end - share.begin)),
                 statistics, target.data());
      }
    }
#pragma omp barrier
    for (std::size_t node = 0; node < histograms.size(); ++node) {
      if (parts[node].size() < 2) continue;  // taken whole, or by no thread
      Histogram& histogram = *histograms[node];
#pragma omp for schedule(static)
      for (std::size_t at = 0; at < histogram.size(); ++at) {
        std::int64_t sum = 0;
        for (const auto& [thread, i] : parts[node]) sum += partial[thread][i][at];
        histogram[at] = sum;
      }
    }
  }
}

FeatureShares::FeatureShares(const BinnedMatrix& matrix, int ranks) : starts_{0} {
  // Rank r's run ends at the first feature whose slots start at or past (r + 1)/ranks of them all.
  std::int64_t feature = 0;
  for (int r = 1; r <= ranks; ++r) {
    const std::int64_t boundary = matrix.total_slots() * r / ranks;
    while (feature < matrix.features() && matrix.slot_offset(feature) < boundary) ++feature;
    starts_.push_back(r == ranks ? matrix.features() : feature);
  }
}

int FeatureShares::owner(std::int64_t feature) const {
  return static_cast<int>(std::upper_bound(starts_.begin(), starts_.end(), feature) - starts_.begin()) - 1;
}

std::vector<std::int64_t> FeatureShares::of_rank(const std::vector<std::int64_t>& features, int rank) const {
  return {std::lower_bound(features.begin(), features.end(), begin(rank)),
          std::lower_bound(features.begin(), features.end(), end(rank))};
}

void reduce_scatter_histograms(std::span<Histogram* const> histograms, std::span<const HistogramLayout* const> layouts,
                               std::int64_t width, const FeatureShares& shares, Communicator& comm) {
  if (comm.size() == 1 || histograms.empty()) return;
  // Rank r's values of histogram h: [first, last) of its slots, times the width.
  const auto share_of = [&](std::size_t h, int r) {
    const std::vector<std::int64_t>& features = layouts[h]->features();
    const auto listed = [&](std::int64_t feature) {
      return std::lower_bound(features.begin(), features.end(), feature) - features.begin();
    };
    return std::pair{layouts[h]->offsets()[static_cast<std::size_t>(listed(shares.begin(r)))] * width,
                     layouts[h]->offsets()[static_cast<std::size_t>(listed(shares.end(r)))] * width};
  };
  std::vector<std::int64_t> packed, counts;  // every rank's block: its share of each histogram in turn
  for (int r = 0; r < comm.size(); ++r) {
    const auto before = static_cast<std::int64_t>(packed.size());
    for (std::size_t h = 0; h < histograms.size(); ++h) {
      const auto [first, last] = share_of(h, r);
      packed.insert(packed.end(), histograms[h]->begin() + first, histograms[h]->begin() + last);
    }
    counts.push_back(static_cast<std::int64_t>(packed.size()) - before);
  }
  std::vector<std::int64_t> received(static_cast<std::size_t>(counts[static_cast<std::size_t>(comm.rank())]));
  comm.reduce_scatter(packed.data(), counts, CommType::i64, ReduceOp::sum, received.data());
  auto from = received.begin();
  for (std::size_t h = 0; h < histograms.size(); ++h) {
    const auto [first, last] = share_of(h, comm.rank());
    std::copy_n(from, last - first, histograms[h]->begin() + first);
    from += last - first;
  }
}

}  // namespace tern
