// MpiCommunicator: the Communicator over Open MPI, for host memory.
//
// Every collective is issued non-blocking (MPI_Iallreduce, MPI_Ibcast, ...) and completed by
// polling with a watchdog: if the other ranks do not arrive within `watchdog_s`, the call
// throws an error naming the collective, its size and how long it waited (the job runtime adds
// the rank), and the runtime then aborts the whole job.
//
// Blocking allreduces of floats run as a ring (reduce-scatter, then allgather; Patarasuk &
// Yuan 2009) over point-to-point messages with a receive buffer that is kept and reused: Open
// MPI's own allreduce allocates a fresh temporary buffer per call, and first-touch page faults
// then cap it far below memory bandwidth, and its non-blocking allreduce has a high start-up
// cost for small messages. The ring sends 2(n-1)/n of the data per rank, the minimum, and
// every rank ends with identical bits.
// Buffers in CUDA device memory are staged through pinned host buffers (kept between calls):
// copied to the host, the collective run there, the result copied back; iallreduce of device
// memory completes before it returns.
// A communicator is used by one thread at a time (the gradient synchronizer splits its own). So a rank that died, or one that skipped a
// collective, ends the job within the watchdog's time instead of hanging it.
#pragma once

#include <mpi.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/comm.h"

namespace tern {

class MpiCommunicator final : public Communicator {
 public:
  // Wraps `comm`; frees it on destruction when `owned` (communicators made by split()).
  MpiCommunicator(MPI_Comm comm, bool owned, double watchdog_s);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void allreduce(void* data, std::int64_t count, CommType type, ReduceOp op) override;
  std::unique_ptr<CommRequest> iallreduce(void* data, std::int64_t count, CommType type, ReduceOp op) override;
  void broadcast(void* data, std::int64_t bytes, int root) override;
  void allgatherv(const void* sent, std::span<const std::int64_t> counts, CommType type, void* received) override;
  void reduce_scatter(const void* sent, std::span<const std::int64_t> counts, CommType type, ReduceOp op,
                      void* received) override;
  void send(const void* data, std::int64_t bytes, int destination, int tag) override;
  // Device memory is sent from a host copy that the request owns.
  std::unique_ptr<CommRequest> isend(const void* data, std::int64_t bytes, int destination, int tag) override;
  void recv(void* data, std::int64_t bytes, int source, int tag) override;
  void barrier() override;
  std::unique_ptr<Communicator> split(int color, int key) override;

  // Completes `request`, polling; throws when it takes longer than the watchdog allows.
  // `what` names the operation for the error message.
  void complete(MPI_Request& request, const std::string& what) const;

 private:
  // "allreduce #12 (sum of 1000 f32)": the call's sequence number makes messages comparable
  // across ranks (the rank that is behind shows a smaller number).
  std::string describe(const std::string& operation, const std::string& detail);
  // The ring allreduce of floating-point `data` (an average divides in the last reduce step).
  void ring_allreduce(void* data, std::int64_t count, CommType type, ReduceOp op, const std::string& what);
  // Posts a receive from the left neighbour (requests[0]) and a send to the right one
  // (requests[1]).
  void start_exchange(const void* sent, std::int64_t sent_bytes, void* received, std::int64_t received_bytes,
                      const std::string& what, MPI_Request* requests);

  // Runs collective(host_sent, host_received) with each device buffer replaced by a pinned host
  // copy (`sent` copied in, `received` copied back; either may be null, or both the same
  // buffer). Returns false, running nothing, when both are host memory.
  template <typename Collective>
  bool run_on_host_copies(const void* sent, std::int64_t sent_bytes, void* received, std::int64_t received_bytes,
                          const Collective& collective);
  // Pinned host buffer `slot` (0 or 1) of at least `bytes`, kept for later calls.
  std::byte* staging(int slot, std::int64_t bytes);

  MPI_Comm comm_;
  bool owned_;
  double watchdog_s_;
  int rank_ = 0, size_ = 1;
  std::atomic<std::int64_t> collectives_issued_{0};
  std::vector<std::byte> ring_scratch_;  // the ring's receive buffer, kept between calls
  std::shared_ptr<std::byte> staging_[2];  // host copies of device buffers
  std::int64_t staging_bytes_[2] = {0, 0};
};

}  // namespace tern
