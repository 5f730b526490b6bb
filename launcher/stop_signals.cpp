#include "launcher/stop_signals.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <initializer_list>

namespace tern {

namespace {

volatile std::sig_atomic_t first_signal = 0;
std::atomic<std::int64_t> first_signal_time_ms{0};  // CLOCK_MONOTONIC milliseconds
static_assert(std::atomic<std::int64_t>::is_always_lock_free, "a signal handler may use only lock-free atomics");

std::int64_t monotonic_milliseconds() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

void on_stop_signal(int signal_number) {
  // The first signal is only noted: the training loop logs the stop when it acts on it (a rank
  // that mpirun signals while aborting a failed job is killed before then, and says nothing).
  if (first_signal == 0) {
    first_signal_time_ms = monotonic_milliseconds();
    first_signal = signal_number;
    return;
  }
  if (monotonic_milliseconds() - first_signal_time_ms < 1000) return;  // the same request, delivered twice
  constexpr const char kMessage[] = "tern: second stop signal; aborting at once\n";
  static_cast<void>(write(STDERR_FILENO, kMessage, sizeof kMessage - 1));
  _exit(128 + signal_number);
}

}  // namespace

const volatile std::sig_atomic_t* install_stop_signal_handlers() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal_number : {SIGTERM, SIGINT, SIGUSR1}) sigaction(signal_number, &action, nullptr);
  return &first_signal;
}

}  // namespace tern
