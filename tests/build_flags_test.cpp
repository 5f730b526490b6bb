// The compiler flags against a wrong-code bug: Debian 12's GCC 12.2 with AVX-512 enabled
// (-march=native on an AVX-512 machine, as CI's and the development VMs are) stores a constant
// std::vector<double> of {10, 10, 0, 0} as a broadcast of its first value, {10, 10, 10, 10}.
// The build turns AVX-512 off for Tern's own code with that compiler (CMakeLists.txt); this
// test fails if it is on again.
#include <gtest/gtest.h>

#include <vector>

namespace tern {
namespace {

// The values one by one, as code elsewhere would read them (not folded at compile time).
__attribute__((noinline)) std::vector<double> copied(const std::vector<double>& values) {
  std::vector<double> copy;
  for (const double value : values) copy.push_back(value);
  return copy;
}

TEST(BuildFlags, AConstantVectorOfTwoValuesKeepsBoth) {
  const std::vector<double> values = {10.0, 10.0, 0.0, 0.0};
  std::vector<double> expected(4, 0.0);
  expected[0] = expected[1] = 10.0;
  EXPECT_EQ(copied(values), expected);
}

}  // namespace
}  // namespace tern
