// Exact k-nearest-neighbour search by brute force, the engine of the knn algorithm: an index of
// labelled float32 rows, searched for many queries at once, on one rank or sharded over ranks.
//
//   L2:             d(q, y) = ‖q − y‖²
//   inner product:  d(q, y) = −q·y        (the largest product is the nearest)
//
// The answer is the k rows of smallest d, ties broken by the row's index, with d computed
// exactly enough that it never depends on how the index is cut up. Two stages:
//   1. screen: the products q·y of a block of queries and a tile of rows come from one float32
//      GEMM (oneDNN); d̃ = ‖q‖² + ‖y‖² − 2 q·y. A float32 dot product of D terms, summed in any
//      order, is within e = γ_D ‖q‖‖y‖ of the true one (γ_D = D·u / (1 − D·u), u = 2⁻²⁴), so
//      |d̃ − d| ≤ 2e (e for the inner product). Every row with d̃ ≤ t + 4e, t the k-th smallest
//      d̃ so far, stays a candidate: no row of the true top k is ever dropped, however the GEMM
//      ordered its sums.
//   2. rank: the candidates' d again, in float64 in a fixed order (exact products of float32
//      values, summed as fixed_order_sums.h defines), sorted by (d, index).
// So a row's distance is the same number on every rank, and sharding the index, merging each
// shard's top k into the global top k, gives the single-rank answer exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "core/comm.h"
#include "core/tensor/tensor.h"

namespace tern {

enum class NeighborMetric { l2, inner_product };

// One neighbour of a query. Missing neighbours (an index of fewer than k rows) have index −1
// and an infinite distance.
struct Neighbor {
  double distance = 0.0;
  std::int64_t index = -1;  // the row's number in the whole index (all shards)
  float label = 0.0f;       // the row's label
};
bool operator<(const Neighbor& a, const Neighbor& b);  // by distance, then index

class NeighborIndex {
 public:
  // rows f32 [N, D] and their labels f32 [N]; first_index numbers row 0 (a shard's offset).
  NeighborIndex(Tensor rows, Tensor labels, std::int64_t first_index, NeighborMetric metric);

  std::int64_t size() const { return rows_.dim(0); }
  std::int64_t dimension() const { return rows_.dim(1); }
  const Tensor& rows() const { return rows_; }
  const Tensor& labels() const { return labels_; }

  // The k nearest rows of each query (f32 [Q, D]), nearest first: Q·k neighbours, query by query.
  std::vector<Neighbor> search(const Tensor& queries, std::int64_t k) const;

 private:
  Tensor rows_, labels_;
  std::int64_t first_index_;
  NeighborMetric metric_;
  std::vector<double> squared_norms_;  // ‖y‖² of each row, in float64
  double largest_norm_ = 0.0;          // max ‖y‖
};

// The global k nearest of each query when every rank holds one shard of the index (numbered
// consecutively) and searches the same queries: each rank's k-lists are gathered and merged.
std::vector<Neighbor> search_across_ranks(const NeighborIndex& shard, const Tensor& queries, std::int64_t k,
                                          Communicator& comm);

}  // namespace tern
