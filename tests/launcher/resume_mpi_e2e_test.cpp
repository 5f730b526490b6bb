// End-to-end checkpoints, stops and resumes of `tern train` on real data (breast cancer, mlp
// with dropout, Adam and early-stopping state), each against the same job run uninterrupted:
//   - one rank of a 2-rank job killed with SIGKILL mid-epoch, rerun with --resume: the final
//     parameters are bitwise the uninterrupted run's, and so is every metric;
//   - a SIGTERM to one rank (pipe ingestion): every rank finishes the step, a checkpoint is
//     written, status Stopped, exit code 75, no model; the rerun ends bitwise equal;
//   - --max-runtime stops the same way, and the rerun ends bitwise equal (a rerun with another
//     learning rate is refused first);
//   - a SIGTERM to tern-launch reaches the ranks through mpirun (as SIGUSR1) and stops them
//     gracefully; the rerun ends bitwise equal;
//   - the newest checkpoint corrupted (a flipped byte): named, skipped, the previous one used,
//     and the result is still bitwise equal;
//   - resuming with replicated rows on another number of ranks is supported (equal up to float
//     reassociation); with sharded rows it is refused, naming what differs;
//   - --resume without a checkpoint, a completed job's folder, --resume=never on an unfinished
//     job's folder, and a folder another tern train is using are refused clearly.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/io/model_file.h"
#include "tests/launcher/same_training.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::read_json;
using testing::real_data;
using testing::run_tern_on_ranks;
using testing::ScratchFolder;
using testing::expect_same_training;

constexpr int kStoppedExitCode = 75;  // launcher/job_folder.h

std::string training_arguments(const std::filesystem::path& job, const std::string& extra = "") {
  const auto data = real_data("breast_cancer.csv").string();
  return "train --algorithm mlp --train " + data + " --validation " + data + " --output-dir " + job.string() +
         " --quiet --hp hidden_sizes=[32,16] --hp dropout=0.2 --hp epochs=4 --hp mini_batch_size=32 --hp seed=5"
         " --hp optimizer=adam --hp early_stopping_metric=log_loss --hp early_stopping_patience=10" +
         extra;
}

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv"));
    const auto result = run_tern_on_ranks(2, training_arguments(reference()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  std::filesystem::path reference() const { return scratch_ / "uninterrupted"; }

  ScratchFolder scratch_;
};

TEST_F(ResumeTest, KilledRankMidEpochResumesBitwise) {
  const auto job = scratch_ / "killed";
  // 17 steps an epoch: step 23 is in the middle of the second; checkpoints every 5 steps.
  const auto killed = run_tern_on_ranks(2, training_arguments(job, " --hp checkpoint_interval_steps=5"),
                                        "TERN_FAULT_INJECTION=1:23:kill");
  ASSERT_NE(killed.exit_code, 0) << killed.output;
  EXPECT_FALSE(std::filesystem::exists(job / "model"));
  EXPECT_TRUE(std::filesystem::exists(job / "checkpoints" / "step-20" / "manifest.json"));
  EXPECT_TRUE(std::filesystem::exists(job / "checkpoints" / "step-15"));
  EXPECT_FALSE(std::filesystem::exists(job / "checkpoints" / "step-10"));  // keep_checkpoints=2

  const auto resumed = run_tern_on_ranks(2, training_arguments(job, " --hp checkpoint_interval_steps=5") + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_training(reference(), job);
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description.at("status"), "Completed");
  EXPECT_EQ(description.at("resumed_from_step"), 20);
  EXPECT_EQ(description.at("previous_attempts").size(), 1u);
}

TEST_F(ResumeTest, SigtermStopsWithACheckpointAndResumesBitwise) {
  const auto job = scratch_ / "terminated";
  const auto stopped = run_tern_on_ranks(2, training_arguments(job, " --ingestion pipe"), "TERN_FAULT_INJECTION=1:23:term");
  ASSERT_EQ(stopped.exit_code, kStoppedExitCode) << stopped.output;
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description.at("status"), "Stopped");
  EXPECT_EQ(description.at("stop_reason"), "SIGTERM received");
  EXPECT_FALSE(std::filesystem::exists(job / "failure"));
  EXPECT_FALSE(std::filesystem::exists(job / "model"));
  // Rank 1 was signalled during step 23; every rank finished it and saved after 24 steps.
  EXPECT_TRUE(std::filesystem::exists(job / "checkpoints" / "step-24" / "manifest.json"));

  const auto resumed = run_tern_on_ranks(2, training_arguments(job, " --ingestion pipe"));  // --resume=auto
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_training(reference(), job);
  EXPECT_EQ(read_json(job / "job.json").at("resumed_from_step"), 24);
}

