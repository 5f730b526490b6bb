#include "core/nn/module.h"

#include <algorithm>
#include <map>

namespace tern {

void zero_grads(const std::vector<Parameter*>& parameters) {
  for (Parameter* parameter : parameters) parameter->grad.fill(0.0f);
}

namespace {
void collect_saved_tensors(const Saved& saved, std::map<const void*, std::size_t>& bytes_by_storage) {
  for (const Tensor& tensor : saved.tensors) {
    if (!tensor.defined()) continue;
    std::size_t& bytes = bytes_by_storage[tensor.storage_address()];
    bytes = std::max(bytes, tensor.size_bytes());
  }
  for (const Saved& child : saved.children) collect_saved_tensors(child, bytes_by_storage);
}
}  // namespace

std::size_t saved_activation_bytes(const Saved& saved, const std::vector<Parameter*>& parameters) {
  std::map<const void*, std::size_t> bytes_by_storage;
  collect_saved_tensors(saved, bytes_by_storage);
  for (const Parameter* parameter : parameters) bytes_by_storage.erase(parameter->value.storage_address());
  std::size_t total = 0;
  for (const auto& [storage, bytes] : bytes_by_storage) total += bytes;
  return total;
}

void report_gradients_ready(Module& module, const ForwardMode& mode) {
  if (mode.gradient_listener == nullptr) return;
  for (Parameter* parameter : module.parameters()) mode.gradient_listener->gradient_ready(*parameter);
}

void move_parameters_to(const std::vector<Parameter*>& parameters, const Device& device) {
  for (Parameter* parameter : parameters) {
    parameter->value = parameter->value.to(device);
    parameter->grad = parameter->grad.to(device);
  }
}

}  // namespace tern
