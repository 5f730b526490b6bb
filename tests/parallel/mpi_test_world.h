// The world communicator of a multi-rank test program (set by mpi_test_main.cpp).
#pragma once

#include "core/comm.h"

namespace tern::testing {

// A short watchdog: a test that leaves a rank behind fails in seconds instead of hanging CTest.
inline constexpr double kTestWatchdogSeconds = 60.0;

inline Communicator*& test_world_slot() {
  static Communicator* world = nullptr;
  return world;
}
inline void set_test_world(Communicator* world) { test_world_slot() = world; }
inline Communicator& test_world() { return *test_world_slot(); }

}  // namespace tern::testing
