#include "core/data/batch_stream.h"

#include <algorithm>
#include <numeric>
#include <span>
#include <utility>

#include "core/random/random.h"

namespace tern {

IngestionMode parse_ingestion_mode(std::string_view name) {
  if (name == "file") return IngestionMode::file;
  if (name == "pipe") return IngestionMode::pipe;
  throw Error(detail::concat("unknown ingestion mode '", name, "': expected file or pipe"));
}

std::string_view ingestion_mode_name(IngestionMode mode) { return mode == IngestionMode::file ? "file" : "pipe"; }

std::int64_t EpochPlan::num_batches() const {
  return drop_last ? rows() / batch_rows : (rows() + batch_rows - 1) / batch_rows;
}

std::pair<std::int64_t, std::int64_t> EpochPlan::slice_positions(std::int64_t batch_index) const {
  const std::int64_t batch_begin = batch_index * batch_rows;
  const std::int64_t batch = std::min(batch_rows, rows() - batch_begin);
  return {batch_begin + batch * slice_index / slice_count, batch_begin + batch * (slice_index + 1) / slice_count};
}

std::vector<std::int64_t> EpochPlan::row_order() const {
  std::vector<std::int64_t> order;
  if (shuffle) {
    order = random_permutation(rows(), seed, stream_id("shuffle") + epoch);
    for (std::int64_t& row : order) row += row_begin;
  } else {
    order.resize(static_cast<std::size_t>(rows()));
    std::iota(order.begin(), order.end(), row_begin);
  }
  return order;
}

namespace {
void check_plan(const EpochPlan& plan, std::int64_t available_rows, const std::string& source) {
  TERN_CHECK(plan.batch_rows > 0, "batch of ", plan.batch_rows, " rows for ", source, "; it must be at least 1");
  TERN_CHECK(0 <= plan.row_begin && plan.row_begin <= plan.row_end && plan.row_end <= available_rows, "epoch rows [",
             plan.row_begin, ", ", plan.row_end, ") out of range for ", source, " with ", available_rows, " rows");
  TERN_CHECK(plan.slice_count >= 1 && 0 <= plan.slice_index && plan.slice_index < plan.slice_count, "batch slice ",
             plan.slice_index, " of ", plan.slice_count, " for ", source);
  TERN_CHECK(0 <= plan.first_batch && plan.first_batch <= plan.num_batches(), "first batch ", plan.first_batch,
             " of an epoch of ", plan.num_batches(), " batches for ", source);
}
}  // namespace

BatchStream::BatchStream(DenseReader& reader, const EpochPlan& plan, IngestionMode mode, std::size_t memory_bound_bytes)
    : plan_(plan), mode_(mode), next_batch_(plan.first_batch), memory_bound_bytes_(memory_bound_bytes) {
  check_plan(plan_, reader.num_rows(), reader.source());
  if (mode_ == IngestionMode::file) {
    gather_from_memory(read_dataset(reader, plan_.row_begin, plan_.row_end));
    return;
  }
  source_ = &reader;
  order_ = plan_.row_order();
  const std::int64_t largest_batch_rows = (std::min(plan_.batch_rows, plan_.rows()) + plan_.slice_count - 1) /
                                         plan_.slice_count;
  TERN_CHECK(batch_bytes(largest_batch_rows) <= memory_bound_bytes_, "pipe mode for ", reader.source(),
             ": one batch of ", largest_batch_rows, " rows x (", reader.num_features(), " features + label) takes ",
             batch_bytes(largest_batch_rows), " bytes, more than the memory bound of ", memory_bound_bytes_, " bytes");
  prefetcher_ = std::thread([this] { prefetch(); });
}

BatchStream::BatchStream(const Dataset& loaded_rows, const EpochPlan& plan)
    : plan_(plan), mode_(IngestionMode::file), next_batch_(plan.first_batch) {
  check_plan(plan_, plan_.row_end, loaded_rows.source);
  TERN_CHECK(loaded_rows.rows() == plan_.rows() && loaded_rows.first_row == plan_.row_begin, "loaded rows [",
             loaded_rows.first_row, ", ", loaded_rows.first_row + loaded_rows.rows(), ") of ", loaded_rows.source,
             " are not the epoch's rows [", plan_.row_begin, ", ", plan_.row_end, ")");
  gather_from_memory(loaded_rows);
}

BatchStream::~BatchStream() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (prefetcher_.joinable()) prefetcher_.join();
}

void BatchStream::gather_from_memory(Dataset loaded_rows) {
  loaded_rows_ = std::make_unique<InMemoryReader>(std::move(loaded_rows));
  source_ = loaded_rows_.get();
  order_ = plan_.row_order();
  for (std::int64_t& row : order_) row -= plan_.row_begin;
}


std::size_t BatchStream::batch_bytes(std::int64_t rows) const {
  return static_cast<std::size_t>(rows * (source_->num_features() + 1)) * sizeof(float);
}

Batch BatchStream::read_batch(std::int64_t batch_index) const {
  const auto [first, end] = plan_.slice_positions(batch_index);
  const std::int64_t rows = end - first;
  Batch batch{Tensor::empty({rows, source_->num_features()}), Tensor::empty({rows}), first};
  const auto positions = std::span<const std::int64_t>(order_).subspan(static_cast<std::size_t>(batch.first_position),
                                                                       static_cast<std::size_t>(rows));
  source_->read_row_list(positions, batch.features.data<float>(), batch.labels.data<float>());
  return batch;
}

bool BatchStream::next(Batch& batch) {
  if (mode_ == IngestionMode::pipe) return next_prefetched(batch);
  if (next_batch_ == num_batches()) return false;
  batch = read_batch(next_batch_++);
  return true;
}

bool BatchStream::next_prefetched(Batch& batch) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !queue_.empty() || prefetch_done_; });
  if (queue_.empty()) {
    if (prefetch_error_) std::rethrow_exception(prefetch_error_);
    return false;
  }
  batch = std::move(queue_.front());
  queue_.pop_front();
  in_flight_bytes_ -= batch_bytes(batch.labels.dim(0));
  lock.unlock();
  changed_.notify_all();
  return true;
}

void BatchStream::prefetch() {
  try {
    for (std::int64_t batch_index = plan_.first_batch; batch_index < num_batches(); ++batch_index) {
      const auto [first, end] = plan_.slice_positions(batch_index);
      const std::size_t bytes = batch_bytes(end - first);
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || in_flight_bytes_ + bytes <= memory_bound_bytes_; });
        if (stopping_) return;
        in_flight_bytes_ += bytes;
      }
      Batch batch = read_batch(batch_index);
      {
        const std::lock_guard lock(mutex_);
        queue_.push_back(std::move(batch));
      }
      changed_.notify_all();
    }
  } catch (...) {
    const std::lock_guard lock(mutex_);
    prefetch_error_ = std::current_exception();
  }
  {
    const std::lock_guard lock(mutex_);
    prefetch_done_ = true;
  }
  changed_.notify_all();
}

}  // namespace tern
