#include "core/pipeline/pipeline_runner.h"

#include <chrono>
#include <map>
#include <memory>

namespace tern {

namespace {
// Message tags: activations and gradients of micro-batch i travel in opposite directions, the
// tags keep them apart for anyone reading a trace.
int activation_tag(std::int64_t i) { return static_cast<int>(2 * i); }
int gradient_tag(std::int64_t i) { return static_cast<int>(2 * i + 1); }

// A send in flight and the tensor it reads, kept alive until it completes.
struct PendingSend {
  Tensor data;
  std::unique_ptr<CommRequest> request;
};
}  // namespace

PipelineStepResult run_pipeline_step(Module& stage, Communicator& pipeline, const std::vector<PipelineAction>& actions,
                                     const PipelineStepWork& work, bool measure_activations) {
  using Kind = PipelineAction::Kind;
  const int index = pipeline.rank();
  const bool first = index == 0, last = index + 1 == pipeline.size();
  const auto bytes = static_cast<std::int64_t>(shape_numel(work.activation_shape) * sizeof(float));
  std::map<std::int64_t, Tensor> inputs, outputs, output_gradients, input_gradients;
  std::map<std::int64_t, Saved> in_flight;
  std::vector<PendingSend> sends;
  std::vector<Parameter*> parameters;
  if (measure_activations) parameters = stage.parameters();
  PipelineStepResult result;
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };

  const auto receive = [&](int source, int tag) {
    Tensor received = Tensor::empty(work.activation_shape, DType::f32, work.device);
    pipeline.recv(received.device_data<float>(), bytes, source, tag);
    return received;
  };
  const auto send = [&](Tensor data, int destination, int tag) {
    TERN_CHECK(data.numel() * static_cast<std::int64_t>(sizeof(float)) == bytes, "pipeline stage ", index, " sends ",
               shape_string(data.shape()), ", the stages exchange ", shape_string(work.activation_shape));
    std::unique_ptr<CommRequest> request = pipeline.isend(data.device_data<float>(), bytes, destination, tag);
    sends.push_back({std::move(data), std::move(request)});
  };

  for (const PipelineAction& action : actions) {
    const std::int64_t i = action.micro_batch;
    switch (action.kind) {
      case Kind::receive_activation:
        inputs[i] = receive(index - 1, activation_tag(i));
        break;
      case Kind::forward: {
        Saved& saved = in_flight.emplace(i, Saved(work.mode(i))).first->second;
        saved.input_gradient = !first;
        const auto start = Clock::now();
        const Tensor output = stage.forward(first ? work.input(i) : inputs.at(i), saved);
        inputs.erase(i);  // the stage's Saved holds what backward needs of it
        if (last) {
          output_gradients[i] = work.loss_gradient(output, i);
        } else {
          outputs[i] = output;
        }
        result.compute_seconds += seconds_since(start);
        if (measure_activations) {
          std::size_t kept = 0;
          for (const auto& [micro_batch, micro_batch_saved] : in_flight)
            kept += saved_activation_bytes(micro_batch_saved, parameters);
          result.peak_activation_bytes = std::max(result.peak_activation_bytes, kept);
        }
        if (!saved.mode.training) in_flight.erase(i);  // nothing goes backward
        break;
      }
      case Kind::send_activation:
        send(outputs.at(i), index + 1, activation_tag(i));
        outputs.erase(i);
        break;
      case Kind::receive_gradient:
        output_gradients[i] = receive(index + 1, gradient_tag(i));
        break;
      case Kind::backward: {
        const auto start = Clock::now();
        const Tensor input_gradient = stage.backward(output_gradients.at(i), in_flight.at(i));
        result.compute_seconds += seconds_since(start);
        in_flight.erase(i);
        output_gradients.erase(i);
        if (!first) input_gradients[i] = input_gradient;
        break;
      }
      case Kind::send_gradient:
        send(input_gradients.at(i), index - 1, gradient_tag(i));
        input_gradients.erase(i);
        break;
    }
  }
  for (PendingSend& pending : sends) pending.request->wait();
  return result;
}

}  // namespace tern
