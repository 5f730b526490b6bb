// A request to stop training gracefully (DESIGN §7): the job runtime caught a stop signal
// (SIGTERM, SIGINT or SIGUSR1, which mpirun forwards), or the job's maximum runtime has passed.
// The training loop asks after every step, collectively, so that every rank stops after the
// same step even when only one rank was signalled; it then writes a checkpoint and ends with
// status Stopped. Asking costs one allreduce of an integer a step.
#pragma once

#include <chrono>
#include <csignal>
#include <optional>
#include <string>

#include "core/comm.h"

namespace tern {

class StopRequest {
 public:
  using Clock = std::chrono::steady_clock;

  // Never asks to stop.
  StopRequest() = default;
  // `signal_number` is set (by a signal handler) to the signal caught, 0 while none was;
  // `deadline` is when the maximum runtime ends, if there is one.
  StopRequest(const volatile std::sig_atomic_t* signal_number, std::optional<Clock::time_point> deadline,
              double max_runtime_s);

  // Collective over `world`: true on every rank when any rank was signalled or saw the
  // deadline pass. reason() then says why, alike on every rank.
  bool agreed(Communicator& world);
  const std::string& reason() const { return reason_; }

 private:
  const volatile std::sig_atomic_t* signal_number_ = nullptr;
  std::optional<Clock::time_point> deadline_;
  double max_runtime_s_ = 0.0;
  std::string reason_;
};

// "SIGTERM", "SIGINT", ... for the stop signals; "signal N" for any other.
std::string signal_name(int signal_number);

}  // namespace tern
