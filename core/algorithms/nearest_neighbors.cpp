#include "core/algorithms/nearest_neighbors.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/algorithms/fixed_order_sums.h"
#include "kernels/cpu/gemm.h"

namespace tern {

namespace {

constexpr std::int64_t kQueryBlock = 1024;  // queries screened together: one GEMM's rows
constexpr std::int64_t kRowTile = 4096;    // index rows a GEMM takes (the products: 16 MiB, measured 11% faster than 4)

constexpr double kInfinity = std::numeric_limits<double>::infinity();

double squared_norm(const float* x, std::int64_t dimension) { return fixed_order_dot(x, x, dimension); }

// d(q, y) in float64 in a fixed order (fixed_order_sums.h): the same number wherever it is computed.
double exact_distance(const float* q, const float* y, std::int64_t dimension, NeighborMetric metric) {
  return metric == NeighborMetric::l2 ? fixed_order_squared_distance(q, y, dimension) : -fixed_order_dot(q, y, dimension);
}

// One query's screening: the k smallest screened distances so far (a max-heap, so its top is
// the threshold t) and every row within t + slack of them.
class Screen {
 public:
  Screen(std::int64_t k, double slack) : k_(static_cast<std::size_t>(k)), slack_(slack) {}

  void offer(double approximate, std::int64_t row) {
    if (approximate > threshold() + slack_) return;
    candidates_.push_back({approximate, row});
    if (best_.size() < k_) {
      best_.push_back(approximate);
      std::push_heap(best_.begin(), best_.end());
    } else if (approximate < best_.front()) {
      std::pop_heap(best_.begin(), best_.end());
      best_.back() = approximate;
      std::push_heap(best_.begin(), best_.end());
    }
  }

  // Drops the candidates that the threshold has since passed (now and then, to bound memory).
  void prune(bool always) {
    if (!always && candidates_.size() < 4 * k_ + 64) return;
    const double limit = threshold() + slack_;
    std::erase_if(candidates_, [&](const Candidate& c) { return c.approximate > limit; });
  }

  template <typename Visit>
  void for_each_candidate(Visit visit) const {
    for (const Candidate& candidate : candidates_) visit(candidate.row);
  }

 private:
  struct Candidate {
    double approximate;
    std::int64_t row;
  };
  double threshold() const { return best_.size() < k_ ? kInfinity : best_.front(); }

