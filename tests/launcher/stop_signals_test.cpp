// The ranks' stop-signal handlers, in forked children: the first SIGTERM, SIGINT or SIGUSR1 is
// noted (the process goes on, the variable holds the signal); a copy within a second is the same
// request; a second signal a second or more later ends the process at once with 128 + signal.
#include "launcher/stop_signals.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

namespace tern {
namespace {

// Runs `body` in a child process and returns its wait status.
int status_of_child(const std::function<int()>& body) {
  const pid_t child = fork();
  if (child == 0) _exit(body());
  int status = 0;
  waitpid(child, &status, 0);
  return status;
}

TEST(StopSignals, TheFirstSignalIsNotedAndACopyWithinASecondToo) {
  for (const int signal_number : {SIGTERM, SIGINT, SIGUSR1}) {
    const int status = status_of_child([signal_number] {
      const volatile std::sig_atomic_t* caught = install_stop_signal_handlers();
      if (*caught != 0) return 10;
      raise(signal_number);
      raise(signal_number);  // the same request delivered twice: not an abort
      return *caught == signal_number ? 0 : 11;
    });
    ASSERT_TRUE(WIFEXITED(status)) << "signal " << signal_number;
    EXPECT_EQ(WEXITSTATUS(status), 0) << "signal " << signal_number;
  }
}

TEST(StopSignals, ASecondSignalASecondLaterAbortsAtOnce) {
  const int status = status_of_child([] {
    install_stop_signal_handlers();
    raise(SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    raise(SIGINT);
    return 0;  // not reached
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
}

}  // namespace
}  // namespace tern
