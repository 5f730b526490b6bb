// CUDA device memory, streams and copies: the runtime calls the layers above kernels/ need to
// hold tensors on a GPU. Plain C++ header (no device code).
//
// Memory comes from each device's default memory pool through stream-ordered allocation
// (cudaMallocAsync / cudaFreeAsync): a block freed on a stream is reused by the next
// allocation on that stream without a device synchronization, and the pool keeps freed memory
// (release threshold: unlimited) instead of returning it to the driver, so a training step
// that allocates the same sizes every step does not call cudaMalloc after the first.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace tern::kernels::cuda {

// CUDA devices visible to this process; 0 when there are none or no driver (not an error).
int device_count();

// Makes `device` current for the calling thread (cuBLAS handles and launches follow it).
void set_current_device(int device);

// The stream on which this process queues all work for `device` (non-blocking with respect to
// the legacy default stream); created on first use, one per device, kept for the process.
cudaStream_t compute_stream(int device);

// `bytes` of device memory on `device`, ordered on `stream`: usable by work queued on that
// stream from now on.
void* allocate(int device, std::size_t bytes, cudaStream_t stream);
// Returns memory from allocate() to the pool once the work queued on `stream` before now is
// done. Never throws (it runs in destructors); a failure is printed.
void release(void* memory, cudaStream_t stream) noexcept;

// Page-locked host memory, for transfers that overlap with compute.
void* allocate_pinned(std::size_t bytes);
void release_pinned(void* memory) noexcept;

// The device that `memory` belongs to, or -1 for host memory (pageable, pinned or managed).
int device_of_pointer(const void* memory);

// Copies `bytes` between any two of host, pinned and device memory (unified addressing),
// queued on `stream`.
void copy(void* destination, const void* source, std::size_t bytes, cudaStream_t stream);
// Copies `bytes` from host memory to memory of `device`, queued on `stream`, without waiting
// for the work queued before it. (A plain copy from pageable memory waits for the whole stream
// first, which a training step that uploads every batch pays every step.) Pageable bytes are
// copied by the CPU into one of a few pinned buffers, and the device copy is queued from
// there; a buffer is reused once its last copy is done. Pinned sources, and copies over 64 MiB,
// are queued directly. `source` may be reused as soon as this returns.
void upload(int device, void* destination, const void* source, std::size_t bytes, cudaStream_t stream);
// Sets `bytes` of device memory to zero, queued on `stream`.
void set_zero(void* data, std::size_t bytes, cudaStream_t stream);
// data[i] = value for i < count (f32 device memory), queued on `stream`.
void fill(float* data, float value, std::int64_t count, cudaStream_t stream);
// Waits until the work queued on `stream` is done.
void synchronize(cudaStream_t stream);

}  // namespace tern::kernels::cuda
