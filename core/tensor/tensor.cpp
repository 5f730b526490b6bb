#include "core/tensor/tensor.h"

#include "core/tensor/device_memory.h"

#include <algorithm>
#include <cstring>

namespace tern {

std::int64_t shape_numel(const Shape& shape) {
  std::int64_t count = 1;
  for (std::int64_t extent : shape) count *= extent;
  return count;
}

std::string shape_string(const Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

Tensor Tensor::empty(const Shape& shape, DType dtype, const Device& device) {
  for (std::int64_t extent : shape) TERN_CHECK(extent >= 0, "negative extent in shape ", shape_string(shape));
  Tensor tensor;
  tensor.shape_ = shape;
  tensor.dtype_ = dtype;
  tensor.device_ = device;
  tensor.storage_ = allocate_on(device, tensor.size_bytes());
  return tensor;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, const Device& device) {
  Tensor tensor = empty(shape, dtype, device);
  set_bytes_to_zero(device, tensor.bytes(), tensor.size_bytes());
  return tensor;
}

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor tensor = empty(shape, DType::f32);
  tensor.fill(value);
  return tensor;
}

Tensor Tensor::from_values(const Shape& shape, std::span<const float> values) {
  TERN_CHECK(static_cast<std::int64_t>(values.size()) == shape_numel(shape), "from_values: ",
             values.size(), " values for shape ", shape_string(shape));
  Tensor tensor = empty(shape, DType::f32);
  std::copy(values.begin(), values.end(), tensor.data<float>());
  return tensor;
}

std::int64_t Tensor::row_numel() const {
  TERN_CHECK(!shape_.empty(), "row_numel of a 0-d tensor");
  std::int64_t count = 1;
  for (std::size_t axis = 1; axis < shape_.size(); ++axis) count *= shape_[axis];
  return count;
}

Tensor Tensor::rows(std::int64_t begin, std::int64_t end) const {
  TERN_CHECK(!shape_.empty() && 0 <= begin && begin <= end && end <= shape_[0], "rows(", begin, ", ",
             end, ") out of range for shape ", shape_string(shape_));
  Tensor view = *this;
  view.offset_bytes_ += static_cast<std::size_t>(begin * row_numel()) * dtype_size_bytes(dtype_);
  view.shape_[0] = end - begin;
  return view;
}

Tensor Tensor::reshaped(const Shape& shape) const {
  TERN_CHECK(shape_numel(shape) == numel(), "cannot reshape ", shape_string(shape_), " to ",
             shape_string(shape));
  Tensor view = *this;
  view.shape_ = shape;
  return view;
}

Tensor Tensor::clone() const {
  Tensor copy = empty(shape_, dtype_, device_);
  copy.copy_from(*this);
  return copy;
}

Tensor Tensor::to(const Device& device) const {
  if (device == device_) return *this;
  Tensor copy = empty(shape_, dtype_, device);
  copy.copy_from(*this);
  return copy;
}

void Tensor::fill(float value) {
  fill_floats(device_, device_data<float>(), value, numel());
}

// Copies the elements of `source`, on any device, into this tensor's memory.
void Tensor::copy_from(const Tensor& source) {
  TERN_CHECK(source.shape_ == shape_ && source.dtype_ == dtype_, "copy_from: shape ",
             shape_string(source.shape_), " into ", shape_string(shape_));
  copy_bytes(device_, bytes(), source.device_, source.bytes(), size_bytes());
}

std::byte* Tensor::bytes() const {
  TERN_CHECK(defined(), "access to an undefined tensor");
  return storage_.get() + offset_bytes_;
}

std::uint16_t* Tensor::half_bits() {
  check_half();
  return reinterpret_cast<std::uint16_t*>(bytes());
}

const std::uint16_t* Tensor::half_bits() const {
  check_half();
  return reinterpret_cast<const std::uint16_t*>(bytes());
}

void Tensor::check_half() const {
  TERN_CHECK(dtype_ == DType::bf16 || dtype_ == DType::f16, "tensor holds ", dtype_name(dtype_),
             ", accessed as 16-bit floats");
}

void Tensor::check_type(DType requested) const {
  TERN_CHECK(requested == dtype_, "tensor holds ", dtype_name(dtype_), ", accessed as ",
             dtype_name(requested));
}

void Tensor::check_access(DType requested) const {
  check_type(requested);
  TERN_CHECK(device_.is_cpu(), "host access to a tensor on ", device_.name(), " (copy it with to(Device::cpu()))");
}

}  // namespace tern
