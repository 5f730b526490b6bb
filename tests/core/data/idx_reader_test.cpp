#include "core/data/idx_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;
using testing::TemporaryFolder;

// An IDX file's bytes: big-endian magic and extents, then the u8 values.
std::string idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& extents,
                      const std::vector<std::uint8_t>& values) {
  std::string bytes;
  const auto append_u32 = [&](std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((value >> shift) & 0xff);
  };
  append_u32(magic);
  for (std::uint32_t extent : extents) append_u32(extent);
  bytes.append(values.begin(), values.end());
  return bytes;
}

void write_gzip(const std::filesystem::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

// Three 2x3 images with pixels 0..17 (the last one 255) and labels 4, 0, 9.
const std::vector<std::uint8_t> kPixels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 255};
const std::vector<std::uint8_t> kLabels = {4, 0, 9};

TEST(ReadIdx, ReadsGzippedImagesAndLabels) {
  TemporaryFolder folder;
  write_gzip(folder / "images-idx3-ubyte.gz", idx_bytes(0x803, {3, 2, 3}, kPixels));
  write_gzip(folder / "labels-idx1-ubyte.gz", idx_bytes(0x801, {3}, kLabels));
  const Dataset dataset = read_idx(folder / "images-idx3-ubyte.gz", folder / "labels-idx1-ubyte.gz");
  ASSERT_EQ(dataset.rows(), 3);
  ASSERT_EQ(dataset.num_features(), 6);
  for (std::size_t i = 0; i < kPixels.size(); ++i) EXPECT_EQ(dataset.features.data<float>()[i], kPixels[i]);
  for (std::size_t i = 0; i < kLabels.size(); ++i) EXPECT_EQ(dataset.labels.data<float>()[i], kLabels[i]);
}

TEST(ReadIdx, ReadsUncompressedFilesToo) {
  TemporaryFolder folder;
  testing::write_text_file(folder / "images", idx_bytes(0x803, {3, 2, 3}, kPixels));
  testing::write_text_file(folder / "labels", idx_bytes(0x801, {3}, kLabels));
  const Dataset dataset = read_idx(folder / "images", folder / "labels");
  EXPECT_EQ(dataset.features.data<float>()[17], 255.0f);
  EXPECT_EQ(dataset.labels.data<float>()[2], 9.0f);
}

TEST(ReadIdx, WrongMagicNumberIsAnError) {
  TemporaryFolder folder;
  write_gzip(folder / "images.gz", idx_bytes(0x803, {3, 2, 3}, kPixels));
  write_gzip(folder / "labels.gz", idx_bytes(0x801, {3}, kLabels));
  expect_error_mentioning([&] { read_idx(folder / "labels.gz", folder / "labels.gz"); },
                          {"labels.gz", "magic number 0x00000801", "expected 0x00000803"});
  expect_error_mentioning([&] { read_idx(folder / "images.gz", folder / "images.gz"); },
                          {"images.gz", "magic number 0x00000803", "expected 0x00000801"});
}

TEST(ReadIdx, CountMismatchAndTruncationAreErrors) {
  TemporaryFolder folder;
  write_gzip(folder / "images.gz", idx_bytes(0x803, {3, 2, 3}, kPixels));
  write_gzip(folder / "two_labels.gz", idx_bytes(0x801, {2}, {1, 2}));
  expect_error_mentioning([&] { read_idx(folder / "images.gz", folder / "two_labels.gz"); },
                          {"images.gz", "3 images", "two_labels.gz", "2 labels"});
  write_gzip(folder / "short_images.gz", idx_bytes(0x803, {3, 2, 3}, {1, 2, 3}));
  write_gzip(folder / "labels.gz", idx_bytes(0x801, {3}, kLabels));
  expect_error_mentioning([&] { read_idx(folder / "short_images.gz", folder / "labels.gz"); },
                          {"short_images.gz", "truncated"});
  expect_error_mentioning([&] { read_idx(folder / "absent.gz", folder / "labels.gz"); },
                          {"no such file: ", "absent.gz"});
}

}  // namespace
}  // namespace tern
