#include "core/pipeline/pipeline_schedule.h"

#include <algorithm>
#include <deque>
#include <map>

#include "core/error.h"

namespace tern {

namespace {
using Kind = PipelineAction::Kind;

// The actions of one micro-batch's forward or backward on a stage, with its communication.
void append_forward(std::vector<PipelineAction>& actions, std::int64_t stages, std::int64_t stage, std::int64_t i) {
  if (stage > 0) actions.push_back({Kind::receive_activation, i});
  actions.push_back({Kind::forward, i});
  if (stage + 1 < stages) actions.push_back({Kind::send_activation, i});
}

void append_backward(std::vector<PipelineAction>& actions, std::int64_t stages, std::int64_t stage, std::int64_t i) {
  if (stage + 1 < stages) actions.push_back({Kind::receive_gradient, i});
  actions.push_back({Kind::backward, i});
  if (stage > 0) actions.push_back({Kind::send_gradient, i});
}

std::string describe(const PipelineAction& action) {
  static const char* const names[] = {"receive activation", "forward", "send activation",
                                      "receive gradient", "backward", "send gradient"};
  return std::string(names[static_cast<int>(action.kind)]) + " of micro-batch " + std::to_string(action.micro_batch);
}
}  // namespace

PipelineScheduleKind parse_pipeline_schedule(const std::string& name) {
  if (name == "gpipe") return PipelineScheduleKind::gpipe;
  if (name == "1f1b") return PipelineScheduleKind::one_forward_one_backward;
  throw Error("unknown pipeline schedule '" + name + "' (expected gpipe or 1f1b)");
}

std::vector<PipelineAction> pipeline_schedule(PipelineScheduleKind kind, std::int64_t stages, std::int64_t stage,
                                              std::int64_t micro_batches) {
  TERN_CHECK(stages >= 1 && stage >= 0 && stage < stages, "pipeline stage ", stage, " of ", stages);
  TERN_CHECK(micro_batches >= 1, "a pipeline needs at least one micro-batch, got ", micro_batches);
  std::vector<PipelineAction> actions;
  if (kind == PipelineScheduleKind::gpipe) {
    for (std::int64_t i = 0; i < micro_batches; ++i) append_forward(actions, stages, stage, i);
    for (std::int64_t i = 0; i < micro_batches; ++i) append_backward(actions, stages, stage, i);
    return actions;
  }
  const std::int64_t warm_up = std::min(stages - stage - 1, micro_batches);
  for (std::int64_t i = 0; i < warm_up; ++i) append_forward(actions, stages, stage, i);
  for (std::int64_t i = warm_up; i < micro_batches; ++i) {
    append_forward(actions, stages, stage, i);
    append_backward(actions, stages, stage, i - warm_up);
  }
  for (std::int64_t i = micro_batches - warm_up; i < micro_batches; ++i) append_backward(actions, stages, stage, i);
  return actions;
}

std::vector<PipelineAction> forward_only_schedule(std::int64_t stages, std::int64_t stage, std::int64_t micro_batches) {
  TERN_CHECK(stages >= 1 && stage >= 0 && stage < stages, "pipeline stage ", stage, " of ", stages);
  std::vector<PipelineAction> actions;
  for (std::int64_t i = 0; i < micro_batches; ++i) append_forward(actions, stages, stage, i);
  return actions;
}

PipelineSimulation simulate(const std::vector<std::vector<PipelineAction>>& schedules, double forward_time,
                            double backward_time) {
  const auto stages = static_cast<std::int64_t>(schedules.size());
  // Channels: activations from stage s to s+1 and gradients from s+1 to s, each a FIFO of
  // (micro-batch, time sent).
  std::vector<std::deque<std::pair<std::int64_t, double>>> activations(stages), gradients(stages);
  std::vector<std::size_t> next(stages, 0);
  std::vector<double> clock(stages, 0.0), busy(stages, 0.0);
  std::vector<std::map<std::int64_t, int>> done(stages);  // micro-batch -> 1 forwarded, 2 backward too
  PipelineSimulation result;
  result.peak_in_flight.assign(stages, 0);
  std::vector<std::int64_t> in_flight(stages, 0);

  bool progress = true;
  while (progress) {
    progress = false;
    for (std::int64_t s = 0; s < stages; ++s) {
      while (next[s] < schedules[s].size()) {
        const PipelineAction& action = schedules[s][next[s]];
        const auto fail = [&](const std::string& why) {
          throw Error("pipeline stage " + std::to_string(s) + ", " + describe(action) + ": " + why);
        };
        // A receive waits for its channel's next message, which must be this micro-batch.
        if (action.kind == Kind::receive_activation || action.kind == Kind::receive_gradient) {
          const bool from_before = action.kind == Kind::receive_activation;
          if (from_before ? s == 0 : s + 1 == stages) fail("no neighbour to receive from");
          auto& channel = from_before ? activations[s - 1] : gradients[s];
          if (channel.empty()) break;  // blocked
          if (channel.front().first != action.micro_batch)
            fail("the channel's next message is micro-batch " + std::to_string(channel.front().first));
          clock[s] = std::max(clock[s], channel.front().second);
          channel.pop_front();
        } else if (action.kind == Kind::send_activation || action.kind == Kind::send_gradient) {
          const bool to_after = action.kind == Kind::send_activation;
          if (to_after ? s + 1 == stages : s == 0) fail("no neighbour to send to");
          (to_after ? activations[s] : gradients[s - 1]).emplace_back(action.micro_batch, clock[s]);
        } else {
          const bool forward = action.kind == Kind::forward;
          int& state = done[s][action.micro_batch];
          if (state != (forward ? 0 : 1)) fail(forward ? "forwarded twice" : "backward without its forward, or twice");
          state = forward ? 1 : 2;
          const double time = forward ? forward_time : backward_time;
          clock[s] += time;
          busy[s] += time;
          in_flight[s] += forward ? 1 : -1;
          result.peak_in_flight[s] = std::max(result.peak_in_flight[s], in_flight[s]);
        }
        ++next[s];
        progress = true;
      }
    }
  }
  for (std::int64_t s = 0; s < stages; ++s) {
    if (next[s] < schedules[s].size())
      throw Error("pipeline deadlock: stage " + std::to_string(s) + " waits forever at " +
                  describe(schedules[s][next[s]]));
    for (const auto& [micro_batch, state] : done[s]) {
      TERN_CHECK(state == 2, "pipeline stage ", s, ": micro-batch ", micro_batch, " forwarded but never backward");
    }
    TERN_CHECK(activations[s].empty() && gradients[s].empty(), "pipeline: messages left unreceived after stage ", s);
  }
  result.step_time = *std::max_element(clock.begin(), clock.end());
  double idle = 0.0;
  for (std::int64_t s = 0; s < stages; ++s) idle += result.step_time - busy[s];
  result.bubble = idle / (static_cast<double>(stages) * result.step_time);
  return result;
}

}  // namespace tern
