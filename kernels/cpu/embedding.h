// Embedding lookup: row r of the output is the row of id ids[r] in a table that holds the rows
// [first_id, first_id + table_rows) of a vocabulary of `vocab` ids, `features` values each. The
// whole vocabulary is first_id = 0, table_rows = vocab; a shard of it is one tensor-parallel
// rank's part of a vocabulary-parallel embedding (Megatron-LM), whose outputs the ranks sum.
//   forward   y[r, :] = table[ids[r] - first_id, :] when this shard holds ids[r], else 0
//   backward  dtable[ids[r] - first_id, :] += dy[r, :] for the same rows   (accumulates; an id
//             repeated in the batch adds all its rows, in row order)
// The forward throws std::out_of_range for an id outside [0, vocab), naming the id and its row,
// before anything is written; the backward skips the ids this shard does not hold. The backward
// gives each thread a band of the features (thread_band.h), so repeated ids never race and the
// sums do not depend on the thread count.
#pragma once

#include <cstdint>

namespace tern::kernels::cpu {

// Throws std::out_of_range for the first id outside [0, vocab), naming it and its row.
void check_embedding_ids(const std::int32_t* ids, std::int64_t rows, std::int64_t vocab);

void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t first_id,
                       std::int64_t table_rows, std::int64_t vocab, std::int64_t features, float* y);

void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t first_id,
                        std::int64_t table_rows, std::int64_t features, float* dtable);

}  // namespace tern::kernels::cpu
