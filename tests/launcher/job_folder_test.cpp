// The job folder across attempts: a resumed job's earlier attempts keep their own seconds, and
// job.json's training and billable seconds are the sums over all attempts (each attempt's
// seconds times its ranks); a completed job is not reopened; the failure file goes.
#include "launcher/job_folder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

#include "core/error.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

// Ends an attempt that "started" `seconds` ago with `status`, on `ranks` ranks.
void end_attempt(JobFolder& folder, std::int64_t seconds, int ranks, JobStatus status) {
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
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
  EXPECT_EQ(attempts[0].at("training_seconds"), 10);
  EXPECT_EQ(attempts[0].at("billable_seconds"), 20);
  EXPECT_EQ(attempts[1].at("status"), "Failed");
  EXPECT_EQ(attempts[1].at("failure"), "rank 1: killed");
  EXPECT_EQ(attempts[1].at("training_seconds"), 5);
  EXPECT_EQ(attempts[1].at("billable_seconds"), 20);
  EXPECT_EQ(description.at("status"), "Completed");
  EXPECT_FALSE(description.contains("failure"));
  // Timing by whole seconds: allow one more where a second boundary passed during the test.
  EXPECT_NEAR(description.at("training_seconds").get<double>(), 18, 1);
  EXPECT_NEAR(description.at("billable_seconds").get<double>(), 46, 2);

  EXPECT_THROW(JobFolder::reopen_for_resume(root), Error);  // completed
}

}  // namespace
}  // namespace tern
