#include "core/backend/backend.h"

#include "core/backend/cpu_backend.h"
#include <cstdlib>

#include "core/tensor/device_memory.h"

#if TERN_WITH_CUDA
#include "core/backend/cuda_backend.h"
#endif

namespace tern {

const Backend& backend_for(const Device& device) {
  if (device.is_cpu()) return cpu_backend();
  check_device(device);
#if TERN_WITH_CUDA
  return cuda_backend(device.index);
#else
  std::abort();  // unreachable: check_device threw, this build has no CUDA
#endif
}

}  // namespace tern
