#include "core/comm.h"

#include <cstring>
#include <vector>

#include "core/error.h"

namespace tern {

std::size_t comm_type_size_bytes(CommType type) {
  switch (type) {
    case CommType::f32: return 4;
    case CommType::f64: return 8;
    case CommType::i32: return 4;
    case CommType::i64: return 8;
    case CommType::u8: return 1;
  }
  return 0;
}

std::string comm_type_name(CommType type) {
  switch (type) {
    case CommType::f32: return "f32";
    case CommType::f64: return "f64";
    case CommType::i32: return "i32";
    case CommType::i64: return "i64";
    case CommType::u8: return "u8";
  }
  return "?";
}

std::string reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return "sum";
    case ReduceOp::average: return "average";
    case ReduceOp::max: return "max";
    case ReduceOp::min: return "min";
  }
  return "?";
}

void Communicator::allgather(const void* sent, std::int64_t count, CommType type, void* received) {
  const std::vector<std::int64_t> counts(static_cast<std::size_t>(size()), count);
  allgatherv(sent, counts, type, received);
}

namespace {
class CompletedRequest final : public CommRequest {
 public:
  void wait() override {}
};
}  // namespace

void LocalCommunicator::allreduce(void*, std::int64_t, CommType, ReduceOp) {}

std::unique_ptr<CommRequest> LocalCommunicator::iallreduce(void*, std::int64_t, CommType, ReduceOp) {
  return std::make_unique<CompletedRequest>();
}

void LocalCommunicator::broadcast(void*, std::int64_t, int root) {
  TERN_CHECK(root == 0, "broadcast from rank ", root, " on a single-process communicator");
}

void LocalCommunicator::allgatherv(const void* sent, std::span<const std::int64_t> counts, CommType type,
                                   void* received) {
  TERN_CHECK(counts.size() == 1, "allgatherv: ", counts.size(), " counts on a single-process communicator");
  if (received != sent) std::memcpy(received, sent, static_cast<std::size_t>(counts[0]) * comm_type_size_bytes(type));
}

void LocalCommunicator::reduce_scatter(const void* sent, std::span<const std::int64_t> counts, CommType type,
                                       ReduceOp, void* received) {
  TERN_CHECK(counts.size() == 1, "reduce_scatter: ", counts.size(), " counts on a single-process communicator");
  if (received != sent) std::memcpy(received, sent, static_cast<std::size_t>(counts[0]) * comm_type_size_bytes(type));
}

void LocalCommunicator::send(const void*, std::int64_t, int destination, int) {
  throw Error("send to rank " + std::to_string(destination) + " on a single-process communicator");
}

std::unique_ptr<CommRequest> LocalCommunicator::isend(const void* data, std::int64_t bytes, int destination, int tag) {
  send(data, bytes, destination, tag);
  return std::make_unique<CompletedRequest>();
}

void LocalCommunicator::recv(void*, std::int64_t, int source, int) {
  throw Error("recv from rank " + std::to_string(source) + " on a single-process communicator");
}

std::unique_ptr<Communicator> LocalCommunicator::split(int, int) { return std::make_unique<LocalCommunicator>(); }

}  // namespace tern
