#include "core/data/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/data/input_file.h"

namespace tern {

namespace {
constexpr std::uint32_t kIdxImagesMagic = 0x00000803;  // u8, 3 dimensions
constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;  // u8, 1 dimension

struct GzFileCloser {
  void operator()(gzFile file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzFileCloser>;

// An open IDX file and its path, for messages.
struct IdxFile {
  GzFile file;
  std::string path;
};

IdxFile open_idx(const std::filesystem::path& path) {
  check_input_file(path);
  GzFile file(gzopen(path.c_str(), "rb"));
  TERN_CHECK(file != nullptr, "cannot open ", path.string());
  return {std::move(file), path.string()};
}

// Reads exactly `size_bytes` bytes; `what` names them in the error when the file ends early.
void read_exact(IdxFile& idx, void* buffer, std::size_t size_bytes, const char* what) {
  auto* bytes = static_cast<unsigned char*>(buffer);
  std::size_t done_bytes = 0;
  while (done_bytes < size_bytes) {
    const auto piece_bytes = static_cast<unsigned>(std::min<std::size_t>(size_bytes - done_bytes, INT_MAX / 2));
    const int read_bytes = gzread(idx.file.get(), bytes + done_bytes, piece_bytes);
    if (read_bytes < 0) {
      int error_code = 0;
      throw Error(detail::concat("reading ", idx.path, " failed: ", gzerror(idx.file.get(), &error_code)));
    }
    TERN_CHECK(read_bytes > 0, idx.path, ": file ends inside the ", what, " (", done_bytes, " of ", size_bytes,
               " bytes read); is it truncated?");
    done_bytes += static_cast<std::size_t>(read_bytes);
  }
}

std::uint32_t read_big_endian_u32(IdxFile& idx, const char* what) {
  unsigned char bytes[4];
  read_exact(idx, bytes, sizeof bytes, what);
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

// Reads the magic number and the extents of an IDX header, checking the magic.
std::vector<std::int64_t> read_idx_header(IdxFile& idx, std::uint32_t expected_magic, const char* kind) {
  const std::uint32_t magic = read_big_endian_u32(idx, "header");
  TERN_CHECK(magic == expected_magic, idx.path, ": magic number ", hex32(magic), ", expected ", hex32(expected_magic),
             " for IDX ", kind, " (u8, ", expected_magic & 0xff, " dimensions)");
  std::vector<std::int64_t> extents(expected_magic & 0xff);
  for (std::int64_t& extent : extents) extent = read_big_endian_u32(idx, "header");
  return extents;
}

std::vector<std::uint8_t> read_u8_values(IdxFile& idx, std::int64_t count) {
  std::vector<std::uint8_t> values(static_cast<std::size_t>(count));
  read_exact(idx, values.data(), values.size(), "data");
  return values;
}
}  // namespace

Dataset read_idx(const std::filesystem::path& images_path, const std::filesystem::path& labels_path) {
  IdxFile images = open_idx(images_path);
  IdxFile labels = open_idx(labels_path);
  const std::vector<std::int64_t> image_extents = read_idx_header(images, kIdxImagesMagic, "images");
  const std::vector<std::int64_t> label_extents = read_idx_header(labels, kIdxLabelsMagic, "labels");
  const std::int64_t rows = image_extents[0];
  const std::int64_t pixels = image_extents[1] * image_extents[2];
  TERN_CHECK(rows == label_extents[0], images.path, " holds ", rows, " images but ", labels.path, " holds ",
             label_extents[0], " labels");
  TERN_CHECK(pixels > 0, images.path, ": images of ", image_extents[1], "x", image_extents[2], " pixels");

  Dataset dataset = allocate_dataset(rows, pixels, images.path);
  const std::vector<std::uint8_t> pixel_values = read_u8_values(images, rows * pixels);
  std::copy(pixel_values.begin(), pixel_values.end(), dataset.features.data<float>());
  const std::vector<std::uint8_t> label_values = read_u8_values(labels, rows);
  std::copy(label_values.begin(), label_values.end(), dataset.labels.data<float>());
  return dataset;
}

}  // namespace tern
