// Batches of one epoch, read in one of two ingestion modes (DESIGN §3):
//
//   file  the row range is loaded into memory once (by the stream, or by the caller who then
//         reuses it across epochs) and batches are gathered from memory on the caller's thread;
//   pipe  a prefetch thread gathers upcoming batches straight from the file reader into a
//         bounded queue (at most memory_bound_bytes of batches queued or being gathered), so
//         a shard larger than memory can be trained on.
//
// Both gather each batch with DenseReader::read_row_list over the same epoch order, so both
// modes yield bit-identical batches for the same EpochPlan.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "core/data/dense_reader.h"
#include "core/data/in_memory_reader.h"

namespace tern {

enum class IngestionMode { file, pipe };

// "file" or "pipe"; anything else is an error listing both.
IngestionMode parse_ingestion_mode(std::string_view name);
std::string_view ingestion_mode_name(IngestionMode mode);

struct Batch {
  Tensor features;                  // f32 [batch rows, num_features]
  Tensor labels;                    // f32 [batch rows]
  std::int64_t first_position = 0;  // index of the batch's first row in the epoch order
};

// Which rows an epoch visits and in what order.
struct EpochPlan {
  std::int64_t row_begin = 0;  // the epoch covers reader rows [row_begin, row_end)
  std::int64_t row_end = 0;
  std::int64_t batch_rows = 1;
  std::uint64_t seed = 0;
  std::uint64_t epoch = 0;
  bool shuffle = true;
  bool drop_last = false;  // drop the final batch when it has fewer than batch_rows rows
  // Data parallelism over replicated data: every batch is cut into slice_count slices (as even
  // as possible) and this stream yields slice slice_index of each, so W ranks with slices
  // 0..W-1 together see exactly the batches of one rank with the whole batch.
  int slice_index = 0;
  int slice_count = 1;
  // The first batch the stream yields: a job resumed in the middle of an epoch skips the
  // batches it trained on before its checkpoint (they are never read).
  std::int64_t first_batch = 0;

  std::int64_t rows() const { return row_end - row_begin; }
  std::int64_t num_batches() const;
  // The positions [begin, end) in the epoch order of this stream's slice of batch `batch_index`.
  std::pair<std::int64_t, std::int64_t> slice_positions(std::int64_t batch_index) const;
  // The reader rows in epoch order: row_begin + random_permutation(rows, seed, stream_id("shuffle") + epoch)
  // when shuffling, else row_begin, row_begin + 1, ... Batches are consecutive slices of it.
  std::vector<std::int64_t> row_order() const;
};

class BatchStream {
 public:
  // Streams plan's rows of `reader` in `mode`. File mode loads them now; pipe mode starts the
  // prefetch thread, which uses `reader` until the stream is destroyed. memory_bound_bytes
  // applies to pipe mode and must hold at least one batch.
  BatchStream(DenseReader& reader, const EpochPlan& plan, IngestionMode mode, std::size_t memory_bound_bytes);
  // File mode over rows the caller loaded once for all epochs (load_dataset(path, row_begin, row_end)):
  // loaded_rows holds the plan's rows [row_begin, row_end). Its tensors are shared, not copied.
  BatchStream(const Dataset& loaded_rows, const EpochPlan& plan);
  // Stops the prefetch thread, also in the middle of an epoch.
  ~BatchStream();
  BatchStream(const BatchStream&) = delete;
  BatchStream& operator=(const BatchStream&) = delete;

  // The next batch of the epoch; false once all are done. Rethrows an error of the prefetch thread.
  bool next(Batch& batch);
  std::int64_t num_batches() const { return plan_.num_batches(); }

 private:
  // File mode: gathers from `loaded_rows` (the plan's rows), indexed from 0.
  void gather_from_memory(Dataset loaded_rows);
  std::size_t batch_bytes(std::int64_t rows) const;
  Batch read_batch(std::int64_t batch_index) const;
  bool next_prefetched(Batch& batch);
  void prefetch();

  EpochPlan plan_;
  IngestionMode mode_;
  std::unique_ptr<InMemoryReader> loaded_rows_;  // file mode
  DenseReader* source_ = nullptr;                // what batches are gathered from
  std::vector<std::int64_t> order_;              // rows of source_ in epoch order
  std::int64_t next_batch_ = 0;                  // file mode: the next batch next() returns

  // Pipe mode: the queue between the prefetch thread and next().
  std::size_t memory_bound_bytes_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  std::size_t in_flight_bytes_ = 0;  // batches queued plus the one being gathered
  bool stopping_ = false;
  bool prefetch_done_ = false;
  std::exception_ptr prefetch_error_;
  std::thread prefetcher_;
};

}  // namespace tern
