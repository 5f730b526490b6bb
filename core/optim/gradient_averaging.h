// GradientAveraging: what data parallelism asks of the training loop, as an interface, so
// that core's algorithms use it without knowing its implementation (parallel/
// gradient_synchronizer.h averages over MPI ranks with bucketed, overlapped allreduces):
//
//   averaging->broadcast_parameters();              // once: every rank starts from rank 0's values
//   Saved saved(ForwardMode{..., .gradient_listener = averaging.get()});
//   forward, backward                                // backward reports each finished gradient
//   averaging->finish_step();                        // gradients now hold the average over ranks
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/nn/module.h"

namespace tern {

class GradientAveraging : public GradientReadyListener {
 public:
  virtual void broadcast_parameters() = 0;
  virtual void finish_step() = 0;
};

// Makes the averaging for a model's parameters; the job runtime provides it for multi-rank jobs.
using GradientAveragingFactory = std::function<std::unique_ptr<GradientAveraging>(std::vector<Parameter*>)>;

}  // namespace tern
