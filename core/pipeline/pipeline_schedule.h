// Pipeline schedules: what each stage of a pp-stage pipeline does, in order, to run m
// micro-batches forward and backward in one training step.
//
// A forward of micro-batch i on stage s receives its activations from stage s-1 (unless s is
// the first), computes, and sends its output to stage s+1 (unless s is the last); a backward
// receives the output's gradient from stage s+1 (unless last), computes, and sends the input's
// gradient to stage s-1 (unless first). The orders:
//   GPipe  all m forwards, then all m backwards: every stage holds the activations of all m
//          micro-batches at once.
//   1F1B   (PipeDream-Flush, Megatron's default) min(pp-s-1, m) warm-up forwards, then one
//          forward and one backward in turn, then the remaining backwards: stage s holds at
//          most min(pp-s, m) micro-batches, the same results and the same bubble as GPipe.
// Sends are asynchronous (the runtime posts them and completes them by the end of the step)
// and receives block; per pair of neighbours each direction is a FIFO channel. simulate()
// checks a schedule under exactly these rules: no deadlock, every message received in the
// order it was sent, every micro-batch forward then backward once per stage. With a forward
// taking time f and a backward time b, both schedules take (m + pp - 1)(f + b), so the share
// of idle time, the bubble, is (pp - 1) / (m + pp - 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tern {

enum class PipelineScheduleKind { gpipe, one_forward_one_backward };
PipelineScheduleKind parse_pipeline_schedule(const std::string& name);  // "gpipe" | "1f1b"

struct PipelineAction {
  enum class Kind { receive_activation, forward, send_activation, receive_gradient, backward, send_gradient };
  Kind kind;
  std::int64_t micro_batch;
  bool operator==(const PipelineAction&) const = default;
};

// The actions of stage `stage` of `stages`, for `micro_batches` micro-batches.
std::vector<PipelineAction> pipeline_schedule(PipelineScheduleKind kind, std::int64_t stages, std::int64_t stage,
                                              std::int64_t micro_batches);

// The actions of stage `stage` when the micro-batches only go forward (evaluation): each is
// received, computed and sent on in turn.
std::vector<PipelineAction> forward_only_schedule(std::int64_t stages, std::int64_t stage, std::int64_t micro_batches);

struct PipelineSimulation {
  double step_time = 0.0;                          // when the last stage finishes
  double bubble = 0.0;                             // idle share of stages × step_time
  std::vector<std::int64_t> peak_in_flight;        // per stage: micro-batches forwarded, not yet backward
};

// Runs every stage's schedule together under the rules above, forwards taking
// `forward_time` and backwards `backward_time` (communication takes none); throws an Error
// naming the stage and action on a deadlock or a broken rule.
PipelineSimulation simulate(const std::vector<std::vector<PipelineAction>>& schedules, double forward_time,
                            double backward_time);

}  // namespace tern
