#include "parallel/nccl_communicator.h"

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "core/error.h"
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/device_memory.h"

namespace tern {

namespace {

// A failed NCCL call throws with the call, file, line and NCCL's explanation.
#define TERN_NCCL_CHECK(call)                                                                               \
  do {                                                                                                      \
    const ncclResult_t tern_nccl_status = (call);                                                           \
    if (tern_nccl_status != ncclSuccess) {                                                                  \
      ::tern::kernels::cuda::throw_failed_call("NCCL", #call, __FILE__, __LINE__,                           \
                                               ncclGetErrorString(tern_nccl_status));                       \
    }                                                                                                       \
  } while (0)

ncclDataType_t nccl_type(CommType type) {
  switch (type) {
    case CommType::f32: return ncclFloat32;
    case CommType::f64: return ncclFloat64;
    case CommType::i32: return ncclInt32;
    case CommType::i64: return ncclInt64;
    case CommType::u8: return ncclUint8;
  }
  throw Error("unknown CommType");
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return ncclSum;
    case ReduceOp::average: return ncclAvg;
    case ReduceOp::max: return ncclMax;
    case ReduceOp::min: return ncclMin;
  }
  throw Error("unknown ReduceOp");
}

std::size_t as_size(std::int64_t count) {
  TERN_CHECK(count >= 0, "negative element count ", count);
  return static_cast<std::size_t>(count);
}

cudaEvent_t make_event() {
  cudaEvent_t event = nullptr;
  TERN_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
  return event;
}

// An iallreduce in flight: its own completion event, waited on by wait().
class NcclRequest final : public CommRequest {
 public:
  NcclRequest(NcclCommunicator& comm, std::string what) : comm_(comm), what_(std::move(what)), done_(make_event()) {}
  ~NcclRequest() override { cudaEventDestroy(done_); }
  NcclRequest(const NcclRequest&) = delete;
  NcclRequest& operator=(const NcclRequest&) = delete;
  cudaEvent_t done() const { return done_; }
  void wait() override { comm_.complete(done_, what_); }

 private:
  NcclCommunicator& comm_;
  std::string what_;
  cudaEvent_t done_;
};

}  // namespace

NcclCommunicator::NcclCommunicator(Communicator& bootstrap, int device, double watchdog_s)
    : device_(device), watchdog_s_(watchdog_s) {
  ncclUniqueId id{};
  if (bootstrap.rank() == 0) TERN_NCCL_CHECK(ncclGetUniqueId(&id));
  bootstrap.broadcast(&id, sizeof id, 0);
  TERN_CUDA_CHECK(cudaSetDevice(device_));
  TERN_NCCL_CHECK(ncclCommInitRank(&comm_, bootstrap.size(), id, bootstrap.rank()));
  set_up();
}

NcclCommunicator::NcclCommunicator(ncclComm_t comm, int device, double watchdog_s)
    : comm_(comm), device_(device), watchdog_s_(watchdog_s) {
  set_up();
}

void NcclCommunicator::set_up() {
  TERN_CUDA_CHECK(cudaSetDevice(device_));
  TERN_NCCL_CHECK(ncclCommUserRank(comm_, &rank_));
  TERN_NCCL_CHECK(ncclCommCount(comm_, &size_));
  TERN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  compute_ready_ = make_event();
  done_ = make_event();
  barrier_word_ = static_cast<float*>(kernels::cuda::allocate(device_, sizeof(float), stream_));
  kernels::cuda::set_zero(barrier_word_, sizeof(float), stream_);
}

