#include "launcher/device_assignment.h"

#include "core/error.h"

namespace tern {

Device assign_cuda_device(int local_rank, int ranks_on_node, int devices_on_node, bool allow_sharing) {
  TERN_CHECK(0 <= local_rank && local_rank < ranks_on_node, "local rank ", local_rank, " of ", ranks_on_node,
             " ranks on this node");
  TERN_CHECK(devices_on_node > 0, "training on CUDA, but this node has no CUDA device (or this build has no CUDA)");
  TERN_CHECK(ranks_on_node <= devices_on_node || allow_sharing, ranks_on_node, " ranks on this node but only ",
             devices_on_node, " CUDA device(s): start one rank per GPU (tern-launch --ranks-per-node ",
             devices_on_node, "), or allow ranks to share GPUs with --allow-gpu-sharing");
  return Device::cuda(local_rank % devices_on_node);
}

}  // namespace tern
