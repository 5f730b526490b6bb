#include "parallel/mpi_communicator.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <numeric>
#include <cstdio>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/tensor/device_memory.h"

namespace tern {

namespace {

MPI_Datatype mpi_type(CommType type) {
  switch (type) {
    case CommType::f32: return MPI_FLOAT;
    case CommType::f64: return MPI_DOUBLE;
    case CommType::i32: return MPI_INT32_T;
    case CommType::i64: return MPI_INT64_T;
    case CommType::u8: return MPI_UINT8_T;
  }
  return MPI_DATATYPE_NULL;
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum:
    case ReduceOp::average: return MPI_SUM;
    case ReduceOp::max: return MPI_MAX;
    case ReduceOp::min: return MPI_MIN;
  }
  return MPI_OP_NULL;
}

void check_mpi(int status, const std::string& what) {
  if (status == MPI_SUCCESS) return;
  char message[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, message, &length);
  throw Error(what + " failed: " + std::string(message, static_cast<std::size_t>(length)));
}

int as_int_count(std::int64_t count, const std::string& what) {
  TERN_CHECK(count >= 0 && count <= INT_MAX, what, ": count ", count, " is outside what one MPI call takes");
  return static_cast<int>(count);
}

// average = sum / ranks, applied after the sum arrives.
void divide_by(void* data, std::int64_t count, CommType type, int ranks) {
  if (type == CommType::f32) {
    auto* values = static_cast<float*>(data);
    for (std::int64_t i = 0; i < count; ++i) values[i] /= static_cast<float>(ranks);
  } else if (type == CommType::f64) {
    auto* values = static_cast<double*>(data);
    for (std::int64_t i = 0; i < count; ++i) values[i] /= static_cast<double>(ranks);
  } else {
    throw Error("average of integer elements (" + comm_type_name(type) + ") is not defined; use sum");
  }
}

class CompletedRequest final : public CommRequest {
 public:
  void wait() override {}
};

class MpiRequest final : public CommRequest {
 public:
  MpiRequest(const MpiCommunicator& comm, MPI_Request request, std::string what, void* data, std::int64_t count,
             CommType type, bool average)
      : comm_(comm), request_(request), what_(std::move(what)), data_(data), count_(count), type_(type),
        average_(average) {}
  // A request is abandoned only while an error unwinds toward the job's abort: waiting for it
  // here could hang (the other ranks may never arrive), so it is left to MPI_Abort.
  ~MpiRequest() override = default;
  void wait() override {
    comm_.complete(request_, what_);
    if (average_) divide_by(data_, count_, type_, comm_.size());
    staged_.reset();
  }
  // Keeps a host copy of device memory alive until the transfer completes.
  void hold(std::shared_ptr<std::byte> staged) { staged_ = std::move(staged); }

 private:
  const MpiCommunicator& comm_;
  MPI_Request request_;
  std::string what_;
  void* data_;
  std::int64_t count_;
  CommType type_;
  bool average_;
  std::shared_ptr<std::byte> staged_;
};

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm comm, bool owned, double watchdog_s)
    : comm_(comm), owned_(owned), watchdog_s_(watchdog_s) {
  check_mpi(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

MpiCommunicator::~MpiCommunicator() {
  if (owned_) MPI_Comm_free(&comm_);
}

std::string MpiCommunicator::describe(const std::string& operation, const std::string& detail) {
  return operation + " #" + std::to_string(++collectives_issued_) + " (" + detail + ")";
}

void MpiCommunicator::complete(MPI_Request& request, const std::string& what) const {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(watchdog_s_));
  for (std::int64_t polls = 0;; ++polls) {
    int done = 0;
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "rank " + std::to_string(rank_) + ": " + what);
    if (done) return;
    if (polls >= 64) std::this_thread::yield();  // let other ranks on an oversubscribed node run
    if ((polls & 1023) == 1023 && Clock::now() > deadline) {
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", watchdog_s_);
      throw Error(what + " waited more than " + limit + " s for the other " + std::to_string(size_ - 1) +
                  " rank(s) (collective watchdog, --collective-timeout-s): a rank failed, hangs, or skipped it");
    }
  }
}

