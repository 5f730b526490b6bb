// The stop request on one process: nothing asks to stop until a signal number is set or the
// deadline passes; a signal outranks the deadline in the reason; the names of the stop signals.
#include "core/job/stop_request.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

TEST(StopRequest, AgreesOnceSignalledAndNamesTheSignal) {
  LocalCommunicator one_rank;
  volatile std::sig_atomic_t signal_number = 0;
  StopRequest request(&signal_number, std::nullopt, 0.0);
  EXPECT_FALSE(request.agreed(one_rank));
  signal_number = SIGTERM;
  EXPECT_TRUE(request.agreed(one_rank));
  EXPECT_EQ(request.reason(), "SIGTERM received");
  EXPECT_FALSE(StopRequest().agreed(one_rank));  // the default never stops
}

TEST(StopRequest, AgreesOnceTheDeadlinePassesAndASignalOutranksIt) {
  LocalCommunicator one_rank;
  volatile std::sig_atomic_t signal_number = 0;
  StopRequest later(&signal_number, StopRequest::Clock::now() + std::chrono::hours(1), 3600.0);
  EXPECT_FALSE(later.agreed(one_rank));
  StopRequest passed(&signal_number, StopRequest::Clock::now() - std::chrono::seconds(1), 30.0);
  EXPECT_TRUE(passed.agreed(one_rank));
  EXPECT_NE(passed.reason().find("maximum runtime of 30"), std::string::npos) << passed.reason();
  signal_number = SIGUSR1;
  EXPECT_TRUE(passed.agreed(one_rank));
  EXPECT_EQ(passed.reason(), "SIGUSR1 received");
}

TEST(StopRequest, NamesTheStopSignals) {
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGUSR1), "SIGUSR1");
  EXPECT_EQ(signal_name(SIGHUP), "signal " + std::to_string(SIGHUP));
}

}  // namespace
}  // namespace tern
