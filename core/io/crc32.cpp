#include "core/io/crc32.h"

#include <zlib.h>

#include <fstream>
#include <vector>

#include "core/error.h"

namespace tern {

namespace {
uLong add_bytes(uLong crc, const char* data, std::size_t size) {
  return crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size));
}
}  // namespace

std::uint32_t file_crc32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  TERN_CHECK(in.good(), "cannot read ", path.string());
  uLong crc = crc32(0L, Z_NULL, 0);
  std::vector<char> buffer(std::size_t{1} << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got > 0) crc = add_bytes(crc, buffer.data(), static_cast<std::size_t>(got));
  }
  return static_cast<std::uint32_t>(crc);
}

std::uint32_t bytes_crc32(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  constexpr std::size_t kChunk = std::size_t{1} << 30;  // zlib takes an unsigned int length
  for (std::size_t offset = 0; offset < bytes.size(); offset += kChunk)
    crc = add_bytes(crc, bytes.data() + offset, std::min(kChunk, bytes.size() - offset));
  return static_cast<std::uint32_t>(crc);
}

}  // namespace tern