TEST_F(ResumeTest, MaxRuntimeStopsAndResumesBitwise) {
  const auto job = scratch_ / "max-runtime";
  // The deadline passes during the first step: the job stops after it.
  const auto stopped = run_tern_on_ranks(2, training_arguments(job) + " --max-runtime 0.001");
  ASSERT_EQ(stopped.exit_code, kStoppedExitCode) << stopped.output;
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description.at("status"), "Stopped");
  EXPECT_NE(description.at("stop_reason").get<std::string>().find("maximum runtime"), std::string::npos);
  // Another learning rate would not continue the same training: refused, named.
  testing::expect_failed_with(run_tern_on_ranks(2, training_arguments(job, " --hp learning_rate=0.01")),
                              "hyperparameter learning_rate 0.001 (this job: 0.01)");
  const auto resumed = run_tern_on_ranks(2, training_arguments(job));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_training(reference(), job);
}

TEST_F(ResumeTest, CorruptNewestCheckpointIsNamedAndSkipped) {
  const auto job = scratch_ / "corrupt";
  const auto killed = run_tern_on_ranks(2, training_arguments(job, " --hp checkpoint_interval_steps=5"),
                                        "TERN_FAULT_INJECTION=0:23:kill");
  ASSERT_NE(killed.exit_code, 0) << killed.output;
  const auto damaged = job / "checkpoints" / "step-20" / "rank-0.h5";
  {
    std::fstream bytes(damaged, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekg(static_cast<std::streamoff>(std::filesystem::file_size(damaged) / 2));
    char byte = 0;
    bytes.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    bytes.seekp(static_cast<std::streamoff>(std::filesystem::file_size(damaged) / 2));
    bytes.write(&byte, 1);
  }
  const auto resumed = run_tern_on_ranks(2, training_arguments(job, " --hp checkpoint_interval_steps=5") + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const std::string log = testing::read_text(job / "logs" / "rank-0.log");
  EXPECT_NE(log.find("checkpoints/step-20 skipped: rank-0.h5 does not match its checksum"), std::string::npos) << log;
  EXPECT_EQ(read_json(job / "job.json").at("resumed_from_step"), 15);
  expect_same_training(reference(), job);
}

TEST_F(ResumeTest, TernLaunchPassesSigtermOnAsAGracefulStop) {
  const auto job = scratch_ / "launcher";
  const std::filesystem::path tern_launch = std::filesystem::path(TERN_BINARY).parent_path() / "tern-launch";
  // Many epochs, so that the signal comes long before the end; the reference is this job's own rerun.
  const std::string arguments = training_arguments(job, " --hp epochs=400 --hp early_stopping_patience=1000");
  const pid_t launcher = fork();
  ASSERT_GE(launcher, 0);
  if (launcher == 0) {
    const std::string line = "OMP_NUM_THREADS=1 exec " + tern_launch.string() + " -np 2 -- " + TERN_BINARY + " " +
                             arguments + " > " + (scratch_ / "launcher.out").string() + " 2>&1";
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Signal once the job has finished two epochs (or give up after 60 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         (!std::filesystem::exists(job / "metrics.jsonl") ||
          testing::count_metric_records(job / "metrics.jsonl", "train:epoch_loss") < 2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(launcher, SIGTERM);
  int status = 0;
  waitpid(launcher, &status, 0);
  const std::string output = testing::read_text(scratch_ / "launcher.out");
  ASSERT_TRUE(WIFEXITED(status)) << output;
  ASSERT_EQ(WEXITSTATUS(status), kStoppedExitCode) << output;
  const auto description = read_json(job / "job.json");
  EXPECT_EQ(description.at("status"), "Stopped");
  EXPECT_EQ(description.at("stop_reason"), "SIGUSR1 received");
  EXPECT_FALSE(std::filesystem::exists(job / "failure"));

  const auto resumed = run_tern_on_ranks(2, arguments);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const auto uninterrupted = scratch_ / "uninterrupted-400";
  const auto reference_run = run_tern_on_ranks(
      2, training_arguments(uninterrupted, " --hp epochs=400 --hp early_stopping_patience=1000"));
  ASSERT_EQ(reference_run.exit_code, 0) << reference_run.output;
  expect_same_training(uninterrupted, job);
}

TEST_F(ResumeTest, ReplicatedRowsResumeOnAnotherNumberOfRanks) {
  const auto job = scratch_ / "two-then-four";
  ASSERT_EQ(run_tern_on_ranks(2, training_arguments(job), "TERN_FAULT_INJECTION=0:30:term").exit_code, kStoppedExitCode);
  const auto resumed = run_tern_on_ranks(4, training_arguments(job));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const ModelFile a = read_model_file(reference() / "model" / "model.h5");
  const ModelFile b = read_model_file(job / "model" / "model.h5");
  for (const auto& [name, tensor] : a.tensors) {
    double difference = 0.0, scale = 1e-30;
    for (std::int64_t i = 0; i < tensor.numel(); ++i) {
      difference = std::max(difference, std::abs(double(tensor.data<float>()[i]) - b.tensor(name).data<float>()[i]));
      scale = std::max(scale, std::abs(double(tensor.data<float>()[i])));
    }
    EXPECT_LE(difference / scale, 1e-5) << name;
  }
}

TEST_F(ResumeTest, ShardedRowsOnAnotherNumberOfRanksAreRefused) {
  const auto job = scratch_ / "sharded";
  const std::string arguments = training_arguments(job, " --distribution sharded");
  ASSERT_EQ(run_tern_on_ranks(2, arguments, "TERN_FAULT_INJECTION=0:5:term").exit_code, kStoppedExitCode);
  testing::expect_failed_with(run_tern_on_ranks(4, arguments),
                              "it was saved with ranks 2 (this job: 4)");
}

TEST(ResumeRefusals, AFolderInUseIsRefused) {
  TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv"));
  ScratchFolder scratch;
  const auto job = scratch / "busy";
  const std::string arguments = training_arguments(job, " --hp epochs=3000 --hp early_stopping_patience=3000");
  const pid_t first = fork();
  ASSERT_GE(first, 0);
  if (first == 0) {
    const std::string line = "OMP_NUM_THREADS=1 exec " + std::string(TERN_BINARY) + " " + arguments + " > /dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(job / "metrics.jsonl") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // The same job again while the first runs (a requeue too early): refused, naming the holder.
  testing::expect_failed_with(run_tern_on_ranks(1, arguments),
                              "is in use by another tern train (pid " + std::to_string(first) + ")");
  kill(first, SIGTERM);
  int status = 0;
  waitpid(first, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kStoppedExitCode);
  EXPECT_EQ(read_json(job / "job.json").at("status"), "Stopped");
}

TEST(ResumeRefusals, MissingCheckpointCompletedJobAndResumeNever) {
  TERN_REQUIRE_REAL_DATA(real_data("breast_cancer.csv"));
  ScratchFolder scratch;
  const auto job = scratch / "job";
  testing::expect_failed_with(run_tern_on_ranks(1, training_arguments(job) + " --resume"),
                              "--resume=required: no checkpoint in " + (job / "checkpoints").string() + " verifies");
  ASSERT_EQ(run_tern_on_ranks(1, training_arguments(job, " --hp epochs=1")).exit_code, 0);
  testing::expect_failed_with(run_tern_on_ranks(1, training_arguments(job)), "holds a completed job");

  const auto stopped = scratch / "stopped";
  ASSERT_EQ(run_tern_on_ranks(1, training_arguments(stopped) + " --max-runtime 0.001").exit_code, kStoppedExitCode);
  testing::expect_failed_with(run_tern_on_ranks(1, training_arguments(stopped) + " --resume=never"),
                              "already holds a job");
}

}  // namespace
}  // namespace tern
