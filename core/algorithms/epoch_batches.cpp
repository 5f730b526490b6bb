#include "core/algorithms/epoch_batches.h"

#include <algorithm>

#include "core/data/distribution.h"

namespace tern {

namespace {
// Epoch `epoch` over rows [row_begin, row_end), shuffled, batches of rank_batch rows: with
// replicated rows this rank's slice of each, with sharded rows the whole batch.
EpochPlan plan_of(const JobContext& job, bool sharded, std::int64_t row_begin, std::int64_t row_end,
                  std::int64_t rank_batch, std::uint64_t seed, std::int64_t epoch) {
  return {.row_begin = row_begin,
          .row_end = row_end,
          .batch_rows = rank_batch,
          .seed = seed,
          .epoch = static_cast<std::uint64_t>(epoch),
          .shuffle = true,
          .drop_last = false,
          .slice_index = sharded ? 0 : job.comm.rank(),
          .slice_count = sharded ? 1 : job.comm.size()};
}
}  // namespace

EpochBatches::EpochBatches(const JobContext& job, std::int64_t batch_rows, std::uint64_t seed)
    : job_(job), seed_(seed), sharded_(job.train_distribution == DataDistribution::sharded) {
  Communicator& comm = job.comm;
  reader_ = open_dense_reader(job.channels.at("train"));
  const std::int64_t rows = reader_->num_rows();
  global_batch_ = std::min(batch_rows, rows);
  rank_batch_ = sharded_ ? std::max<std::int64_t>(1, global_batch_ / comm.size()) : global_batch_;
  read_rows_ = training_rows(job, rows);
  if (job.ingestion_mode == IngestionMode::file) memory_rows_.emplace(read_dataset(*reader_, read_rows_.begin, read_rows_.end));
  steps_per_epoch_ = allreduce_value(comm, (read_rows_.size() + rank_batch_ - 1) / rank_batch_, ReduceOp::max);
}

void EpochBatches::for_each_step(std::int64_t epoch, const std::function<void(const Batch&)>& visit) {
  const EpochPlan plan = plan_of(job_, sharded_, memory_rows_ ? 0 : read_rows_.begin,
                                 memory_rows_ ? read_rows_.size() : read_rows_.end, rank_batch_, seed_, epoch);
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

RowRange training_rows(const JobContext& job, std::int64_t total_rows) {
  return job.train_distribution == DataDistribution::sharded ? rank_rows(total_rows, job.comm.rank(), job.comm.size())
                                                             : RowRange{0, total_rows};
}

SparseEpochBatches::SparseEpochBatches(const JobContext& job, SparseRows rows, std::int64_t total_rows,
                                       std::int64_t batch_rows, std::uint64_t seed)
    : job_(job), seed_(seed), sharded_(job.train_distribution == DataDistribution::sharded), rows_(std::move(rows)) {
  Communicator& comm = job.comm;
  const std::int64_t global_batch = std::min(batch_rows, total_rows);
  rank_batch_ = sharded_ ? std::max<std::int64_t>(1, global_batch / comm.size()) : global_batch;
  steps_per_epoch_ = allreduce_value(comm, (rows_.rows() + rank_batch_ - 1) / rank_batch_, ReduceOp::max);
}

void SparseEpochBatches::for_each_step(std::int64_t epoch, const std::function<void(const SparseRows&)>& visit) const {
  const EpochPlan plan = plan_of(job_, sharded_, 0, rows_.rows(), rank_batch_, seed_, epoch);
  const std::vector<std::int64_t> order = plan.row_order();
  for (std::int64_t step = 0; step < steps_per_epoch_; ++step) {
    std::pair<std::int64_t, std::int64_t> slice{0, 0};
    if (step < plan.num_batches()) slice = plan.slice_positions(step);
    visit(rows_.select(std::span(order).subspan(static_cast<std::size_t>(slice.first),
                                                static_cast<std::size_t>(slice.second - slice.first))));
  }
}

}  // namespace tern
