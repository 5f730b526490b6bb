// Token streams and byte-level tokenisation: the HDF5 layout (u16 or i32 /tokens, vocab_size)
// read back exactly and as h5py sees it, bytes of multi-byte UTF-8 text, contiguous parts that
// put the text back together, and clear errors for bad input.
#include "core/data/token_stream.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/data/tools.h"
#include "core/io/hdf5_handle.h"
#include "tests/core/data/data_test_files.h"
#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;
using testing::TemporaryFolder;
using testing::write_text_file;

// The HDF5 class and size of the stored /tokens.
std::pair<H5T_class_t, std::size_t> stored_type(const std::filesystem::path& path) {
  const Hdf5Handle file = owned_hdf5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open");
  const Hdf5Handle dataset = owned_hdf5(H5Dopen2(file.get(), "/tokens", H5P_DEFAULT), H5Dclose, "open /tokens");
  const Hdf5Handle type = owned_hdf5(H5Dget_type(dataset.get()), H5Tclose, "type");
  return {H5Tget_class(type.get()), H5Tget_size(type.get())};
}

TEST(TokenStream, RoundTripsAsU16OrI32ByVocabularySize) {
  TemporaryFolder folder;
  const std::vector<std::int32_t> small = {0, 255, 7, 65535, 3};
  write_token_stream(small, 65536, folder / "small.h5");
  EXPECT_EQ(stored_type(folder / "small.h5"), std::make_pair(H5T_INTEGER, std::size_t{2}));
  const TokenStream read_small = read_token_stream(folder / "small.h5");
  EXPECT_EQ(read_small.tokens, small);
  EXPECT_EQ(read_small.vocab_size, 65536);

  const std::vector<std::int32_t> large = {70000, 0, 99999};
  write_token_stream(large, 100000, folder / "large.h5");
  EXPECT_EQ(stored_type(folder / "large.h5"), std::make_pair(H5T_INTEGER, std::size_t{4}));
  EXPECT_EQ(read_token_stream(folder / "large.h5").tokens, large);
}

TEST(TokenStream, RejectsTokensOutsideTheVocabulary) {
  TemporaryFolder folder;
  expect_error_mentioning([&] { write_token_stream(std::vector<std::int32_t>{1, 256}, 256, folder / "t.h5"); },
                          {"token 1 is 256", "[0, 256)"});
  EXPECT_FALSE(std::filesystem::exists(folder / "t.h5"));
  expect_error_mentioning([&] { read_token_stream(folder / "missing.h5"); }, {"missing.h5"});
}

TEST(ByteTokens, AreTheBytesOfUtf8Text) {
  TemporaryFolder folder;
  const std::string text = "Émma, ça va?\n";  // É and ç take two bytes each
  write_text_file(folder / "text.txt", text);
  const std::vector<std::int32_t> tokens = byte_tokens(folder / "text.txt");
  ASSERT_EQ(tokens.size(), text.size());
  EXPECT_EQ(tokens[0], 0xC3);
  EXPECT_EQ(tokens[1], 0x89);
  EXPECT_EQ(tokens[2], 'm');
  EXPECT_EQ(bytes_of(tokens), text);
}

TEST(Tokenize, CutsContiguousPartsThatPutTheTextBackTogether) {
  TemporaryFolder folder;
  std::string text;
  for (int line = 0; line < 100; ++line) text += "line " + std::to_string(line) + ": It is a truth universally acknowledged.\n";
  write_text_file(folder / "corpus.txt", text);
  const std::vector<SplitOutput> outputs = {{folder / "train.h5", 0.9}, {folder / "validation.h5", 0.1}};
  const std::vector<std::int64_t> counts = tokenize(folder / "corpus.txt", outputs);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0] + counts[1], static_cast<std::int64_t>(text.size()));
  EXPECT_EQ(counts[0], std::llround(0.9 * static_cast<double>(text.size())));
  const TokenStream train = read_token_stream(folder / "train.h5"), validation = read_token_stream(folder / "validation.h5");
  EXPECT_EQ(train.vocab_size, kByteVocabularySize);
  EXPECT_EQ(bytes_of(train.tokens) + bytes_of(validation.tokens), text);
}

TEST(Tokenize, RejectsAnEmptyFileBadFractionsAndAnEmptyPart) {
  TemporaryFolder folder;
  write_text_file(folder / "empty.txt", "");
  write_text_file(folder / "tiny.txt", "ab");
  const auto part = [&](const char* name, double fraction) { return SplitOutput{folder / name, fraction}; };
  expect_error_mentioning([&] { tokenize(folder / "empty.txt", std::vector{part("a.h5", 1.0)}); }, {"empty"});
  expect_error_mentioning([&] { tokenize(folder / "tiny.txt", std::vector{part("a.h5", 0.5), part("b.h5", 0.4)}); },
                          {"fractions sum to 0.9"});
  expect_error_mentioning([&] { tokenize(folder / "tiny.txt", std::vector{part("a.h5", 0.9), part("b.h5", 0.1)}); },
                          {"b.h5 would get no tokens"});
}

// h5py (Debian's python3-h5py, which scripts/install-deps.sh installs) reads the same tokens.
TEST(TokenStream, IsReadableFromH5py) {
  if (!std::filesystem::exists("/usr/lib/python3/dist-packages/h5py")) GTEST_SKIP() << "no python3-h5py";
  TemporaryFolder folder;
  write_token_stream(std::vector<std::int32_t>{72, 105, 33}, 256, folder / "t.h5");
  const std::string script = "import h5py; f = h5py.File('" + (folder / "t.h5").string() +
                             "', 'r'); print(f['tokens'].dtype, list(f['tokens'][:]), int(f.attrs['vocab_size']))";
  const testing::CommandResult result = testing::run_shell("/usr/bin/python3 -c \"" + script + "\"");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "uint16 [72, 105, 33] 256\n");
}

}  // namespace
}  // namespace tern
