#include "core/tensor/host_allocator.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace tern {

namespace {

constexpr std::size_t kAlignmentBytes = 64;
constexpr std::size_t kMaxCachedBytes = std::size_t{2} << 30;

class BlockCache {
 public:
  std::byte* take(std::size_t size_bytes) {
    {
      std::lock_guard lock(mutex_);
      const auto found = free_blocks_.find(size_bytes);
      if (found != free_blocks_.end()) {
        std::byte* block = found->second;
        free_blocks_.erase(found);
        cached_bytes_ -= size_bytes;
        return block;
      }
    }
    void* memory = std::aligned_alloc(kAlignmentBytes, size_bytes);
    if (memory == nullptr) throw std::bad_alloc();
    return static_cast<std::byte*>(memory);
  }

  void give_back(std::byte* block, std::size_t size_bytes) {
    {
      std::lock_guard lock(mutex_);
      if (cached_bytes_ + size_bytes <= kMaxCachedBytes) {
        free_blocks_.emplace(size_bytes, block);
        cached_bytes_ += size_bytes;
        return;
      }
    }
    std::free(block);
  }

  std::size_t cached_bytes() {
    std::lock_guard lock(mutex_);
    return cached_bytes_;
  }

 private:
  std::mutex mutex_;
  std::multimap<std::size_t, std::byte*> free_blocks_;
  std::size_t cached_bytes_ = 0;
};

// Never destroyed, so tensors released during static destruction still find it.
BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache();
  return *cache;
}

}  // namespace

std::shared_ptr<std::byte> allocate_host(std::size_t size_bytes) {
  const std::size_t rounded = (std::max<std::size_t>(size_bytes, 1) + kAlignmentBytes - 1) / kAlignmentBytes *
                              kAlignmentBytes;
  return {block_cache().take(rounded), [rounded](std::byte* block) { block_cache().give_back(block, rounded); }};
}

std::size_t host_cache_bytes() { return block_cache().cached_bytes(); }

}  // namespace tern
