// Embedding lookup on the GPU: the namesakes of kernels/cpu/embedding.h, for a table that holds
// the rows [first_id, first_id + table_rows) of a vocabulary of `vocab` ids.
//   forward   y[r, :] = table[ids[r] - first_id, :] when this shard holds ids[r], else 0
//   backward  dtable[ids[r] - first_id, :] += dy[r, :] for the same rows   (accumulates)
//
// Out-of-range ids: a kernel cannot throw, and a check on the host would need the ids there and
// a synchronization. Instead the forward sets *error_flag = 1 (device int, never cleared here)
// for any id outside [0, vocab), writes zeros to that id's output row, and carries on: the
// caller zeroes the flag once, reads it when it next synchronizes anyway, and on 1 can rerun
// the CPU check on the ids to name the id and the row. The backward skips every id the shard
// does not hold (the forward has flagged those outside the vocabulary), so that it never writes
// outside the table.
//
// The backward is deterministic without float atomics: every table element is updated by one
// thread, which adds its rows in row order, exactly as the CPU does, so the two agree bit for
// bit (embedding.cu explains the cost). All pointers are device memory; each call queues its
// work on `stream` and returns without synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tern::kernels::cuda {

void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t first_id,
                       std::int64_t table_rows, std::int64_t vocab, std::int64_t features, float* y, int* error_flag,
                       cudaStream_t stream);

void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t first_id,
                        std::int64_t table_rows, std::int64_t features, float* dtable, cudaStream_t stream);

}  // namespace tern::kernels::cuda
