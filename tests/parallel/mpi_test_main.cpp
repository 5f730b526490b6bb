// main() of the multi-rank GoogleTest programs (tests/parallel/*_mpi_test.cpp): initialises
// MPI, runs the tests on every rank, and makes the job fail when any rank failed. Only rank 0
// prints GoogleTest's progress, so the output stays readable.
#include <gtest/gtest.h>

#include "parallel/mpi_environment.h"
#include "tests/parallel/mpi_test_world.h"

int main(int argc, char** argv) {
  tern::MpiEnvironment environment(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  auto world = environment.world(tern::testing::kTestWatchdogSeconds);
  tern::testing::set_test_world(world.get());
  if (world->rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int local_failures = RUN_ALL_TESTS();
  const int failures = tern::allreduce_value(*world, local_failures, tern::ReduceOp::max);
  tern::testing::set_test_world(nullptr);
  world.reset();
  return failures == 0 ? 0 : 1;
}
