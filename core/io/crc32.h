// CRC-32 checksums (zlib's, the one gzip and zip use) of files and byte strings: what the
// checkpoint and model-package manifests record to detect a damaged file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace tern {

std::uint32_t file_crc32(const std::filesystem::path& path);
std::uint32_t bytes_crc32(std::string_view bytes);

}  // namespace tern
