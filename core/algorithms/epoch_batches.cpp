#include "core/algorithms/epoch_batches.h"

#include <algorithm>

#include "core/data/distribution.h"

namespace tern {

EpochBatches::EpochBatches(const JobContext& job, std::int64_t batch_rows, std::uint64_t seed)
    : job_(job), seed_(seed), sharded_(job.train_distribution == DataDistribution::sharded) {
  Communicator& comm = job.comm;
  reader_ = open_dense_reader(job.channels.at("train"));
  const std::int64_t rows = reader_->num_rows();
  global_batch_ = std::min(batch_rows, rows);
  rank_batch_ = sharded_ ? std::max<std::int64_t>(1, global_batch_ / comm.size()) : global_batch_;
  read_rows_ = sharded_ ? rank_rows(rows, comm.rank(), comm.size()) : RowRange{0, rows};
  if (job.ingestion_mode == IngestionMode::file) memory_rows_.emplace(read_dataset(*reader_, read_rows_.begin, read_rows_.end));
  steps_per_epoch_ = allreduce_value(comm, (read_rows_.size() + rank_batch_ - 1) / rank_batch_, ReduceOp::max);
}

void EpochBatches::for_each_step(std::int64_t epoch, const std::function<void(const Batch&)>& visit) {
  const EpochPlan plan{.row_begin = memory_rows_ ? 0 : read_rows_.begin,
                       .row_end = memory_rows_ ? read_rows_.size() : read_rows_.end,
                       .batch_rows = rank_batch_,
                       .seed = seed_,
                       .epoch = static_cast<std::uint64_t>(epoch),
                       .shuffle = true,
                       .drop_last = false,
                       .slice_index = sharded_ ? 0 : job_.comm.rank(),
                       .slice_count = sharded_ ? 1 : job_.comm.size()};
  std::optional<BatchStream> batches;
  if (memory_rows_) {
    batches.emplace(memory_rows_->dataset(), plan);
  } else {
    batches.emplace(*reader_, plan, IngestionMode::pipe, job_.pipe_memory_bytes);
  }
  Batch batch;
  const Batch empty{Tensor::empty({0, reader_->num_features()}), Tensor::empty({0}), 0};
  for (std::int64_t step = 0; step < steps_per_epoch_; ++step) visit(batches->next(batch) ? batch : empty);
}

}  // namespace tern
