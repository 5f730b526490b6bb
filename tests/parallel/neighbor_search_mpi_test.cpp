// Exact k-nearest-neighbour search with the index sharded over 1-4 ranks: every rank's merged
// answer equals a plain reference (every distance in float64, sorted by distance then index),
// exactly, on data made of small integers (many equal distances, so the tie rule decides) and
// on real-valued data far from the origin (float32 products lose the low digits, so the
// screening's error bound decides), across GEMM tiles and query blocks, and with shards
// smaller than k.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/algorithms/nearest_neighbors.h"
#include "core/data/distribution.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"
#include "tests/parallel/mpi_test_world.h"

namespace tern {
namespace {

using testing::test_world;

// Rows [count, dimension] of draw(i), the same on every rank.
template <typename Draw>
Tensor make_rows(std::int64_t count, std::int64_t dimension, Draw draw) {
  Tensor rows = Tensor::empty({count, dimension});
  for (std::int64_t i = 0; i < rows.numel(); ++i) rows.data<float>()[i] = draw(static_cast<std::uint64_t>(i));
  return rows;
}

// The k nearest by brute force: every distance in float64, a stable sort.
std::vector<Neighbor> reference_search(const Tensor& index, const Tensor& queries, std::int64_t k,
                                       NeighborMetric metric) {
  const std::int64_t n = index.dim(0), d = index.dim(1);
  std::vector<Neighbor> all;
  for (std::int64_t q = 0; q < queries.dim(0); ++q) {
    std::vector<Neighbor> distances;
    for (std::int64_t r = 0; r < n; ++r) {
      double sum = 0;
      for (std::int64_t i = 0; i < d; ++i) {
        const double a = queries.data<float>()[q * d + i], b = index.data<float>()[r * d + i];
        sum += metric == NeighborMetric::l2 ? (a - b) * (a - b) : a * b;
      }
      distances.push_back({metric == NeighborMetric::l2 ? sum : -sum, r, static_cast<float>(r % 7)});
    }
    std::stable_sort(distances.begin(), distances.end(),
                     [](const Neighbor& a, const Neighbor& b) { return a.distance < b.distance; });
    for (std::int64_t j = 0; j < k; ++j)
      all.push_back(j < n ? distances[static_cast<std::size_t>(j)] : Neighbor{INFINITY, -1, 0.0f});
  }
  return all;
}

// Searches with this rank's shard of `index` and checks the merged answer against the reference.
void expect_sharded_search_exact(const Tensor& index, const Tensor& queries, std::int64_t k, NeighborMetric metric) {
  Communicator& world = test_world();
  const RowRange mine = rank_rows(index.dim(0), world.rank(), world.size());
  Tensor labels = Tensor::empty({mine.size()});
  for (std::int64_t r = 0; r < mine.size(); ++r) labels.data<float>()[r] = static_cast<float>((mine.begin + r) % 7);
  const NeighborIndex shard(index.rows(mine.begin, mine.end).clone(), labels, mine.begin, metric);
  const std::vector<Neighbor> found = search_across_ranks(shard, queries, k, world);
  const std::vector<Neighbor> expected = reference_search(index, queries, k, metric);
  ASSERT_EQ(found.size(), expected.size());
  int wrong = 0;
  for (std::size_t i = 0; i < found.size() && wrong < 5; ++i) {
    if (found[i].index == expected[i].index && found[i].distance == expected[i].distance &&
        found[i].label == expected[i].label)
      continue;
    ++wrong;
    ADD_FAILURE() << "query " << i / static_cast<std::size_t>(k) << " neighbour " << i % static_cast<std::size_t>(k)
                  << ": row " << found[i].index << " at " << found[i].distance << ", expected row "
                  << expected[i].index << " at " << expected[i].distance << " (" << world.size() << " ranks)";
  }
}

float small_integer(std::uint64_t seed, std::uint64_t i) {
  return std::floor(kernels::philox_uniform(seed, i, stream_id("test.knn")) * 4.0f);
}

TEST(NeighborSearchRanks, TiesAmongSmallIntegersGoToTheLowerIndex) {
  // 5,000 rows of 8 values in {0..3}: three tiles of rows, two blocks of queries, and far more
  // rows at each distance than k.
  const Tensor index = make_rows(5000, 8, [](std::uint64_t i) { return small_integer(1, i); });
  const Tensor queries = make_rows(600, 8, [](std::uint64_t i) { return small_integer(2, i); });
  for (const NeighborMetric metric : {NeighborMetric::l2, NeighborMetric::inner_product})
    expect_sharded_search_exact(index, queries, 10, metric);
}

TEST(NeighborSearchRanks, RealValuedRowsFarFromTheOrigin) {
  // 1000 + u: ‖q‖², ‖y‖² ≈ 3·10⁷ while distances are ~10, so float32's products (7 digits)
  // cannot rank the rows; the float64 ranking of the candidates must.
  const auto draw = [](std::uint64_t seed) {
    return [seed](std::uint64_t i) { return 1000.0f + kernels::philox_uniform(seed, i, stream_id("test.knn")); };
  };
  const Tensor index = make_rows(3000, 30, draw(3));
  const Tensor queries = make_rows(40, 30, draw(4));
  for (const NeighborMetric metric : {NeighborMetric::l2, NeighborMetric::inner_product})
    expect_sharded_search_exact(index, queries, 7, metric);
}

TEST(NeighborSearchRanks, ShardsSmallerThanKAndAnIndexSmallerThanK) {
  const Tensor queries = make_rows(5, 3, [](std::uint64_t i) { return small_integer(6, i); });
  expect_sharded_search_exact(make_rows(12, 3, [](std::uint64_t i) { return small_integer(5, i); }), queries, 9,
                              NeighborMetric::l2);
  // Fewer rows than k: the missing neighbours are index −1 at infinity, last.
  expect_sharded_search_exact(make_rows(4, 3, [](std::uint64_t i) { return small_integer(7, i); }), queries, 6,
                              NeighborMetric::l2);
}

}  // namespace
}  // namespace tern
