// Runs one stage of a pipeline-parallel model through a step: the stage's actions from
// pipeline_schedule.h, in order, for m micro-batches. Activations and their gradients travel
// point-to-point over the pipeline group (whose rank r is stage r): a receive blocks until the
// neighbour's message arrives; a send is started and the stage goes on, every send completing
// by the end of the step, exactly the rules pipeline_schedule.h's simulate() checks, so GPipe
// and 1F1B cannot deadlock. Each micro-batch in flight has its own Saved, dropped as soon as
// its backward is done; parameter gradients accumulate over the micro-batches.
#pragma once

#include <functional>
#include <vector>

#include "core/comm.h"
#include "core/nn/module.h"
#include "core/pipeline/pipeline_schedule.h"

namespace tern {

struct PipelineStepWork {
  // The stage's input for micro-batch i on the first stage (token ids); unused elsewhere.
  std::function<Tensor(std::int64_t i)> input;
  // On the last stage, given micro-batch i's output: its loss, recorded by the caller, and the
  // gradient that backward starts from (undefined when only forwarding).
  std::function<Tensor(const Tensor& output, std::int64_t i)> loss_gradient;
  // The forward mode of micro-batch i (its dropout stream, its first sample).
  std::function<ForwardMode(std::int64_t i)> mode;
  // The activations that pass between stages, per micro-batch: [rows, time, width] on `device`.
  Shape activation_shape;
  Device device = Device::cpu();
};

struct PipelineStepResult {
  // The most activation bytes this stage kept for backward at any moment of the step.
  std::size_t peak_activation_bytes = 0;
  // Seconds the stage spent in forward (with the loss) and backward (the rest of the step it waited or
  // communicated): 1 − compute / step time is its share of the bubble. Host time, so on a GPU it
  // counts launches, not kernels.
  double compute_seconds = 0.0;
};

// Runs `actions` (this stage's schedule) with `stage` as the model part; `pipeline`'s rank is
// the stage index. Set `measure_activations` to fill peak_activation_bytes (it walks every
// Saved after each forward).
PipelineStepResult run_pipeline_step(Module& stage, Communicator& pipeline, const std::vector<PipelineAction>& actions,
                                     const PipelineStepWork& work, bool measure_activations = false);

}  // namespace tern
