// The CUDA embedding against the CPU one on awkward shapes (rows × features) with a small
// vocabulary, so that ids repeat, held whole and as a shard of its rows: the forward is a copy
// and the backward adds each element's rows in row order on both, so both must agree bit for
// bit. An id outside the vocabulary sets the error flag and zeroes its output row, and the
// backward skips it.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "kernels/cpu/embedding.h"
#include "kernels/cuda/embedding.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;

std::vector<std::int32_t> random_ids(std::int64_t rows, std::int32_t table_rows, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<std::int32_t> distribution(0, table_rows - 1);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(rows));
  for (std::int32_t& id : ids) id = distribution(generator);
  return ids;
}

// The whole vocabulary of 50 ids, and its shard [20, 37).
TEST(EmbeddingGpu, ForwardAndBackwardEqualTheCpuBitForBit) {
  TERN_REQUIRE_CUDA_DEVICE();
  const std::int32_t vocab = 50;
  for (const auto& [first_id, table_rows] : {std::pair<std::int64_t, std::int64_t>{0, vocab}, {20, 17}}) {
    for (const auto [rows, features] : testing::awkward_matrix_shapes()) {
      SCOPED_TRACE(::testing::Message() << "rows [" << first_id << ", " << first_id + table_rows << "), " << rows
                                        << " x " << features);
      const auto ids = random_ids(rows, vocab, 1);
      const auto table = testing::random_floats(table_rows * features, 2),
                 dy = testing::random_floats(rows * features, 3);
      std::vector<float> y(rows * features), dtable = testing::random_floats(table_rows * features, 4);
      DeviceArray<std::int32_t> device_ids(ids);
      DeviceArray<float> device_table(table), device_dy(dy), device_y(rows * features), device_dtable(dtable);
      DeviceArray<int> error_flag(std::vector<int>{0});
      cpu::embedding_forward(ids.data(), table.data(), rows, first_id, table_rows, vocab, features, y.data());
      cpu::embedding_backward(ids.data(), dy.data(), rows, first_id, table_rows, features, dtable.data());
      cuda::embedding_forward(device_ids.data(), device_table.data(), rows, first_id, table_rows, vocab, features,
                              device_y.data(), error_flag.data(), nullptr);
      cuda::embedding_backward(device_ids.data(), device_dy.data(), rows, first_id, table_rows, features,
                               device_dtable.data(), nullptr);
      EXPECT_EQ(y, device_y.to_host());
      EXPECT_EQ(dtable, device_dtable.to_host());
      EXPECT_EQ(error_flag.to_host()[0], 0);
    }
  }
}

TEST(EmbeddingGpu, AnOutOfRangeIdSetsTheFlagZeroesItsRowAndIsSkippedByTheBackward) {
  TERN_REQUIRE_CUDA_DEVICE();
  const std::int32_t table_rows = 6;
  const std::int64_t features = 35;
  const std::vector<std::int32_t> ids = {0, 5, table_rows + 2, 1, -1, 5};
  const std::vector<std::int32_t> valid_ids = {0, 5, 1, 5};
  const auto rows = static_cast<std::int64_t>(ids.size());
  const auto table = testing::random_floats(table_rows * features, 5), dy = testing::random_floats(rows * features, 6);
  DeviceArray<std::int32_t> device_ids(ids);
  DeviceArray<float> device_table(table), device_dy(dy), device_y(rows * features);
  DeviceArray<int> error_flag(std::vector<int>{0});
  cuda::embedding_forward(device_ids.data(), device_table.data(), rows, 0, table_rows, table_rows, features,
                          device_y.data(), error_flag.data(), nullptr);
  EXPECT_EQ(error_flag.to_host()[0], 1);
  const auto y = device_y.to_host();
  for (std::int64_t r = 0; r < rows; ++r) {
    const bool valid = ids[r] >= 0 && ids[r] < table_rows;
    for (std::int64_t c = 0; c < features; ++c)
      EXPECT_EQ(y[r * features + c], valid ? table[ids[r] * features + c] : 0.0f) << "row " << r << ", feature " << c;
  }

  std::vector<float> dtable(table_rows * features, 0.0f), valid_dy;
  for (std::int64_t r = 0; r < rows; ++r) {
    if (ids[r] >= 0 && ids[r] < table_rows)
      valid_dy.insert(valid_dy.end(), dy.begin() + r * features, dy.begin() + (r + 1) * features);
  }
  cpu::embedding_backward(valid_ids.data(), valid_dy.data(), static_cast<std::int64_t>(valid_ids.size()), 0,
                          table_rows, features, dtable.data());
  DeviceArray<float> device_dtable(std::vector<float>(dtable.size(), 0.0f));
  cuda::embedding_backward(device_ids.data(), device_dy.data(), rows, 0, table_rows, features, device_dtable.data(),
                           nullptr);
  EXPECT_EQ(dtable, device_dtable.to_host());
}

}  // namespace
}  // namespace tern::kernels
