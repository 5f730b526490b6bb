// Token streams for language models (DESIGN §3): an HDF5 file with `/tokens` [T], the ids in
// order, stored as u16 when every id is below 65536 and as i32 otherwise, and the root
// attribute `vocab_size`. Readable from h5py as f["tokens"][:].
//
// Byte-level tokenisation needs no vocabulary file: every byte of a UTF-8 text is one token,
// 0..255 (a character outside ASCII is 2 to 4 tokens), so vocab_size is 256 and decoding is
// writing the bytes back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace tern {

inline constexpr std::int64_t kByteVocabularySize = 256;

struct TokenStream {
  std::vector<std::int32_t> tokens;
  std::int64_t vocab_size = 0;
};

// Writes `tokens` (each in [0, vocab_size)); the file appears atomically.
void write_token_stream(std::span<const std::int32_t> tokens, std::int64_t vocab_size,
                        const std::filesystem::path& path);
// Reads a whole token stream, checking that every id is below its vocab_size.
TokenStream read_token_stream(const std::filesystem::path& path);

// The bytes of a file as tokens.
std::vector<std::int32_t> byte_tokens(const std::filesystem::path& text);
// Tokens (each below 256) as the bytes they stand for.
std::string bytes_of(std::span<const std::int32_t> tokens);

}  // namespace tern
