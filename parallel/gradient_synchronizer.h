// GradientSynchronizer: data-parallel gradient averaging, overlapped with backward.
//
// Parameters are grouped into buckets of about bucket_bytes (default 25 MB), in reverse order
// of the parameter list, since backward produces the last layer's gradients first. Each
// bucket is one flat buffer, and the parameters' gradients become views into it (as PyTorch
// DDP's gradient_as_bucket_view), so no gradient is ever copied. When every gradient of a
// bucket is ready, the bucket goes to a communication thread, which averages it over the
// data-parallel group with one allreduce while backward goes on computing earlier layers.
// finish_step() reduces the buckets the thread has not started, itself (nothing is left to
// overlap with, and a hand-off costs tens of microseconds), after the thread's current one;
// the gradients then hold the averages.
//
// Buckets are reduced strictly in bucket order on every rank, so the collectives match across
// ranks. The thread has a communicator of its own (split from the group), so its collectives
// never interleave with those the training thread issues. A failure on the communication
// thread (the watchdog, say) is rethrown by finish_step.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/comm.h"
#include "core/nn/module.h"
#include "core/optim/gradient_averaging.h"

namespace tern {

class GradientSynchronizer final : public GradientAveraging {
 public:
  static constexpr std::size_t kDefaultBucketBytes = std::size_t{25} << 20;

  GradientSynchronizer(Communicator& data_parallel_group, std::vector<Parameter*> parameters,
                       std::size_t bucket_bytes = kDefaultBucketBytes);
  ~GradientSynchronizer() override;
  GradientSynchronizer(const GradientSynchronizer&) = delete;
  GradientSynchronizer& operator=(const GradientSynchronizer&) = delete;

  // Copies rank 0's parameter values to every rank (so all ranks start identical).
  void broadcast_parameters() override;
  // Backward calls this when `parameter`'s gradient for this step is complete.
  void gradient_ready(Parameter& parameter) override;
  // Takes every gradient as complete (reported or not), waits for every bucket, and leaves the
  // averaged gradients in the parameters. Call once per step, after backward.
  void finish_step() override;

  std::size_t bucket_count() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::vector<Parameter*> parameters;
    Tensor flat;                    // the bucket's gradients, concatenated; they are views of it
    std::size_t waiting_for = 0;    // gradients of this step not ready yet
  };

  // Hands a bucket to the communication thread.
  void launch(std::size_t bucket_index);
  // Averages one bucket over the group (on the thread, or in finish_step).
  void reduce(std::size_t bucket_index);
  void communicate();

  Communicator& group_;
  std::unique_ptr<Communicator> thread_group_;  // the same ranks, for the communication thread
  std::vector<Parameter*> parameters_;
  std::vector<Bucket> buckets_;
  std::unordered_map<const Parameter*, std::size_t> index_of_;  // position in parameters_
  std::vector<std::size_t> bucket_of_;                          // per parameter
  std::vector<bool> ready_;                                     // per parameter, this step

  // Shared with the communication thread.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> bucket_launched_;  // this step: the bucket's gradients are complete
  std::size_t next_bucket_ = 0;        // this step: the next bucket to reduce (they go in order)
  bool finishing_ = false;             // finish_step has begun: the thread takes no more buckets
  bool thread_busy_ = false;           // the thread is reducing a bucket
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread communicator_thread_;
};

}  // namespace tern
