// Tensor: a contiguous row-major block of elements with a shape, a dtype and a device.
//
// Storage is shared: copying a Tensor copies a handle, not the data (use clone() for that).
// The only views are ranges along dim 0 (`rows(begin, end)`), which is all micro-batches,
// data shards and mini-batches need; there are no general strides and no broadcasting:
// kernels take explicit sizes. Host memory is 64-byte aligned for vector loads and comes from
// a cache of freed blocks (host_allocator.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor/device.h"
#include "core/tensor/dtype.h"

namespace tern {

using Shape = std::vector<std::int64_t>;

std::int64_t shape_numel(const Shape& shape);
std::string shape_string(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;

  // Uninitialised / zero-filled tensors on `device`; constant-filled host tensors.
  static Tensor empty(const Shape& shape, DType dtype = DType::f32, const Device& device = Device::cpu());
  static Tensor zeros(const Shape& shape, DType dtype = DType::f32, const Device& device = Device::cpu());
  static Tensor full(const Shape& shape, float value);
  // A host f32 tensor holding a copy of `values` (numel must match).
  static Tensor from_values(const Shape& shape, std::span<const float> values);

  bool defined() const { return storage_ != nullptr; }
  // The start of the storage this tensor is a view of: equal for tensors that share it.
  const void* storage_address() const { return storage_.get(); }
  const Shape& shape() const { return shape_; }
  std::int64_t dim(std::size_t axis) const { return shape_.at(axis); }
  std::size_t ndim() const { return shape_.size(); }
  std::int64_t numel() const { return shape_numel(shape_); }
  std::size_t size_bytes() const { return static_cast<std::size_t>(numel()) * dtype_size_bytes(dtype_); }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  // Elements per index of dim 0 (the product of the remaining dims).
  std::int64_t row_numel() const;

  // Host access: the elements of a tensor in host memory (throws for a device tensor).
  template <typename T>
  T* data() {
    check_access(dtype_of<T>());
    return reinterpret_cast<T*>(bytes());
  }
  template <typename T>
  const T* data() const {
    check_access(dtype_of<T>());
    return reinterpret_cast<const T*>(bytes());
  }
  // The elements in the memory of the tensor's own device, for kernels of that device.
  template <typename T>
  T* device_data() {
    check_type(dtype_of<T>());
    return reinterpret_cast<T*>(bytes());
  }
  template <typename T>
  const T* device_data() const {
    check_type(dtype_of<T>());
    return reinterpret_cast<const T*>(bytes());
  }
  // The raw bits of a bf16 or f16 tensor in its device's memory (kernels take 16-bit floats
  // as std::uint16_t, kernels/common/half_precision.h).
  std::uint16_t* half_bits();
  const std::uint16_t* half_bits() const;
  std::span<float> values() { return {data<float>(), static_cast<std::size_t>(numel())}; }
  std::span<const float> values() const { return {data<float>(), static_cast<std::size_t>(numel())}; }

  // A view of rows [begin, end) along dim 0, sharing storage.
  Tensor rows(std::int64_t begin, std::int64_t end) const;
  // The same storage seen with another shape of equal numel.
  Tensor reshaped(const Shape& shape) const;
  // A deep copy, on the same device.
  Tensor clone() const;
  // A copy on `device` (this tensor itself when it is there already).
  Tensor to(const Device& device) const;
  void fill(float value);
  void copy_from(const Tensor& source);

 private:
  std::byte* bytes() const;
  void check_type(DType requested) const;
  void check_access(DType requested) const;
  void check_half() const;

  std::shared_ptr<std::byte> storage_;
  std::size_t offset_bytes_ = 0;
  Shape shape_;
  DType dtype_ = DType::f32;
  Device device_ = Device::cpu();
};

}  // namespace tern
