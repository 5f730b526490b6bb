#include "core/nn/sequential.h"

namespace tern {

Tensor Sequential::forward(const Tensor& x, Saved& saved) {
  saved.children.assign(modules_.size(), Saved(saved.mode));
  if (!saved.children.empty()) saved.children.front().input_gradient = saved.input_gradient;
  Tensor activation = x;
  for (std::size_t i = 0; i < modules_.size(); ++i) activation = modules_[i]->forward(activation, saved.children[i]);
  return activation;
}

Tensor Sequential::backward(const Tensor& dy, Saved& saved) {
  Tensor gradient = dy;
  for (std::size_t i = modules_.size(); i-- > 0;) {
    gradient = modules_[i]->backward(gradient, saved.children.at(i));
    report_gradients_ready(*modules_[i], saved.mode);
  }
  return gradient;
}

std::vector<Parameter*> Sequential::parameters() {
  std::vector<Parameter*> all;
  for (auto& module : modules_) {
    for (Parameter* parameter : module->parameters()) all.push_back(parameter);
  }
  return all;
}

}  // namespace tern
