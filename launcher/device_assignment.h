// Which GPU a rank uses. Ranks on one node share its GPUs one each: the rank with local rank r
// (its index among the ranks on its node) uses cuda:r. A node with more ranks than GPUs is a
// launch mistake that would quietly halve each rank's speed, so it stops the job with an error
// naming the counts, unless sharing is allowed explicitly (then rank r uses cuda:(r mod G)).
#pragma once

#include "core/tensor/device.h"

namespace tern {

Device assign_cuda_device(int local_rank, int ranks_on_node, int devices_on_node, bool allow_sharing);

}  // namespace tern
