#include "core/tensor/device_memory.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/tensor/host_allocator.h"

#if TERN_WITH_CUDA
#include "kernels/cuda/device_memory.h"
#endif

namespace tern {

namespace {

#if TERN_WITH_CUDA
cudaStream_t stream_of(const Device& device) { return kernels::cuda::compute_stream(device.index); }
#endif

}  // namespace

int cuda_device_count() {
#if TERN_WITH_CUDA
  static const int devices = kernels::cuda::device_count();
  return devices;
#else
  return 0;
#endif
}

void check_device(const Device& device) {
  if (device.is_cpu()) return;
#if TERN_WITH_CUDA
  const int devices = cuda_device_count();
  TERN_CHECK(device.index >= 0 && device.index < devices, "device ", device.name(), " does not exist: this machine has ",
             devices, " CUDA device(s)");
#else
  throw Error("device " + device.name() + ": this build of Tern has no CUDA support (configure with -DTERN_CUDA=ON "
              "on a machine with the CUDA toolkit)");
#endif
}

std::shared_ptr<std::byte> allocate_on(const Device& device, std::size_t bytes) {
  check_device(device);
  if (device.is_cpu()) return allocate_host(bytes);
#if TERN_WITH_CUDA
  const cudaStream_t stream = stream_of(device);
  // A zero-byte tensor still gets a distinct block, as on the host.
  auto* memory = static_cast<std::byte*>(kernels::cuda::allocate(device.index, std::max<std::size_t>(bytes, 1), stream));
  return {memory, [stream](std::byte* block) { kernels::cuda::release(block, stream); }};
#else
  return nullptr;  // unreachable: check_device threw
#endif
}

std::shared_ptr<std::byte> allocate_pinned_host(std::size_t bytes) {
#if TERN_WITH_CUDA
  if (cuda_device_count() > 0) {
    auto* memory = static_cast<std::byte*>(kernels::cuda::allocate_pinned(std::max<std::size_t>(bytes, 1)));
    return {memory, [](std::byte* block) { kernels::cuda::release_pinned(block); }};
  }
#endif
  return allocate_host(bytes);
}

Device device_of_memory(const void* memory) {
#if TERN_WITH_CUDA
  if (cuda_device_count() > 0) {
    const int device = kernels::cuda::device_of_pointer(memory);
    if (device >= 0) return Device::cuda(device);
  }
#else
  static_cast<void>(memory);
#endif
  return Device::cpu();
}

void copy_bytes(const Device& to, void* destination, const Device& from, const void* source, std::size_t bytes) {
  if (to.is_cpu() && from.is_cpu()) {
    if (bytes > 0) std::memcpy(destination, source, bytes);
    return;
  }
  check_device(to);
  check_device(from);
#if TERN_WITH_CUDA
  // Device-to-device copies across GPUs are ordered on the destination's stream after the
  // source's queued work, which the synchronization below makes visible.
  const Device& gpu = to.is_cpu() ? from : to;
  if (!from.is_cpu() && !to.is_cpu() && from != to) synchronize(from);
  if (from.is_cpu()) {
    kernels::cuda::upload(to.index, destination, source, bytes, stream_of(gpu));
    return;
  }
  kernels::cuda::copy(destination, source, bytes, stream_of(gpu));
  if (to.is_cpu()) kernels::cuda::synchronize(stream_of(gpu));
#endif
}

void set_bytes_to_zero(const Device& device, void* data, std::size_t bytes) {
  if (device.is_cpu()) {
    if (bytes > 0) std::memset(data, 0, bytes);
    return;
  }
  check_device(device);
#if TERN_WITH_CUDA
  kernels::cuda::set_zero(data, bytes, stream_of(device));
#endif
}

void fill_floats(const Device& device, float* data, float value, std::int64_t count) {
  if (device.is_cpu()) {
    std::fill_n(data, count, value);
    return;
  }
  check_device(device);
#if TERN_WITH_CUDA
  kernels::cuda::fill(data, value, count, stream_of(device));
#endif
}

void synchronize(const Device& device) {
  if (device.is_cpu()) return;
  check_device(device);
#if TERN_WITH_CUDA
  kernels::cuda::synchronize(stream_of(device));
#endif
}

}  // namespace tern
