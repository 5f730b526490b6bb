// End-to-end data parallelism: `mpirun -np N tern train` on real data.
//   - replicated rows: 2 and 3 ranks train the parameters 1 rank trains with the same global
//     batch (relative error <= 1e-5, dropout on), in file and pipe mode;
//   - sharded rows with uneven shards finish, every rank running the same number of steps;
//   - a fault on one rank ends every rank within seconds, naming the rank, exit code non-zero;
//   - a rank that hangs is caught by the others' collective watchdog;
//   - bad input present only in one rank's shard fails the whole job cleanly.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "core/io/model_file.h"
#include "core/tensor/device_memory.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::real_data;
using testing::run_tern;
using testing::run_tern_on_ranks;
using testing::ScratchFolder;

const std::string kHyperparameters =
    " --quiet --hp hidden_sizes=[64,32] --hp dropout=0.2 --hp epochs=3 --hp mini_batch_size=48 --hp seed=3";

// max |a - b| / max |a| over every tensor of two models.
double relative_difference(const ModelFile& a, const ModelFile& b) {
  double worst = 0.0;
  for (const auto& [name, tensor] : a.tensors) {
    const Tensor& other = b.tensor(name);
    double difference = 0.0, scale = 1e-30;
    for (std::int64_t i = 0; i < tensor.numel(); ++i) {
      difference = std::max(difference, std::abs(double(tensor.data<float>()[i]) - other.data<float>()[i]));
      scale = std::max(scale, std::abs(double(tensor.data<float>()[i])));
    }
    worst = std::max(worst, difference / scale);
  }
  return worst;
}

TEST(DataParallel, ReplicatedRanksTrainTheSingleRankModel) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const std::string train = " --train " + data.string() + " --validation " + data.string();
  const auto single = run_tern("train --algorithm mlp" + train + " --output-dir " + (scratch / "one").string() +
                               kHyperparameters, "OMP_NUM_THREADS=1");
  ASSERT_EQ(single.exit_code, 0) << single.output;
  const ModelFile reference = read_model_file(scratch / "one" / "model" / "model.h5");
  for (int ranks : {2, 3}) {
    for (const char* ingestion : {"file", "pipe"}) {
      const auto job = scratch / ("ranks" + std::to_string(ranks) + ingestion);
      const auto result = run_tern_on_ranks(ranks, "train --algorithm mlp" + train + " --output-dir " + job.string() +
                                                       " --ingestion " + ingestion + kHyperparameters);
      ASSERT_EQ(result.exit_code, 0) << result.output;
      const double error = relative_difference(reference, read_model_file(job / "model" / "model.h5"));
      std::cout << "  " << ranks << " ranks, " << ingestion << " mode: relative difference " << error << "\n";
      EXPECT_LE(error, 1e-5) << ranks << " ranks, " << ingestion;
      // Validation metrics cover the whole validation set whatever the rank count.
      EXPECT_EQ(testing::count_metric_records(job / "metrics.jsonl", "validation:accuracy"), 3);
      EXPECT_TRUE(std::filesystem::exists(job / "logs" / ("rank-" + std::to_string(ranks - 1) + ".log")));
      EXPECT_EQ(testing::read_json(job / "job.json").at("world").at("size"), ranks);
    }
  }
}

TEST(DataParallel, ShardedRanksWithUnevenShardsFinish) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  // 569 rows on 3 ranks: shards of 189, 190 and 190 rows, 16 rows a rank a step.
  const auto job = scratch / "sharded";
  const auto result = run_tern_on_ranks(3, "train --algorithm mlp --train " + data.string() + " --output-dir " +
                                               job.string() + " --distribution sharded" + kHyperparameters);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto description = testing::read_json(job / "job.json");
  EXPECT_EQ(description.at("status"), "Completed");
  EXPECT_TRUE(description.contains("start_time") && description.contains("end_time")) << description.dump(2);
  EXPECT_EQ(description.at("billable_seconds").get<std::int64_t>(),
            3 * description.at("training_seconds").get<std::int64_t>());
  // min(189, 190, 190) / 16 = 11 steps an epoch on every rank.
  EXPECT_NE(testing::read_text(job / "logs" / "rank-2.log").find("3 epochs of 11 steps"), std::string::npos);
}

