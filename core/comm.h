// Communicator: the collectives that cross ranks, behind one interface, so that algorithms and
// the training loop run unchanged on one process (LocalCommunicator), on MPI ranks
// (parallel/mpi_communicator) or, later, on NCCL. Only parallel/ implements it with a transport;
// core code includes this header and never MPI's.
//
// Buffers are raw memory of `count` elements of a DType (f32, i32, i64 and, for reductions of
// statistics, f64 through the typed helpers below). Every rank must call the same collectives
// in the same order with matching sizes, as in MPI; the MPI implementation guards each call
// with a watchdog so that a rank that never arrives becomes an error, not a hang.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>


namespace tern {

enum class ReduceOp { sum, average, max, min };

// Element types a collective can carry. f64 exists for exact sums of statistics.
enum class CommType { f32, f64, i32, i64, u8 };

std::size_t comm_type_size_bytes(CommType type);
std::string comm_type_name(CommType type);
std::string reduce_op_name(ReduceOp op);

// A non-blocking collective in flight; wait() returns when the buffer holds the result.
class CommRequest {
 public:
  virtual ~CommRequest() = default;
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;

  // data[i] = op over ranks of data[i], in place. `average` is the sum divided by size().
  virtual void allreduce(void* data, std::int64_t count, CommType type, ReduceOp op) = 0;
  // The same, started now; the buffer must stay untouched until wait() returns.
  virtual std::unique_ptr<CommRequest> iallreduce(void* data, std::int64_t count, CommType type, ReduceOp op) = 0;
  // root's `bytes` bytes of data, copied to every rank.
  virtual void broadcast(void* data, std::int64_t bytes, int root) = 0;
  // Every rank sends counts[rank()] elements; `received` gets Σ counts, in rank order.
  virtual void allgatherv(const void* sent, std::span<const std::int64_t> counts, CommType type, void* received) = 0;
  // `sent` holds size() blocks of counts[r] elements; rank r receives block r reduced over ranks.
  virtual void reduce_scatter(const void* sent, std::span<const std::int64_t> counts, CommType type, ReduceOp op,
                              void* received) = 0;
  virtual void send(const void* data, std::int64_t bytes, int destination, int tag) = 0;
  // The same, started now, so that the caller goes on (a pipeline stage sends an activation and
  // goes on to receive a gradient); `data` may be reused once wait() returns.
  virtual std::unique_ptr<CommRequest> isend(const void* data, std::int64_t bytes, int destination, int tag) = 0;
  virtual void recv(void* data, std::int64_t bytes, int source, int tag) = 0;
  virtual void barrier() = 0;
  // Ranks with the same color form a new communicator, ordered by key (then by rank).
  virtual std::unique_ptr<Communicator> split(int color, int key) = 0;

  // Every rank sends `count` elements; `received` gets size() · count, in rank order.
  void allgather(const void* sent, std::int64_t count, CommType type, void* received);
};

// The communicator of a single process: every collective is a copy or nothing.
class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce(void* data, std::int64_t count, CommType type, ReduceOp op) override;
  std::unique_ptr<CommRequest> iallreduce(void* data, std::int64_t count, CommType type, ReduceOp op) override;
  void broadcast(void* data, std::int64_t bytes, int root) override;
  void allgatherv(const void* sent, std::span<const std::int64_t> counts, CommType type, void* received) override;
  void reduce_scatter(const void* sent, std::span<const std::int64_t> counts, CommType type, ReduceOp op,
                      void* received) override;
  void send(const void* data, std::int64_t bytes, int destination, int tag) override;
  std::unique_ptr<CommRequest> isend(const void* data, std::int64_t bytes, int destination, int tag) override;
  void recv(void* data, std::int64_t bytes, int source, int tag) override;
  void barrier() override {}
  std::unique_ptr<Communicator> split(int color, int key) override;
};

// Typed conveniences.
template <typename T> constexpr CommType comm_type_of();
template <> constexpr CommType comm_type_of<float>() { return CommType::f32; }
template <> constexpr CommType comm_type_of<double>() { return CommType::f64; }
template <> constexpr CommType comm_type_of<std::int32_t>() { return CommType::i32; }
template <> constexpr CommType comm_type_of<std::int64_t>() { return CommType::i64; }

template <typename T>
void allreduce(Communicator& comm, std::span<T> values, ReduceOp op) {
  comm.allreduce(values.data(), static_cast<std::int64_t>(values.size()), comm_type_of<T>(), op);
}

template <typename T>
T allreduce_value(Communicator& comm, T value, ReduceOp op) {
  comm.allreduce(&value, 1, comm_type_of<T>(), op);
  return value;
}

}  // namespace tern
