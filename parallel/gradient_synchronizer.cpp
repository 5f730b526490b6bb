#include "parallel/gradient_synchronizer.h"

#include <algorithm>

#include "core/error.h"

namespace tern {

GradientSynchronizer::GradientSynchronizer(Communicator& data_parallel_group, std::vector<Parameter*> parameters,
                                           std::size_t bucket_bytes)
    : group_(data_parallel_group),
      thread_group_(data_parallel_group.split(0, data_parallel_group.rank())),
      parameters_(std::move(parameters)) {
  TERN_CHECK(bucket_bytes > 0, "gradient bucket size must be positive");
  TERN_CHECK(!parameters_.empty(), "gradient synchronizer without parameters");
  bucket_of_.resize(parameters_.size());
  ready_.assign(parameters_.size(), false);
  // Reverse order: the last parameters' gradients are ready first.
  std::size_t bucket_fill_bytes = bucket_bytes;
  for (std::size_t i = parameters_.size(); i-- > 0;) {
    Parameter* parameter = parameters_[i];
    if (bucket_fill_bytes >= bucket_bytes) {
      buckets_.emplace_back();
      bucket_fill_bytes = 0;
    }
    buckets_.back().parameters.push_back(parameter);
    bucket_fill_bytes += parameter->grad.size_bytes();
    bucket_of_[i] = buckets_.size() - 1;
    index_of_[parameter] = i;
  }
  for (Bucket& bucket : buckets_) {
    std::int64_t elements = 0;
    for (const Parameter* parameter : bucket.parameters) elements += parameter->grad.numel();
    bucket.flat = Tensor::zeros({elements}, DType::f32, bucket.parameters.front()->grad.device());
    std::int64_t offset = 0;
    for (Parameter* parameter : bucket.parameters) {
      const std::int64_t count = parameter->grad.numel();
      Tensor view = bucket.flat.rows(offset, offset + count).reshaped(parameter->grad.shape());
      view.copy_from(parameter->grad);
      parameter->grad = view;
      offset += count;
    }
    bucket.waiting_for = bucket.parameters.size();
  }
  bucket_launched_.assign(buckets_.size(), false);
  communicator_thread_ = std::thread([this] { communicate(); });
}

GradientSynchronizer::~GradientSynchronizer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  communicator_thread_.join();
}

void GradientSynchronizer::broadcast_parameters() {
  for (Parameter* parameter : parameters_)
    group_.broadcast(parameter->value.device_data<float>(), static_cast<std::int64_t>(parameter->value.size_bytes()), 0);
}

void GradientSynchronizer::gradient_ready(Parameter& parameter) {
  const auto found = index_of_.find(&parameter);
  TERN_CHECK(found != index_of_.end(), "gradient_ready for parameter ", parameter.name,
             ", which the synchronizer does not manage");
  const std::size_t index = found->second;
  if (ready_[index]) return;
  ready_[index] = true;
  const std::size_t bucket_index = bucket_of_[index];
  if (--buckets_[bucket_index].waiting_for == 0) launch(bucket_index);
}

void GradientSynchronizer::launch(std::size_t bucket_index) {
  {
    std::lock_guard lock(mutex_);
    bucket_launched_[bucket_index] = true;
  }
  changed_.notify_all();
}

void GradientSynchronizer::reduce(std::size_t bucket_index) {
  {
    std::lock_guard lock(mutex_);
    if (error_) return;  // after a failure the remaining buckets are skipped; finish_step reports it
  }
  try {
    Tensor& flat = buckets_[bucket_index].flat;
    thread_group_->allreduce(flat.device_data<float>(), flat.numel(), CommType::f32, ReduceOp::average);
  } catch (...) {
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
  }
}

void GradientSynchronizer::communicate() {
  while (true) {
    std::size_t bucket_index = 0;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || (!finishing_ && next_bucket_ < buckets_.size() && bucket_launched_[next_bucket_]);
      });
      if (stopping_) return;
      bucket_index = next_bucket_++;
      thread_busy_ = true;
    }
    reduce(bucket_index);
    {
      std::lock_guard lock(mutex_);
      thread_busy_ = false;
    }
    changed_.notify_all();
  }
}

void GradientSynchronizer::finish_step() {
  std::size_t first_left = 0;
  {
    std::unique_lock lock(mutex_);
    finishing_ = true;  // the thread takes no further bucket this step
    changed_.wait(lock, [&] { return !thread_busy_; });
    first_left = next_bucket_;
  }
  // Every gradient is complete now, reported or not. No backward is left to overlap with, so
  // the buckets the thread has not started are reduced here, in order, without waking it (a
  // hand-off costs a context switch).
  for (std::size_t bucket_index = first_left; bucket_index < buckets_.size(); ++bucket_index) reduce(bucket_index);
  std::exception_ptr error;
  {
    std::lock_guard lock(mutex_);
    next_bucket_ = 0;
    std::fill(bucket_launched_.begin(), bucket_launched_.end(), false);
    finishing_ = false;
    error = error_;
  }
  if (error) std::rethrow_exception(error);
  for (Bucket& bucket : buckets_) bucket.waiting_for = bucket.parameters.size();
  std::fill(ready_.begin(), ready_.end(), false);
}

}  // namespace tern
