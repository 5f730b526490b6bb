#include "kernels/cpu/embedding.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/common/embedding_math.h"
#include "kernels/cpu/thread_band.h"

namespace tern::kernels::cpu {

void check_embedding_ids(const std::int32_t* ids, std::int64_t rows, std::int64_t vocab) {
  for (std::int64_t r = 0; r < rows; ++r) {
    if (!kernels::holds_id(ids[r], 0, vocab)) {
      throw std::out_of_range("embedding id " + std::to_string(ids[r]) + " at row " + std::to_string(r) +
                              " is outside the vocabulary of " + std::to_string(vocab) + " ids");
    }
  }
}

void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t first_id,
                       std::int64_t table_rows, std::int64_t vocab, std::int64_t features, float* y) {
  check_embedding_ids(ids, rows, vocab);
#pragma omp parallel for schedule(static) if (rows * features > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    float* y_row = y + r * features;
    if (kernels::holds_id(ids[r], first_id, table_rows)) {
      std::copy_n(table + (ids[r] - first_id) * features, features, y_row);
    } else {
      std::fill_n(y_row, features, 0.0f);
    }
  }
}

void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t first_id,
                        std::int64_t table_rows, std::int64_t features, float* dtable) {
#pragma omp parallel if (rows * features > 16384)
  {
    const ThreadBand band = thread_band(features);
    for (std::int64_t r = 0; r < rows; ++r) {
      if (!kernels::holds_id(ids[r], first_id, table_rows)) continue;
      float* dtable_row = dtable + (ids[r] - first_id) * features;
      const float* dy_row = dy + r * features;
      for (std::int64_t c = band.begin; c < band.end; ++c) dtable_row[c] += dy_row[c];
    }
  }
}

}  // namespace tern::kernels::cpu