namespace {
constexpr int kRingTag = 0x7e57;

// target[i] = op(target[i], source[i]); an average is the sum divided by `ranks`.
template <typename T>
void reduce_into(T* target, const T* source, std::int64_t count, ReduceOp op, int ranks) {
  switch (op) {
    case ReduceOp::sum:
      for (std::int64_t i = 0; i < count; ++i) target[i] += source[i];
      return;
    case ReduceOp::average:
      for (std::int64_t i = 0; i < count; ++i) target[i] = (target[i] + source[i]) / static_cast<T>(ranks);
      return;
    case ReduceOp::max:
      for (std::int64_t i = 0; i < count; ++i) target[i] = std::max(target[i], source[i]);
      return;
    case ReduceOp::min:
      for (std::int64_t i = 0; i < count; ++i) target[i] = std::min(target[i], source[i]);
      return;
  }
}

void reduce_into(CommType type, std::byte* target, const std::byte* source, std::int64_t count, ReduceOp op,
                 int ranks) {
  if (type == CommType::f32) {
    reduce_into(reinterpret_cast<float*>(target), reinterpret_cast<const float*>(source), count, op, ranks);
  } else {
    reduce_into(reinterpret_cast<double*>(target), reinterpret_cast<const double*>(source), count, op, ranks);
  }
}
}  // namespace

std::byte* MpiCommunicator::staging(int slot, std::int64_t bytes) {
  if (staging_bytes_[slot] < bytes) {
    staging_[slot] = allocate_pinned_host(static_cast<std::size_t>(bytes));
    staging_bytes_[slot] = bytes;
  }
  return staging_[slot].get();
}

template <typename Collective>
bool MpiCommunicator::run_on_host_copies(const void* sent, std::int64_t sent_bytes, void* received,
                                         std::int64_t received_bytes, const Collective& collective) {
  const Device sent_device = sent != nullptr ? device_of_memory(sent) : Device::cpu();
  const Device received_device = received == sent       ? sent_device
                                 : received != nullptr ? device_of_memory(received)
                                                       : Device::cpu();
  if (sent_device.is_cpu() && received_device.is_cpu()) return false;
  const void* host_sent = sent;
  if (!sent_device.is_cpu()) {
    std::byte* copy = staging(0, sent_bytes);
    copy_bytes(Device::cpu(), copy, sent_device, sent, static_cast<std::size_t>(sent_bytes));
    host_sent = copy;
  }
  void* host_received = received;
  if (received == sent && received != nullptr) {
    host_received = const_cast<void*>(host_sent);  // in place: the same host copy
  } else if (!received_device.is_cpu()) {
    host_received = staging(1, received_bytes);
  }
  collective(host_sent, host_received);
  if (!received_device.is_cpu()) {
    copy_bytes(received_device, received, Device::cpu(), host_received, static_cast<std::size_t>(received_bytes));
    synchronize(received_device);  // the staging buffer is reused by the next call
  }
  return true;
}

void MpiCommunicator::allreduce(void* data, std::int64_t count, CommType type, ReduceOp op) {
  const std::int64_t bytes = count * static_cast<std::int64_t>(comm_type_size_bytes(type));
  if (run_on_host_copies(data, bytes, data, bytes,
                         [&](const void*, void* host) { allreduce(host, count, type, op); })) {
    return;
  }
  const bool floating = type == CommType::f32 || type == CommType::f64;
  if (size_ > 1 && floating) {
    ring_allreduce(data, count, type, op,
                   describe("allreduce", reduce_op_name(op) + " of " + std::to_string(count) + " " + comm_type_name(type)));
    return;
  }
  iallreduce(data, count, type, op)->wait();
}

void MpiCommunicator::start_exchange(const void* sent, std::int64_t sent_bytes, void* received,
                                     std::int64_t received_bytes, const std::string& what, MPI_Request* requests) {
  const int right = (rank_ + 1) % size_, left = (rank_ + size_ - 1) % size_;
  check_mpi(MPI_Irecv(received, as_int_count(received_bytes, what), MPI_BYTE, left, kRingTag, comm_, &requests[0]),
            what);
  check_mpi(MPI_Isend(sent, as_int_count(sent_bytes, what), MPI_BYTE, right, kRingTag, comm_, &requests[1]), what);
}

