#include "kernels/cuda/device_memory.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "kernels/cuda/check.cuh"

namespace tern::kernels::cuda {

namespace {

// Sets up the memory pool of `device` the first time it is used: freed memory stays in it.
void configure_pool(int device) {
  static std::mutex mutex;
  static std::vector<bool> pool_configured;
  std::lock_guard lock(mutex);
  if (pool_configured.size() <= static_cast<std::size_t>(device)) pool_configured.resize(device + 1, false);
  if (pool_configured[device]) return;
  cudaMemPool_t pool;
  TERN_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
  std::uint64_t keep_everything = UINT64_MAX;
  TERN_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_everything));
  pool_configured[device] = true;
}

// The pinned buffers that uploads from pageable memory pass through: a few per device, used
// in turn, each with the event of the last copy out of it. Kept for the life of the process.
struct UploadSlot {
  void* pinned = nullptr;
  std::size_t capacity = 0;
  cudaEvent_t copied = nullptr;
};
constexpr int kUploadSlots = 4;
constexpr std::size_t kLargestStagedUpload = std::size_t{64} << 20;

bool is_pinned(const void* memory) {
  cudaPointerAttributes attributes{};
  TERN_CUDA_CHECK(cudaPointerGetAttributes(&attributes, memory));
  return attributes.type == cudaMemoryTypeHost;
}

__global__ void fill_kernel(float* data, float value, std::int64_t count) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride)
    data[i] = value;
}

}  // namespace

void set_current_device(int device) {
  TERN_CUDA_CHECK(cudaSetDevice(device));
  configure_pool(device);
}

int device_count() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess) {
    cudaGetLastError();  // "no device" / "no driver" is an answer here, not a sticky error
    return 0;
  }
  return devices;
}

cudaStream_t compute_stream(int device) {
  static std::mutex mutex;
  static std::vector<cudaStream_t> streams;
  std::lock_guard lock(mutex);
  if (streams.size() <= static_cast<std::size_t>(device)) streams.resize(device + 1, nullptr);
  if (streams[device] == nullptr) {
    set_current_device(device);
    TERN_CUDA_CHECK(cudaStreamCreateWithFlags(&streams[device], cudaStreamNonBlocking));
  }
  return streams[device];
}

void* allocate(int device, std::size_t bytes, cudaStream_t stream) {
  set_current_device(device);
  void* memory = nullptr;
  TERN_CUDA_CHECK(cudaMallocAsync(&memory, bytes, stream));
  return memory;
}

void release(void* memory, cudaStream_t stream) noexcept {
  const cudaError_t status = cudaFreeAsync(memory, stream);
  if (status != cudaSuccess) std::fprintf(stderr, "tern: cudaFreeAsync failed: %s\n", cudaGetErrorString(status));
}

void* allocate_pinned(std::size_t bytes) {
  void* memory = nullptr;
  TERN_CUDA_CHECK(cudaMallocHost(&memory, bytes));
  return memory;
}

void release_pinned(void* memory) noexcept {
  const cudaError_t status = cudaFreeHost(memory);
  if (status != cudaSuccess) std::fprintf(stderr, "tern: cudaFreeHost failed: %s\n", cudaGetErrorString(status));
}

int device_of_pointer(const void* memory) {
  cudaPointerAttributes attributes{};
  TERN_CUDA_CHECK(cudaPointerGetAttributes(&attributes, memory));
  return attributes.type == cudaMemoryTypeDevice ? attributes.device : -1;
}

void copy(void* destination, const void* source, std::size_t bytes, cudaStream_t stream) {
  if (bytes == 0) return;
  TERN_CUDA_CHECK(cudaMemcpyAsync(destination, source, bytes, cudaMemcpyDefault, stream));
}

void upload(int device, void* destination, const void* source, std::size_t bytes, cudaStream_t stream) {
  if (bytes == 0) return;
  if (bytes > kLargestStagedUpload || is_pinned(source)) {
    copy(destination, source, bytes, stream);
    return;
  }
  static std::mutex mutex;
  static std::vector<std::vector<UploadSlot>> slots_by_device;
  static std::vector<int> next_slot_by_device;
  std::lock_guard lock(mutex);
  if (slots_by_device.size() <= static_cast<std::size_t>(device)) {
    slots_by_device.resize(device + 1, std::vector<UploadSlot>(kUploadSlots));
    next_slot_by_device.resize(device + 1, 0);
  }
  int& next_slot = next_slot_by_device[device];
  UploadSlot& slot = slots_by_device[device][next_slot];
  next_slot = (next_slot + 1) % kUploadSlots;
  int caller_device = 0;
  TERN_CUDA_CHECK(cudaGetDevice(&caller_device));
  TERN_CUDA_CHECK(cudaSetDevice(device));  // events belong to the device of their stream
  if (slot.copied == nullptr) {
    TERN_CUDA_CHECK(cudaEventCreateWithFlags(&slot.copied, cudaEventDisableTiming));
  } else {
    TERN_CUDA_CHECK(cudaEventSynchronize(slot.copied));  // its last copy has left the buffer
  }
  if (slot.capacity < bytes) {
    if (slot.pinned != nullptr) release_pinned(slot.pinned);
    slot.pinned = nullptr;
    slot.capacity = 0;
    slot.pinned = allocate_pinned(bytes);
    slot.capacity = bytes;
  }
  std::memcpy(slot.pinned, source, bytes);
  TERN_CUDA_CHECK(cudaMemcpyAsync(destination, slot.pinned, bytes, cudaMemcpyHostToDevice, stream));
  TERN_CUDA_CHECK(cudaEventRecord(slot.copied, stream));
  TERN_CUDA_CHECK(cudaSetDevice(caller_device));
}

void set_zero(void* data, std::size_t bytes, cudaStream_t stream) {
  if (bytes == 0) return;
  TERN_CUDA_CHECK(cudaMemsetAsync(data, 0, bytes, stream));
}

void fill(float* data, float value, std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  constexpr int kThreads = 256;
  const std::int64_t blocks = (count + kThreads - 1) / kThreads;
  fill_kernel<<<static_cast<unsigned>(blocks < 65535 ? blocks : 65535), kThreads, 0, stream>>>(data, value, count);
  TERN_CUDA_CHECK(cudaGetLastError());
}

void synchronize(cudaStream_t stream) { TERN_CUDA_CHECK(cudaStreamSynchronize(stream)); }

}  // namespace tern::kernels::cuda
