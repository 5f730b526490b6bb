// The pipeline schedules on their own, before any stage runs them: the exact action lists of
// small cases written out by hand; every (stages, micro-batches) pair up to 5 x 9 for both
// schedules simulated without deadlock, every message in order; the step time and bubble
// against the theory (pp - 1) / (m + pp - 1); the memory each stage holds (GPipe all m
// micro-batches, 1F1B at most pp - s); and the simulator catching broken schedules.
#include "core/pipeline/pipeline_schedule.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"

namespace tern {
namespace {

using Kind = PipelineAction::Kind;

std::vector<std::vector<PipelineAction>> all_stages(PipelineScheduleKind kind, std::int64_t stages,
                                                    std::int64_t micro_batches) {
  std::vector<std::vector<PipelineAction>> schedules;
  for (std::int64_t s = 0; s < stages; ++s) schedules.push_back(pipeline_schedule(kind, stages, s, micro_batches));
  return schedules;
}

TEST(PipelineSchedule, OneForwardOneBackwardOnTwoStagesAndThreeMicroBatches) {
  const auto first = pipeline_schedule(PipelineScheduleKind::one_forward_one_backward, 2, 0, 3);
  const std::vector<PipelineAction> expected_first = {
      {Kind::forward, 0},          {Kind::send_activation, 0},                                // warm-up
      {Kind::forward, 1},          {Kind::send_activation, 1}, {Kind::receive_gradient, 0}, {Kind::backward, 0},
      {Kind::forward, 2},          {Kind::send_activation, 2}, {Kind::receive_gradient, 1}, {Kind::backward, 1},
      {Kind::receive_gradient, 2}, {Kind::backward, 2}};                                      // cool-down
  EXPECT_EQ(first, expected_first);
  const auto last = pipeline_schedule(PipelineScheduleKind::one_forward_one_backward, 2, 1, 3);
  std::vector<PipelineAction> expected_last;
  for (std::int64_t i = 0; i < 3; ++i) {
    for (const Kind kind : {Kind::receive_activation, Kind::forward, Kind::backward, Kind::send_gradient})
      expected_last.push_back({kind, i});
  }
  EXPECT_EQ(last, expected_last);
}

TEST(PipelineSchedule, GPipeForwardsEverythingThenBackwardsEverything) {
  const auto middle = pipeline_schedule(PipelineScheduleKind::gpipe, 3, 1, 2);
  const std::vector<PipelineAction> expected = {
      {Kind::receive_activation, 0}, {Kind::forward, 0},  {Kind::send_activation, 0},
      {Kind::receive_activation, 1}, {Kind::forward, 1},  {Kind::send_activation, 1},
      {Kind::receive_gradient, 0},   {Kind::backward, 0}, {Kind::send_gradient, 0},
      {Kind::receive_gradient, 1},   {Kind::backward, 1}, {Kind::send_gradient, 1}};
  EXPECT_EQ(middle, expected);
}

TEST(PipelineSchedule, EveryLayoutRunsWithoutDeadlockAtTheTheoreticalBubble) {
  const double forward_time = 1.0, backward_time = 2.0;
  for (const auto kind : {PipelineScheduleKind::gpipe, PipelineScheduleKind::one_forward_one_backward}) {
    for (std::int64_t stages = 1; stages <= 5; ++stages) {
      for (std::int64_t m = 1; m <= 9; ++m) {
        SCOPED_TRACE(::testing::Message() << (kind == PipelineScheduleKind::gpipe ? "gpipe" : "1f1b") << ", pp "
                                          << stages << ", " << m << " micro-batches");
        const PipelineSimulation run = simulate(all_stages(kind, stages, m), forward_time, backward_time);
        EXPECT_DOUBLE_EQ(run.step_time, static_cast<double>(m + stages - 1) * (forward_time + backward_time));
        EXPECT_NEAR(run.bubble, static_cast<double>(stages - 1) / static_cast<double>(m + stages - 1), 1e-12);
        for (std::int64_t s = 0; s < stages; ++s) {
          const std::int64_t expected = kind == PipelineScheduleKind::gpipe ? m : std::min(stages - s, m);
          EXPECT_EQ(run.peak_in_flight[static_cast<std::size_t>(s)], expected) << "stage " << s;
        }
      }
    }
  }
}

TEST(PipelineSimulation, CatchesADeadlockAndMessagesOutOfOrder) {
  auto schedules = all_stages(PipelineScheduleKind::gpipe, 2, 2);
  // Stage 0 waits for a gradient before sending anything: both stages wait forever.
  auto deadlocked = schedules;
  deadlocked[0].insert(deadlocked[0].begin(), PipelineAction{Kind::receive_gradient, 0});
  try {
    simulate(deadlocked, 1.0, 1.0);
    FAIL() << "no deadlock found";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("deadlock: stage 0 waits forever at receive gradient"), std::string::npos)
        << error.what();
  }
  // Stage 1 receives micro-batch 1 first, but the channel delivers 0 first.
  auto reordered = schedules;
  std::swap(reordered[1][0], reordered[1][2]);  // receive_activation 0 <-> receive_activation 1
  EXPECT_THROW(simulate(reordered, 1.0, 1.0), Error);
  EXPECT_THROW(pipeline_schedule(PipelineScheduleKind::gpipe, 2, 2, 1), Error);
  EXPECT_THROW(pipeline_schedule(PipelineScheduleKind::gpipe, 2, 0, 0), Error);
  EXPECT_EQ(parse_pipeline_schedule("1f1b"), PipelineScheduleKind::one_forward_one_backward);
  EXPECT_THROW(parse_pipeline_schedule("zero-bubble"), Error);
}

}  // namespace
}  // namespace tern