void MpiCommunicator::ring_allreduce(void* data, std::int64_t count, CommType type, ReduceOp op,
                                     const std::string& what) {
  const auto element_bytes = static_cast<std::int64_t>(comm_type_size_bytes(type));
  auto* bytes = static_cast<std::byte*>(data);
  // Chunk c is elements [begin(c), begin(c + 1)).
  const auto begin = [&](int chunk) { return count * chunk / size_; };
  const auto chunk_elements = [&](int chunk) { return begin(chunk + 1) - begin(chunk); };
  const auto exchange = [&](int send_chunk, void* received, int receive_chunk) {
    MPI_Request requests[2];
    start_exchange(bytes + begin(send_chunk) * element_bytes, chunk_elements(send_chunk) * element_bytes, received,
                   chunk_elements(receive_chunk) * element_bytes, what, requests);
    complete(requests[0], what);
    complete(requests[1], what);
  };
  ring_scratch_.resize(static_cast<std::size_t>((count + size_ - 1) / size_ * element_bytes));
  // Reduce-scatter: after step s, rank r holds the reduction of chunk (r - s - 1) over s + 2
  // ranks. An average divides in the last step, once per element.
  for (int step = 0; step + 1 < size_; ++step) {
    const int send_chunk = (rank_ - step + size_) % size_, receive_chunk = (rank_ - step - 1 + size_) % size_;
    exchange(send_chunk, ring_scratch_.data(), receive_chunk);
    const ReduceOp step_op = op == ReduceOp::average && step + 2 < size_ ? ReduceOp::sum : op;
    reduce_into(type, bytes + begin(receive_chunk) * element_bytes, ring_scratch_.data(), chunk_elements(receive_chunk),
                step_op, size_);
  }
  // Allgather: rank r owns chunk (r + 1), fully reduced; the finished chunks travel around the
  // ring, received in place.
  for (int step = 0; step + 1 < size_; ++step) {
    const int send_chunk = (rank_ + 1 - step + size_) % size_, receive_chunk = (rank_ - step + size_) % size_;
    exchange(send_chunk, bytes + begin(receive_chunk) * element_bytes, receive_chunk);
  }
}

std::unique_ptr<CommRequest> MpiCommunicator::iallreduce(void* data, std::int64_t count, CommType type, ReduceOp op) {
  if (!device_of_memory(data).is_cpu()) {  // staged: done now, and wait() has nothing left to do
    allreduce(data, count, type, op);
    return std::make_unique<CompletedRequest>();
  }
  const std::string what = describe("allreduce", reduce_op_name(op) + " of " + std::to_string(count) + " " + comm_type_name(type));
  MPI_Request request;
  check_mpi(MPI_Iallreduce(MPI_IN_PLACE, data, as_int_count(count, what), mpi_type(type), mpi_op(op), comm_, &request),
            what);
  return std::make_unique<MpiRequest>(*this, request, what, data, count, type, op == ReduceOp::average);
}

void MpiCommunicator::broadcast(void* data, std::int64_t bytes, int root) {
  if (run_on_host_copies(data, bytes, data, bytes, [&](const void*, void* host) { broadcast(host, bytes, root); })) {
    return;
  }
  const std::string what = describe("broadcast", std::to_string(bytes) + " bytes from rank " + std::to_string(root));
  MPI_Request request;
  check_mpi(MPI_Ibcast(data, as_int_count(bytes, what), MPI_BYTE, root, comm_, &request), what);
  complete(request, what);
}

void MpiCommunicator::allgatherv(const void* sent, std::span<const std::int64_t> counts, CommType type,
                                 void* received) {
  TERN_CHECK(static_cast<int>(counts.size()) == size_, "allgatherv: ", counts.size(), " counts for ", size_, " ranks");
  const auto element_bytes = static_cast<std::int64_t>(comm_type_size_bytes(type));
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  if (run_on_host_copies(sent, counts[static_cast<std::size_t>(rank_)] * element_bytes, received, total * element_bytes,
                         [&](const void* host_sent, void* host_received) {
                           allgatherv(host_sent, counts, type, host_received);
                         })) {
    return;
  }
  const std::string what = describe("allgatherv", std::to_string(counts[static_cast<std::size_t>(rank_)]) + " " +
                                                      comm_type_name(type) + " from this rank");
  std::vector<int> receive_counts(counts.size()), displacements(counts.size());
  std::int64_t offset = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    receive_counts[r] = as_int_count(counts[r], what);
    displacements[r] = as_int_count(offset, what);
    offset += counts[r];
  }
  MPI_Request request;
  check_mpi(MPI_Iallgatherv(sent, receive_counts[static_cast<std::size_t>(rank_)], mpi_type(type), received,
                            receive_counts.data(), displacements.data(), mpi_type(type), comm_, &request),
            what);
  complete(request, what);
}

