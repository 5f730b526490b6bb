#include "core/job/stop_request.h"

namespace tern {

namespace {
// What agreed() allreduces: the largest wins, so a signal outranks the deadline.
constexpr std::int32_t kNoStop = 0;
constexpr std::int32_t kDeadline = 1;
constexpr std::int32_t kSignalBase = 2;  // kSignalBase + signal number
}  // namespace

StopRequest::StopRequest(const volatile std::sig_atomic_t* signal_number, std::optional<Clock::time_point> deadline,
                         double max_runtime_s)
    : signal_number_(signal_number), deadline_(deadline), max_runtime_s_(max_runtime_s) {}

bool StopRequest::agreed(Communicator& world) {
  std::int32_t mine = kNoStop;
  if (signal_number_ != nullptr && *signal_number_ != 0) {
    mine = kSignalBase + static_cast<std::int32_t>(*signal_number_);
  } else if (deadline_ && Clock::now() >= *deadline_) {
    mine = kDeadline;
  }
  const std::int32_t agreed = allreduce_value(world, mine, ReduceOp::max);
  if (agreed == kNoStop) return false;
  reason_ = agreed == kDeadline ? "the maximum runtime of " + std::to_string(max_runtime_s_) + " s has passed"
                                : signal_name(agreed - kSignalBase) + " received";
  return true;
}

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    default: return "signal " + std::to_string(signal_number);
  }
}

}  // namespace tern
