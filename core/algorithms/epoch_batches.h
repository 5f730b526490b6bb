// The shuffled mini-batches of a data-parallel epoch, for the algorithms that stream their
// training rows in batches (linear-learner, factorization-machines, kmeans' mini-batch mode):
//   replicated rows (the default): every global batch of B rows, drawn from one seeded
//              permutation of all rows, is cut into one slice a rank, so W ranks see exactly
//              the batches one rank sees;
//   sharded rows: each rank draws batches of B / W rows from its own contiguous shard.
// File ingestion reads the rows once into memory; pipe ingestion streams each epoch from the
// file. Every rank runs the same number of steps an epoch (agreed once): a rank whose rows have
// run out gets empty batches, so no rank waits alone in a collective.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "core/data/batch_stream.h"
#include "core/data/sparse_rows.h"
#include "core/job/job_context.h"

namespace tern {

class EpochBatches {
 public:
  // The train channel of `job`, global batches of min(batch_rows, rows) rows.
  EpochBatches(const JobContext& job, std::int64_t batch_rows, std::uint64_t seed);

  std::int64_t steps_per_epoch() const { return steps_per_epoch_; }
  std::int64_t global_batch() const { return global_batch_; }

  // Calls visit(batch) for each step of epoch `epoch`, in order (this rank's part of the batch).
  void for_each_step(std::int64_t epoch, const std::function<void(const Batch&)>& visit);

 private:
  const JobContext& job_;
  std::uint64_t seed_;
  bool sharded_;
  std::int64_t global_batch_ = 0, rank_batch_ = 0, steps_per_epoch_ = 0;
  RowRange read_rows_;
  std::unique_ptr<DenseReader> reader_;
  std::optional<InMemoryReader> memory_rows_;
};

// The rows of a train channel of `total_rows` rows that this rank trains on: all of them with
// replicated rows, its shard with sharded rows.
RowRange training_rows(const JobContext& job, std::int64_t total_rows);

// The same for sparse rows held in memory: the caller reads the rank's training_rows once, and
// each step's batch is copied out of them.
class SparseEpochBatches {
 public:
  // Global batches of min(batch_rows, total_rows) rows.
  SparseEpochBatches(const JobContext& job, SparseRows rows, std::int64_t total_rows, std::int64_t batch_rows,
                     std::uint64_t seed);

  std::int64_t steps_per_epoch() const { return steps_per_epoch_; }
  const SparseRows& rows() const { return rows_; }

  // Calls visit(batch) for each step of epoch `epoch`, in order (this rank's part of the batch).
  void for_each_step(std::int64_t epoch, const std::function<void(const SparseRows&)>& visit) const;

 private:
  const JobContext& job_;
  std::uint64_t seed_;
  bool sharded_;
  std::int64_t rank_batch_ = 0, steps_per_epoch_ = 0;
  SparseRows rows_;
};

}  // namespace tern