// Runs a 3-rank job on Fashion-MNIST with a fault injected on rank 1 and checks that it ends
// quickly, non-zero, naming rank 1, with no tern process of the job left.
void expect_fast_failure(const std::string& action, const std::string& extra_options, const std::string& expected) {
  const auto data = real_data("fashion-mnist/train.h5");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto job = scratch / ("fault-" + action);
  const auto start = std::chrono::steady_clock::now();
  const auto result = run_tern_on_ranks(
      3,
      "train --algorithm mlp --train " + data.string() + " --output-dir " + job.string() +
          " --quiet --hp predictor_type=multiclass_classifier --hp num_classes=10 --hp epochs=5 --hp mini_batch_size=60 " +
          extra_options,
      "TERN_FAULT_INJECTION=1:20:" + action);
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "  " << action << ": exit code " << result.exit_code << " after " << elapsed_s << " s\n";
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_LT(elapsed_s, 30.0);
  EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
  // "[/]" keeps pgrep from matching the shell that runs it.
  EXPECT_EQ(testing::run_shell("pgrep -f 'output-dir [/]" + job.string().substr(1) + "'").exit_code, 1)
      << "a rank is still running";
}

TEST(DataParallel, ErrorOnOneRankEndsTheJobNamingTheRank) {
  expect_fast_failure("throw", "", "rank 1: fault injected at step 20");
}

TEST(DataParallel, KilledRankEndsTheJob) { expect_fast_failure("kill", "", "rank 1"); }

TEST(DataParallel, HangingRankIsCaughtByTheCollectiveWatchdog) {
  expect_fast_failure("hang", "--collective-timeout-s 3", "collective watchdog");
}

TEST(DataParallel, BadRowInOneRanksShardFailsTheWholeJob) {
  ScratchFolder scratch;
  // 30 good rows, then a NaN feature in row 25: inside rank 2's shard [20, 30) of 3 ranks.
  std::string csv;
  for (int row = 0; row < 30; ++row)
    csv += std::to_string(row % 2) + "," + (row == 25 ? std::string("nan") : std::to_string(row)) + ",1.5\n";
  testing::write_text(scratch / "bad.csv", csv);
  const auto job = scratch / "job";
  const auto result = run_tern_on_ranks(3, "train --algorithm mlp --quiet --train " + (scratch / "bad.csv").string() +
                                               " --output-dir " + job.string() +
                                               " --distribution sharded --hp mini_batch_size=6");
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("rank 2: channel 'train'"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("row 25"), std::string::npos) << result.output;
  EXPECT_NE(testing::read_text(job / "failure").find("rank 2"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(job / "model" / "model.h5"));
}

TEST(DataParallel, ImpossibleLayoutIsRefusedBeforeAnythingIsWritten) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto job = scratch / "job";
  const auto result = run_tern_on_ranks(3, "train --algorithm mlp --quiet --train " + data.string() + " --output-dir " +
                                               job.string() + " --hp tp=2");
  EXPECT_NE(result.exit_code, 0);
  const std::string message = "impossible layout: 3 ranks cannot be split into tp=2";
  const auto first = result.output.find(message);
  EXPECT_NE(first, std::string::npos) << result.output;
  EXPECT_EQ(result.output.find(message, first + 1), std::string::npos) << "said by more than one rank:\n"
                                                                        << result.output;
  EXPECT_FALSE(std::filesystem::exists(job / "job.json"));
}

TEST(DataParallel, CudaWithoutAGpuIsRefusedBeforeAnythingIsWritten) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "this machine has a CUDA device";
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto job = scratch / "job";
  const auto result = run_tern_on_ranks(2, "train --algorithm mlp --quiet --device cuda --train " + data.string() +
                                               " --output-dir " + job.string());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("this node has no CUDA device"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("rank 1:"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(job / "job.json"));

  const auto unknown = run_tern_on_ranks(2, "train --algorithm mlp --quiet --device tpu --train " + data.string() +
                                                " --output-dir " + job.string());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("--device must be cpu or cuda, got 'tpu'"), std::string::npos) << unknown.output;
}

TEST(DataParallel, GlobalBatchMustDivideAcrossRanks) {
  const auto data = real_data("breast_cancer.csv");
  TERN_REQUIRE_REAL_DATA(data);
  ScratchFolder scratch;
  const auto result = run_tern_on_ranks(3, "train --algorithm mlp --quiet --train " + data.string() +
                                               " --output-dir " + (scratch / "job").string() + " --hp mini_batch_size=32");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("must divide evenly across the 3 data-parallel ranks"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace tern
