#include "core/data/token_stream.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/data/hdf5_writer.h"
#include "core/data/input_file.h"
#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/hdf5_handle.h"

namespace tern {

void write_token_stream(std::span<const std::int32_t> tokens, std::int64_t vocab_size,
                        const std::filesystem::path& path) {
  TERN_CHECK(vocab_size > 0, "cannot write ", path.string(), ": vocab_size must be positive, got ", vocab_size);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    TERN_CHECK(tokens[i] >= 0 && tokens[i] < vocab_size, "cannot write ", path.string(), ": token ", i, " is ",
               tokens[i], ", outside the vocabulary [0, ", vocab_size, ")");
  }
  silence_hdf5_error_printing();
  const hid_t stored_type = vocab_size <= 65536 ? H5T_STD_U16LE : H5T_STD_I32LE;
  produce_file_atomically(path, [&](const std::filesystem::path& temporary) {
    const std::string name = path.string();
    Hdf5Handle file = owned_hdf5(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                                 "cannot create HDF5 file ", temporary.string());
    write_chunked_dataset(file.get(), name, "/tokens", 1, static_cast<std::int64_t>(tokens.size()), 1, stored_type,
                          H5T_NATIVE_INT32, tokens.data());
    write_int64_attribute(file.get(), name, "vocab_size", vocab_size);
    file.close(name, ": cannot close the HDF5 file");
  });
}

TokenStream read_token_stream(const std::filesystem::path& path) {
  check_input_file(path);
  silence_hdf5_error_printing();
  const std::string name = path.string();
  const Hdf5Handle file =
      owned_hdf5(H5Fopen(name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open HDF5 file ", name);
  const htri_t exists = check_hdf5(H5Lexists(file.get(), "/tokens", H5P_DEFAULT), name, ": cannot look up /tokens");
  TERN_CHECK(exists > 0, name, ": no dataset /tokens (a token stream holds /tokens [T]; `tern data tokenize` makes one)");
  const Hdf5Handle dataset =
      owned_hdf5(H5Dopen2(file.get(), "/tokens", H5P_DEFAULT), H5Dclose, name, ": cannot open /tokens");
  const Hdf5Handle type = owned_hdf5(H5Dget_type(dataset.get()), H5Tclose, name, ": cannot read the type of /tokens");
  TERN_CHECK(H5Tget_class(type.get()) == H5T_INTEGER, name, ": /tokens does not hold integers");
  const Hdf5Handle space = owned_hdf5(H5Dget_space(dataset.get()), H5Sclose, name, ": cannot read the shape of /tokens");
  TERN_CHECK(H5Sget_simple_extent_ndims(space.get()) == 1, name, ": /tokens must have one dimension");
  hsize_t count = 0;
  check_hdf5(H5Sget_simple_extent_dims(space.get(), &count, nullptr), name, ": cannot read the extent of /tokens");

  TokenStream stream;
  stream.tokens.resize(count);
  if (count > 0) {
    check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, stream.tokens.data()), name,
               ": cannot read /tokens");
  }
  const htri_t has_vocabulary =
      check_hdf5(H5Aexists(file.get(), "vocab_size"), name, ": cannot look up attribute vocab_size");
  TERN_CHECK(has_vocabulary > 0, name, ": no root attribute vocab_size");
  const Hdf5Handle attribute =
      owned_hdf5(H5Aopen(file.get(), "vocab_size", H5P_DEFAULT), H5Aclose, name, ": cannot open attribute vocab_size");
  check_hdf5(H5Aread(attribute.get(), H5T_NATIVE_INT64, &stream.vocab_size), name, ": cannot read vocab_size");
  TERN_CHECK(stream.vocab_size > 0, name, ": vocab_size is ", stream.vocab_size);
  const auto outside = std::find_if(stream.tokens.begin(), stream.tokens.end(), [&](std::int32_t token) {
    return token < 0 || token >= stream.vocab_size;
  });
  TERN_CHECK(outside == stream.tokens.end(), name, ": token ", outside - stream.tokens.begin(), " is ",
             outside == stream.tokens.end() ? 0 : *outside, ", outside the vocabulary [0, ", stream.vocab_size, ")");
  return stream;
}

std::vector<std::int32_t> byte_tokens(const std::filesystem::path& text) {
  check_input_file(text);
  std::ifstream in(text, std::ios::binary);
  TERN_CHECK(in.good(), "cannot read ", text.string());
  std::vector<std::int32_t> tokens;
  for (auto byte = std::istreambuf_iterator<char>(in); byte != std::istreambuf_iterator<char>(); ++byte)
    tokens.push_back(static_cast<unsigned char>(*byte));
  TERN_CHECK(!in.bad(), "reading ", text.string(), " failed");
  return tokens;
}

std::string bytes_of(std::span<const std::int32_t> tokens) {
  std::string bytes;
  bytes.reserve(tokens.size());
  for (const std::int32_t token : tokens) {
    TERN_CHECK(token >= 0 && token < kByteVocabularySize, "token ", token, " is not a byte");
    bytes.push_back(static_cast<char>(static_cast<unsigned char>(token)));
  }
  return bytes;
}

}  // namespace tern
