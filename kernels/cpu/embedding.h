// Embedding lookup: row r of the output is row ids[r] of a table of `table_rows` rows of
// `features` values.
//   forward   y[r, :] = table[ids[r], :]
//   backward  dtable[ids[r], :] += dy[r, :]   (accumulates; an id repeated in the batch adds
//                                              all its rows, in row order)
// An id outside [0, table_rows) throws std::out_of_range naming the id and its row, before
// anything is written. The backward gives each thread a band of the features (thread_band.h),
// so repeated ids never race and the sums do not depend on the thread count.
#pragma once

#include <cstdint>

namespace tern::kernels::cpu {

// Throws std::out_of_range for the first id outside [0, table_rows), naming it and its row.
void check_embedding_ids(const std::int32_t* ids, std::int64_t rows, std::int64_t table_rows);

void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t table_rows,
                       std::int64_t features, float* y);

void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t table_rows,
                        std::int64_t features, float* dtable);

}  // namespace tern::kernels::cpu
