// Host memory for tensors: 64-byte aligned blocks, cached for reuse.
//
// A training step allocates the same tensor sizes every step. Fresh memory from the system
// costs a page fault per 4 KiB on first touch (~15 µs on our VMs, a third of a small MLP's
// step), so a freed block is kept, keyed by its size, and handed out again to the next request
// of that size. The cache is bounded (kMaxCachedBytes); beyond that, freed blocks go back to
// the system. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>

namespace tern {

// A block of at least `size_bytes`, 64-byte aligned, returned to the cache when released.
std::shared_ptr<std::byte> allocate_host(std::size_t size_bytes);

// Bytes now held in the cache (free blocks kept for reuse).
std::size_t host_cache_bytes();

}  // namespace tern