  std::size_t k_;
  double slack_;
  std::vector<double> best_;
  std::vector<Candidate> candidates_;
};

}  // namespace

bool operator<(const Neighbor& a, const Neighbor& b) {
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
}

NeighborIndex::NeighborIndex(Tensor rows, Tensor labels, std::int64_t first_index, NeighborMetric metric)
    : rows_(std::move(rows)), labels_(std::move(labels)), first_index_(first_index), metric_(metric) {
  TERN_CHECK(rows_.ndim() == 2 && labels_.ndim() == 1 && rows_.dim(0) == labels_.dim(0),
             "neighbour index: rows ", shape_string(rows_.shape()), " and labels ", shape_string(labels_.shape()));
  squared_norms_.resize(static_cast<std::size_t>(size()));
#pragma omp parallel for schedule(static)
  for (std::int64_t row = 0; row < size(); ++row)
    squared_norms_[static_cast<std::size_t>(row)] = squared_norm(rows_.data<float>() + row * dimension(), dimension());
  for (const double norm : squared_norms_) largest_norm_ = std::max(largest_norm_, std::sqrt(norm));
}

std::vector<Neighbor> NeighborIndex::search(const Tensor& queries, std::int64_t k) const {
  TERN_CHECK(queries.ndim() == 2 && queries.dim(1) == dimension(), "neighbour search: queries of shape ",
             shape_string(queries.shape()), " for an index of dimension ", dimension());
  TERN_CHECK(k >= 1, "neighbour search: k = ", k);
  const std::int64_t count = queries.dim(0), dimension = this->dimension();
  const float* index_rows = rows_.data<float>();
  std::vector<Neighbor> found(static_cast<std::size_t>(count * k), Neighbor{kInfinity, -1, 0.0f});
  const double unit = std::ldexp(1.0, -24), gamma = dimension * unit / (1.0 - dimension * unit);
  const double double_unit = std::ldexp(1.0, -53);
  std::vector<float> products(static_cast<std::size_t>(kQueryBlock * kRowTile));

  for (std::int64_t first_query = 0; first_query < count; first_query += kQueryBlock) {
    const std::int64_t block = std::min(kQueryBlock, count - first_query);
    const float* block_queries = queries.data<float>() + first_query * dimension;
    std::vector<double> query_norms(static_cast<std::size_t>(block));
    std::vector<Screen> screens;
    screens.reserve(static_cast<std::size_t>(block));
    for (std::int64_t q = 0; q < block; ++q) {
      const double norm2 = squared_norm(block_queries + q * dimension, dimension), norm = std::sqrt(norm2);
      // |d̃ − d|: the float32 product's error (twice it, for L2), plus float64 rounding of d̃.
      const double product_error = gamma * norm * largest_norm_;
      const double bound = metric_ == NeighborMetric::l2
                               ? 2.0 * product_error + 8.0 * double_unit * (norm + largest_norm_) * (norm + largest_norm_)
                               : product_error + 4.0 * double_unit * norm * largest_norm_;
      query_norms[static_cast<std::size_t>(q)] = norm2;
      screens.emplace_back(k, 2.0 * bound);
    }
    for (std::int64_t first_row = 0; first_row < size(); first_row += kRowTile) {
      const std::int64_t tile = std::min(kRowTile, size() - first_row);
      kernels::cpu::gemm(kernels::Transpose::no, kernels::Transpose::yes, block, tile, dimension, 1.0f, block_queries, dimension,
                         index_rows + first_row * dimension, dimension, 0.0f, products.data(), tile);
#pragma omp parallel for schedule(static)
      for (std::int64_t q = 0; q < block; ++q) {
        Screen& screen = screens[static_cast<std::size_t>(q)];
        const float* query_products = products.data() + q * tile;
        for (std::int64_t j = 0; j < tile; ++j) {
          const double product = query_products[j];
          const double approximate =
              metric_ == NeighborMetric::l2
                  ? query_norms[static_cast<std::size_t>(q)] + squared_norms_[static_cast<std::size_t>(first_row + j)] -
                        2.0 * product
                  : -product;
          screen.offer(approximate, first_row + j);
        }
        screen.prune(false);
      }
    }
#pragma omp parallel for schedule(static)
    for (std::int64_t q = 0; q < block; ++q) {
      Screen& screen = screens[static_cast<std::size_t>(q)];
      screen.prune(true);
      std::vector<Neighbor> ranked;
      screen.for_each_candidate([&](std::int64_t row) {
        ranked.push_back({exact_distance(block_queries + q * dimension, index_rows + row * dimension, dimension, metric_),
                          first_index_ + row, labels_.data<float>()[row]});
      });
      const auto kept = std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(k));
      std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept), ranked.end());
      std::copy_n(ranked.begin(), kept, found.begin() + (first_query + q) * k);
    }
  }
  return found;
}

std::vector<Neighbor> search_across_ranks(const NeighborIndex& shard, const Tensor& queries, std::int64_t k,
                                          Communicator& comm) {
  const std::vector<Neighbor> mine = shard.search(queries, k);
  if (comm.size() == 1) return mine;
  const auto ranks = static_cast<std::size_t>(comm.size());
  const std::int64_t count = queries.dim(0);
  std::vector<Neighbor> all(ranks * mine.size());
  const std::vector<std::int64_t> bytes(ranks, static_cast<std::int64_t>(mine.size() * sizeof(Neighbor)));
  comm.allgatherv(mine.data(), bytes, CommType::u8, all.data());
  std::vector<Neighbor> merged(mine.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t q = 0; q < count; ++q) {
    std::vector<Neighbor> pooled;
    pooled.reserve(ranks * static_cast<std::size_t>(k));
    for (std::size_t rank = 0; rank < ranks; ++rank) {
      const auto first = all.begin() + static_cast<std::ptrdiff_t>(rank * mine.size()) + q * k;
      pooled.insert(pooled.end(), first, first + k);
    }
    std::partial_sort(pooled.begin(), pooled.begin() + k, pooled.end());
    std::copy_n(pooled.begin(), k, merged.begin() + q * k);
  }
  return merged;
}

}  // namespace tern
