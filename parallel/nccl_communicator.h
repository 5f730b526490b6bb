// NcclCommunicator: the Communicator over NCCL, for buffers in CUDA device memory (one GPU a
// rank). Built only with CUDA.
//
// Ordering with compute: every collective first makes its communication stream wait for the
// work queued so far on the device's compute stream (an event), so it reads finished data;
// then the calling thread waits for the collective, polling, so that when a call returns the
// result is in place for any work queued afterwards. That wait is where failures surface:
// NCCL's asynchronous errors (a peer that died, a network error) are polled alongside, and a
// collective that takes longer than the watchdog allows aborts the NCCL communicator and
// throws, naming the collective, so the job runtime ends the job instead of hanging.
//
// What NCCL lacks is built from what it has, inside one NCCL group: allgatherv is a broadcast
// from each rank, reduce_scatter with uneven blocks is a reduce to each rank. NCCL matches
// send/recv between two ranks in call order; it has no tags, so `tag` is only checked to be
// non-negative.
#pragma once

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <atomic>
#include <string>

#include "core/comm.h"

namespace tern {

class NcclCommunicator final : public Communicator {
 public:
  // Collective over every rank of `bootstrap` (an MPI communicator): rank 0 makes the NCCL
  // unique id, `bootstrap` broadcasts it, and each rank joins on CUDA device `device`.
  NcclCommunicator(Communicator& bootstrap, int device, double watchdog_s);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int device() const { return device_; }
  void allreduce(void* data, std::int64_t count, CommType type, ReduceOp op) override;
  std::unique_ptr<CommRequest> iallreduce(void* data, std::int64_t count, CommType type, ReduceOp op) override;
  void broadcast(void* data, std::int64_t bytes, int root) override;
  void allgatherv(const void* sent, std::span<const std::int64_t> counts, CommType type, void* received) override;
  void reduce_scatter(const void* sent, std::span<const std::int64_t> counts, CommType type, ReduceOp op,
                      void* received) override;
  void send(const void* data, std::int64_t bytes, int destination, int tag) override;
  // Refused: NCCL runs a rank's sends and receives in one stream's order, so a pipeline's
  // crossing activations and gradients could wait on each other. Pipelines talk over MPI.
  std::unique_ptr<CommRequest> isend(const void* data, std::int64_t bytes, int destination, int tag) override;
  void recv(void* data, std::int64_t bytes, int source, int tag) override;
  void barrier() override;
  std::unique_ptr<Communicator> split(int color, int key) override;

  // Waits, polling, until `done` (recorded after a collective) has completed; throws on an
  // NCCL asynchronous error or when the watchdog expires, after aborting the communicator.
  void complete(cudaEvent_t done, const std::string& what);

 private:
  NcclCommunicator(ncclComm_t comm, int device, double watchdog_s);
  // Reads rank and size from comm_ and makes the stream, the events and the barrier word.
  void set_up();
  // Makes the communication stream wait for the work queued on the compute stream so far.
  void order_after_compute();
  // Queues a collective: order after compute, run `enqueue`, record `done`.
  template <typename Enqueue>
  void queue(const Enqueue& enqueue, cudaEvent_t done);
  // Queues and completes a collective.
  template <typename Enqueue>
  void run(const std::string& what, const Enqueue& enqueue);
  std::string describe(const std::string& operation, const std::string& detail);
  // Aborts the NCCL communicator (pending collectives are dropped) and throws `message`.
  [[noreturn]] void fail(const std::string& message);

  ncclComm_t comm_ = nullptr;
  int device_ = 0;
  double watchdog_s_;
  int rank_ = 0, size_ = 1;
  cudaStream_t stream_ = nullptr;            // the communication stream
  cudaEvent_t compute_ready_ = nullptr;      // recorded on the compute stream before each collective
  cudaEvent_t done_ = nullptr;               // recorded after each blocking collective
  float* barrier_word_ = nullptr;            // one device float that barrier() reduces
  bool aborted_ = false;
  std::atomic<std::int64_t> collectives_issued_{0};
};

}  // namespace tern
