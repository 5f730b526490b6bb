// Element math of the embedding lookup, shared by the CPU and CUDA kernels: which ids a table
// of rows [first_id, first_id + table_rows) holds (the whole vocabulary is first_id = 0,
// table_rows = vocab).
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"

namespace tern::kernels {

// first_id ≤ id < first_id + table_rows
TERN_HOST_DEVICE bool holds_id(std::int32_t id, std::int64_t first_id, std::int64_t table_rows) {
  return id >= first_id && id < first_id + table_rows;
}

}  // namespace tern::kernels
