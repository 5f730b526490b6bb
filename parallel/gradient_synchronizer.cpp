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
    bucket.flat = Tensor::zeros({elements});
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
    group_.broadcast(parameter->value.data<float>(), static_cast<std::int64_t>(parameter->value.size_bytes()), 0);
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

void GradientSynchronizer::communicate() {
  std::size_t next = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || bucket_launched_[next]; });
      if (stopping_) return;
      bucket_launched_[next] = false;  // taken: reduce it once
    }
    // After a failure the remaining buckets are only counted, so finish_step can report it.
    if (error_ == nullptr) {
      try {
        Tensor& flat = buckets_[next].flat;
        thread_group_->allreduce(flat.data<float>(), flat.numel(), CommType::f32, ReduceOp::average);
      } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
      }
    }
    {
      std::lock_guard lock(mutex_);
      ++buckets_reduced_;
    }
    changed_.notify_all();
    next = (next + 1) % buckets_.size();
  }
}

void GradientSynchronizer::finish_step() {
  for (std::size_t i = parameters_.size(); i-- > 0;) {
    if (!ready_[i]) gradient_ready(*parameters_[i]);
  }
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return buckets_reduced_ == buckets_.size(); });
    if (error_) std::rethrow_exception(error_);
    buckets_reduced_ = 0;
  }
  for (Bucket& bucket : buckets_) bucket.waiting_for = bucket.parameters.size();
  std::fill(ready_.begin(), ready_.end(), false);
}

}  // namespace tern
