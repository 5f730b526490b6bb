#include "kernels/cpu/embedding.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/cpu/thread_band.h"

namespace tern::kernels::cpu {

void check_embedding_ids(const std::int32_t* ids, std::int64_t rows, std::int64_t table_rows) {
  for (std::int64_t r = 0; r < rows; ++r) {
    if (ids[r] < 0 || ids[r] >= table_rows) {
      throw std::out_of_range("embedding id " + std::to_string(ids[r]) + " at row " + std::to_string(r) +
                              " is outside the table of " + std::to_string(table_rows) + " rows");
    }
  }
}

void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t table_rows,
                       std::int64_t features, float* y) {
  check_embedding_ids(ids, rows, table_rows);
#pragma omp parallel for schedule(static) if (rows * features > 16384)
  for (std::int64_t r = 0; r < rows; ++r)
    std::copy_n(table + static_cast<std::int64_t>(ids[r]) * features, features, y + r * features);
}

void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t table_rows,
                        std::int64_t features, float* dtable) {
  check_embedding_ids(ids, rows, table_rows);
#pragma omp parallel if (rows * features > 16384)
  {
    const ThreadBand band = thread_band(features);
    for (std::int64_t r = 0; r < rows; ++r) {
      float* dtable_row = dtable + static_cast<std::int64_t>(ids[r]) * features;
      const float* dy_row = dy + r * features;
      for (std::int64_t c = band.begin; c < band.end; ++c) dtable_row[c] += dy_row[c];
    }
  }
}

}  // namespace tern::kernels::cpu