NcclCommunicator::~NcclCommunicator() {
  if (barrier_word_ != nullptr) kernels::cuda::release(barrier_word_, stream_);
  if (comm_ != nullptr) {
    // After a failure the communicator was aborted already; otherwise finish cleanly.
    if (!aborted_) ncclCommDestroy(comm_);
  }
  if (done_ != nullptr) cudaEventDestroy(done_);
  if (compute_ready_ != nullptr) cudaEventDestroy(compute_ready_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

std::string NcclCommunicator::describe(const std::string& operation, const std::string& detail) {
  return "NCCL " + operation + " #" + std::to_string(++collectives_issued_) + " (" + detail + ")";
}

void NcclCommunicator::fail(const std::string& message) {
  if (!aborted_) {
    aborted_ = true;
    ncclCommAbort(comm_);
  }
  throw Error(message);
}

void NcclCommunicator::order_after_compute() {
  TERN_CHECK(!aborted_, "NCCL communicator used after it failed");
  TERN_CUDA_CHECK(cudaSetDevice(device_));
  TERN_CUDA_CHECK(cudaEventRecord(compute_ready_, kernels::cuda::compute_stream(device_)));
  TERN_CUDA_CHECK(cudaStreamWaitEvent(stream_, compute_ready_, 0));
}

template <typename Enqueue>
void NcclCommunicator::queue(const Enqueue& enqueue, cudaEvent_t done) {
  order_after_compute();
  enqueue();
  TERN_CUDA_CHECK(cudaEventRecord(done, stream_));
}

template <typename Enqueue>
void NcclCommunicator::run(const std::string& what, const Enqueue& enqueue) {
  queue(enqueue, done_);
  complete(done_, what);
}

void NcclCommunicator::complete(cudaEvent_t done, const std::string& what) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(watchdog_s_));
  for (std::int64_t polls = 0;; ++polls) {
    const cudaError_t status = cudaEventQuery(done);
    if (status == cudaSuccess) return;
    if (status != cudaErrorNotReady) fail(what + " failed on the GPU: " + cudaGetErrorString(status));
    ncclResult_t asynchronous = ncclSuccess;
    TERN_NCCL_CHECK(ncclCommGetAsyncError(comm_, &asynchronous));
    if (asynchronous != ncclSuccess && asynchronous != ncclInProgress) {
      fail(what + " failed: " + ncclGetErrorString(asynchronous) + " (" + ncclGetLastError(comm_) + ")");
    }
    if (Clock::now() > deadline) {
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", watchdog_s_);
      fail(what + " waited more than " + limit + " s for the other " + std::to_string(size_ - 1) +
           " rank(s) (collective watchdog, --collective-timeout-s): a rank failed, hangs, or skipped it");
    }
    if (polls >= 64) std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

void NcclCommunicator::allreduce(void* data, std::int64_t count, CommType type, ReduceOp op) {
  run(describe("allreduce", reduce_op_name(op) + " of " + std::to_string(count) + " " + comm_type_name(type)), [&] {
    TERN_NCCL_CHECK(ncclAllReduce(data, data, as_size(count), nccl_type(type), nccl_op(op), comm_, stream_));
  });
}

std::unique_ptr<CommRequest> NcclCommunicator::iallreduce(void* data, std::int64_t count, CommType type,
                                                          ReduceOp op) {
  auto request = std::make_unique<NcclRequest>(
      *this, describe("allreduce", reduce_op_name(op) + " of " + std::to_string(count) + " " + comm_type_name(type)));
  queue([&] {
    TERN_NCCL_CHECK(ncclAllReduce(data, data, as_size(count), nccl_type(type), nccl_op(op), comm_, stream_));
  }, request->done());
  return request;
}

void NcclCommunicator::broadcast(void* data, std::int64_t bytes, int root) {
  run(describe("broadcast", std::to_string(bytes) + " bytes from rank " + std::to_string(root)), [&] {
    TERN_NCCL_CHECK(ncclBroadcast(data, data, as_size(bytes), ncclUint8, root, comm_, stream_));
  });
}

void NcclCommunicator::allgatherv(const void* sent, std::span<const std::int64_t> counts, CommType type,
                                  void* received) {
  TERN_CHECK(static_cast<int>(counts.size()) == size_, "allgatherv: ", counts.size(), " counts for ", size_, " ranks");
  const auto element_bytes = comm_type_size_bytes(type);
  run(describe("allgatherv", std::to_string(counts[static_cast<std::size_t>(rank_)]) + " " + comm_type_name(type) +
                                 " from this rank"),
      [&] {
        // Rank r broadcasts its block into its place in `received`.
        TERN_NCCL_CHECK(ncclGroupStart());
        std::size_t offset_bytes = 0;
        for (int r = 0; r < size_; ++r) {
          const std::size_t count = as_size(counts[static_cast<std::size_t>(r)]);
          void* place = static_cast<std::byte*>(received) + offset_bytes;
          TERN_NCCL_CHECK(ncclBroadcast(r == rank_ ? sent : place, place, count, nccl_type(type), r, comm_, stream_));
          offset_bytes += count * element_bytes;
        }
        TERN_NCCL_CHECK(ncclGroupEnd());
      });
}

void NcclCommunicator::reduce_scatter(const void* sent, std::span<const std::int64_t> counts, CommType type,
                                      ReduceOp op, void* received) {
  TERN_CHECK(static_cast<int>(counts.size()) == size_, "reduce_scatter: ", counts.size(), " counts for ", size_,
             " ranks");
  const auto element_bytes = comm_type_size_bytes(type);
  run(describe("reduce_scatter", reduce_op_name(op) + " to " + std::to_string(counts[static_cast<std::size_t>(rank_)]) +
                                     " " + comm_type_name(type) + " on this rank"),
      [&] {
        // Block r is reduced onto rank r (NCCL writes `received` on the root only).
        TERN_NCCL_CHECK(ncclGroupStart());
        std::size_t offset_bytes = 0;
        for (int r = 0; r < size_; ++r) {
          const std::size_t count = as_size(counts[static_cast<std::size_t>(r)]);
          const void* block = static_cast<const std::byte*>(sent) + offset_bytes;
          TERN_NCCL_CHECK(ncclReduce(block, received, count, nccl_type(type), nccl_op(op), r,
                                     comm_, stream_));
          offset_bytes += count * element_bytes;
        }
        TERN_NCCL_CHECK(ncclGroupEnd());
      });
}

void NcclCommunicator::send(const void* data, std::int64_t bytes, int destination, int tag) {
  TERN_CHECK(tag >= 0, "send: negative tag ", tag);
  run(describe("send", std::to_string(bytes) + " bytes to rank " + std::to_string(destination)), [&] {
    TERN_NCCL_CHECK(ncclSend(data, as_size(bytes), ncclUint8, destination, comm_, stream_));
  });
}

std::unique_ptr<CommRequest> NcclCommunicator::isend(const void*, std::int64_t bytes, int destination, int) {
  throw Error("isend of " + std::to_string(bytes) + " bytes to rank " + std::to_string(destination) +
              " on NCCL: a pipeline's point-to-point traffic goes over MPI");
}

void NcclCommunicator::recv(void* data, std::int64_t bytes, int source, int tag) {
  TERN_CHECK(tag >= 0, "recv: negative tag ", tag);
  run(describe("recv", std::to_string(bytes) + " bytes from rank " + std::to_string(source)), [&] {
    TERN_NCCL_CHECK(ncclRecv(data, as_size(bytes), ncclUint8, source, comm_, stream_));
  });
}

void NcclCommunicator::barrier() {
  run(describe("barrier", std::to_string(size_) + " ranks"), [&] {
    TERN_NCCL_CHECK(ncclAllReduce(barrier_word_, barrier_word_, 1, ncclFloat32, ncclSum, comm_, stream_));
  });
}

std::unique_ptr<Communicator> NcclCommunicator::split(int color, int key) {
  TERN_CHECK(color >= 0, "split: negative color ", color);
  ncclComm_t part = nullptr;
  TERN_NCCL_CHECK(ncclCommSplit(comm_, color, key, &part, nullptr));
  return std::unique_ptr<Communicator>(new NcclCommunicator(part, device_, watchdog_s_));
}

}  // namespace tern
