// End-to-end: a seeded run is bit-for-bit reproducible, whatever the thread count and whether
// the data is loaded (file) or streamed (pipe). Dropout is on, so its masks are covered too.
#include <gtest/gtest.h>

#include "core/io/model_file.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::real_data;
using testing::run_tern;

// Trains on breast_cancer and returns the saved model.
ModelFile train_model(const testing::ScratchFolder& scratch, const std::string& name, const std::string& options,
                      const std::string& environment) {
  const auto data = real_data("breast_cancer.csv");
  const auto job = scratch / name;
  const auto result = run_tern("train --algorithm mlp --quiet --train " + data.string() + " --output-dir " +
                                   job.string() +
                                   " --hp hidden_sizes=[256,128] --hp dropout=0.2 --hp epochs=3 --hp mini_batch_size=100"
                                   " --hp seed=11 " + options,
                               environment);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return read_model_file(job / "model" / "model.h5");
}

void expect_bitwise_equal(const ModelFile& a, const ModelFile& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, tensor] : a.tensors) {
    const Tensor& other = b.tensor(name);
    ASSERT_EQ(tensor.shape(), other.shape()) << name;
    EXPECT_EQ(std::memcmp(tensor.data<float>(), other.data<float>(), tensor.size_bytes()), 0) << name << " differs";
  }
}

TEST(Reproducibility, SameSeedSameModelOnOneAndTwoThreads) {
  TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv"));
  testing::ScratchFolder scratch;
  const ModelFile one_thread = train_model(scratch, "one", "", "OMP_NUM_THREADS=1");
  const ModelFile two_threads = train_model(scratch, "two", "", "OMP_NUM_THREADS=2");
  const ModelFile again = train_model(scratch, "again", "", "OMP_NUM_THREADS=2");
  expect_bitwise_equal(one_thread, two_threads);
  expect_bitwise_equal(two_threads, again);
}

TEST(Reproducibility, PipeModeTrainsTheSameModelAsFileMode) {
  TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv"));
  testing::ScratchFolder scratch;
  const ModelFile file_mode = train_model(scratch, "file", "--ingestion file", "");
  // A 1 MiB bound: the prefetch queue holds a few batches of 100 rows at most.
  const ModelFile pipe_mode = train_model(scratch, "pipe", "--ingestion pipe --pipe-memory-mb 1", "");
  expect_bitwise_equal(file_mode, pipe_mode);
}

TEST(Reproducibility, DifferentSeedsGiveDifferentModels) {
  TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv"));
  testing::ScratchFolder scratch;
  const ModelFile a = train_model(scratch, "a", "", "");
  const ModelFile b = train_model(scratch, "b", "--hp seed=12", "");
  EXPECT_NE(std::memcmp(a.tensor("parameters/output.weight").data<float>(),
                        b.tensor("parameters/output.weight").data<float>(), a.tensor("parameters/output.weight").size_bytes()),
            0);
}

}  // namespace
}  // namespace tern
