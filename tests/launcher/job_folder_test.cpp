// The job folder across attempts: a resumed job's earlier attempts keep their own seconds, and
// job.json's training and billable seconds are the sums over all attempts (each attempt's
// seconds times its ranks); a completed job is not reopened; the failure file goes.
#include "launcher/job_folder.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/error.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

// Ends an attempt that "started" `seconds` ago with `status`, on `ranks` ranks.
void end_attempt(JobFolder& folder, std::int64_t seconds, int ranks, JobStatus status) {
  // The job folder's own clock: std::time may read the kernel's coarse clock, a tick behind, and
  // so a second behind just after a second boundary.
  const auto now = static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
  folder.description()["start_time_epoch_s"] = now - seconds;
  folder.description()["world"] = {{"size", ranks}};
  folder.write_status(status);
}

TEST(JobFolder, AttemptsKeepTheirOwnSecondsAndTheTotalsAddUp) {
  testing::ScratchFolder scratch;
  const auto root = scratch / "job";
  JobFolder first = JobFolder::create(root);
  end_attempt(first, 10, 2, JobStatus::stopped);
  JobFolder second = JobFolder::reopen_for_resume(root);
  second.write_failure("rank 1: killed");
  end_attempt(second, 5, 4, JobStatus::failed);
  ASSERT_TRUE(std::filesystem::exists(root / "failure"));
  JobFolder third = JobFolder::reopen_for_resume(root);
  EXPECT_FALSE(std::filesystem::exists(root / "failure"));
  end_attempt(third, 3, 2, JobStatus::completed);

  const auto description = testing::read_json(root / "job.json");
  const auto& attempts = description.at("previous_attempts");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].at("status"), "Stopped");
  // Timing by whole seconds: allow one more where a second boundary passed during an attempt.
  EXPECT_NEAR(attempts[0].at("training_seconds").get<double>(), 10, 1);
  EXPECT_NEAR(attempts[0].at("billable_seconds").get<double>(), 20, 2);
  EXPECT_EQ(attempts[1].at("status"), "Failed");
  EXPECT_EQ(attempts[1].at("failure"), "rank 1: killed");
  EXPECT_NEAR(attempts[1].at("training_seconds").get<double>(), 5, 1);
  EXPECT_NEAR(attempts[1].at("billable_seconds").get<double>(), 20, 4);
  EXPECT_EQ(description.at("status"), "Completed");
  EXPECT_FALSE(description.contains("failure"));
  EXPECT_NEAR(description.at("training_seconds").get<double>(), 18, 3);
  EXPECT_NEAR(description.at("billable_seconds").get<double>(), 46, 8);

  EXPECT_THROW(JobFolder::reopen_for_resume(root), Error);  // completed
}

}  // namespace
}  // namespace tern
