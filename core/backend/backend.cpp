#include "core/backend/backend.h"

#include "core/backend/cpu_backend.h"
#include "core/error.h"

#if TERN_WITH_CUDA
#include "core/backend/cuda_backend.h"
#endif

namespace tern {

const Backend& backend_for(const Device& device) {
  if (device.is_cpu()) return cpu_backend();
#if TERN_WITH_CUDA
  return cuda_backend(device.index);
#else
  throw Error("device " + device.name() + ": this build of Tern has no CUDA support (configure with -DTERN_CUDA=ON "
              "on a machine with the CUDA toolkit)");
#endif
}

}  // namespace tern