void MpiCommunicator::reduce_scatter(const void* sent, std::span<const std::int64_t> counts, CommType type,
                                     ReduceOp op, void* received) {
  TERN_CHECK(static_cast<int>(counts.size()) == size_, "reduce_scatter: ", counts.size(), " counts for ", size_,
             " ranks");
  const auto element_bytes = static_cast<std::int64_t>(comm_type_size_bytes(type));
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  if (run_on_host_copies(sent, total * element_bytes, received, counts[static_cast<std::size_t>(rank_)] * element_bytes,
                         [&](const void* host_sent, void* host_received) {
                           reduce_scatter(host_sent, counts, type, op, host_received);
                         })) {
    return;
  }
  const std::string what = describe("reduce_scatter", reduce_op_name(op) + " to " +
                                                          std::to_string(counts[static_cast<std::size_t>(rank_)]) + " " +
                                                          comm_type_name(type) + " on this rank");
  std::vector<int> receive_counts(counts.size());
  for (std::size_t r = 0; r < counts.size(); ++r) receive_counts[r] = as_int_count(counts[r], what);
  MPI_Request request;
  check_mpi(MPI_Ireduce_scatter(sent, received, receive_counts.data(), mpi_type(type), mpi_op(op), comm_, &request),
            what);
  complete(request, what);
  if (op == ReduceOp::average) divide_by(received, counts[static_cast<std::size_t>(rank_)], type, size_);
}

void MpiCommunicator::send(const void* data, std::int64_t bytes, int destination, int tag) {
  if (run_on_host_copies(data, bytes, nullptr, 0,
                         [&](const void* host, void*) { send(host, bytes, destination, tag); })) {
    return;
  }
  const std::string what = describe("send", std::to_string(bytes) + " bytes to rank " + std::to_string(destination));
  MPI_Request request;
  check_mpi(MPI_Isend(data, as_int_count(bytes, what), MPI_BYTE, destination, tag, comm_, &request), what);
  complete(request, what);
}

std::unique_ptr<CommRequest> MpiCommunicator::isend(const void* data, std::int64_t bytes, int destination, int tag) {
  const std::string what = describe("isend", std::to_string(bytes) + " bytes to rank " + std::to_string(destination));
  const Device device = device_of_memory(data);
  std::shared_ptr<std::byte> staged;
  if (!device.is_cpu()) {
    staged = allocate_pinned_host(static_cast<std::size_t>(bytes));
    copy_bytes(Device::cpu(), staged.get(), device, data, static_cast<std::size_t>(bytes));
    synchronize(device);
    data = staged.get();
  }
  MPI_Request request;
  check_mpi(MPI_Isend(data, as_int_count(bytes, what), MPI_BYTE, destination, tag, comm_, &request), what);
  auto pending = std::make_unique<MpiRequest>(*this, request, what, nullptr, 0, CommType::u8, false);
  pending->hold(std::move(staged));
  return pending;
}

void MpiCommunicator::recv(void* data, std::int64_t bytes, int source, int tag) {
  if (run_on_host_copies(nullptr, 0, data, bytes, [&](const void*, void* host) { recv(host, bytes, source, tag); })) {
    return;
  }
  const std::string what = describe("recv", std::to_string(bytes) + " bytes from rank " + std::to_string(source));
  MPI_Request request;
  check_mpi(MPI_Irecv(data, as_int_count(bytes, what), MPI_BYTE, source, tag, comm_, &request), what);
  complete(request, what);
}

void MpiCommunicator::barrier() {
  const std::string what = describe("barrier", std::to_string(size_) + " ranks");
  MPI_Request request;
  check_mpi(MPI_Ibarrier(comm_, &request), what);
  complete(request, what);
}

std::unique_ptr<Communicator> MpiCommunicator::split(int color, int key) {
  MPI_Comm part;
  check_mpi(MPI_Comm_split(comm_, color, key, &part), "rank " + std::to_string(rank_) + ": MPI_Comm_split");
  return std::make_unique<MpiCommunicator>(part, true, watchdog_s_);
}

}  // namespace tern
