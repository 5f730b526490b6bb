// Memory for tensors on any device: host blocks from the host allocator, CUDA blocks from the
// device's stream-ordered pool (kernels/cuda/device_memory.h). Every operation on a CUDA
// device is queued on that device's compute stream, the one stream all of Tern's work for the
// device goes to, so queued kernels see it in order; a copy into host memory waits for the
// stream, so the host sees the result. This file is the one place in core that asks whether
// the build has CUDA: without it, a CUDA device is refused with a clear error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/tensor/device.h"

namespace tern {

// CUDA devices this process can use; 0 in a build without CUDA or on a machine without GPUs.
int cuda_device_count();

// Throws, naming the device, unless `device` is the CPU or a CUDA device that this build and
// this machine have.
void check_device(const Device& device);

// `bytes` of memory on `device`, released when the last owner lets go.
std::shared_ptr<std::byte> allocate_on(const Device& device, std::size_t bytes);
// `bytes` of page-locked host memory (plain host memory in a build without CUDA), for
// transfers between host and device.
std::shared_ptr<std::byte> allocate_pinned_host(std::size_t bytes);
// The device whose memory `memory` points into: a CUDA device, or the CPU for any host pointer.
Device device_of_memory(const void* memory);

// Copies `bytes` from `source` on `from` to `destination` on `to`; returns once a host
// destination holds the data. A copy to a GPU is queued on its compute stream and does not wait
// for the work queued before it; `source` may be reused as soon as this returns.
void copy_bytes(const Device& to, void* destination, const Device& from, const void* source, std::size_t bytes);
void set_bytes_to_zero(const Device& device, void* data, std::size_t bytes);
void fill_floats(const Device& device, float* data, float value, std::int64_t count);

// Waits for all work queued on `device` (nothing to wait for on the CPU).
void synchronize(const Device& device);

}  // namespace tern
