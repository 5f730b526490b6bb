// The library side of `tern data convert | inspect | split` (the launcher parses the command
// line and prints; nothing here does).
//
//   convert  rewrites a dense file in the format of the output's extension (CSV <-> HDF5), a
//            sparse one likewise (libsvm <-> HDF5 CSR), or an IDX images + labels pair
//            (MNIST) as a dense file;
//   inspect  streams a file once and reports its shape, label distribution, missing values,
//            exact duplicate rows and per-feature ranges, as JSON or text;
//   split    cuts a file into parts (train / validation / test) by fraction, from a seeded
//            permutation, optionally stratified by label; every row lands in exactly one part;
//   tokenize turns a text file into byte-level token streams (core/data/token_stream.h), cut
//            into contiguous parts by fraction (the first part the start of the text).
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tern {

void convert(const std::filesystem::path& input, const std::filesystem::path& output);
void convert_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                 const std::filesystem::path& output);

// Label values beyond this many distinct ones are not counted one by one, nor stratified.
inline constexpr std::size_t kMaxDistinctLabels = 1000;

// One column (the labels or a feature); min, max and mean are over the values present (NaN if none).
struct ColumnSummary {
  std::int64_t missing = 0;
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();
};

struct InspectReport {
  std::string source;
  std::int64_t rows = 0;
  std::int64_t num_features = 0;
  // Rows per label value; nullopt when there are more than kMaxDistinctLabels distinct values
  // (a regression target, say), in which case `labels` summarises them.
  std::optional<std::map<float, std::int64_t>> label_counts;
  ColumnSummary labels;
  std::vector<ColumnSummary> features;
  std::int64_t missing_values = 0;  // in labels and features together
  std::int64_t duplicate_rows = 0;  // rows equal (features and label) to an earlier row
};

InspectReport inspect(const std::filesystem::path& path);
nlohmann::json to_json(const InspectReport& report);
std::string to_text(const InspectReport& report);

struct SplitOutput {
  std::filesystem::path path;
  double fraction = 0.0;  // of the rows (of each class, when stratified); the fractions sum to 1
};

// Writes each output's share of `input`'s rows (in their input order) and returns the row
// counts. Rows are assigned from random_permutation(rows, seed, stream_id("split")) cut at the
// cumulative fractions. Stratified, the rows of each label are permuted and cut on their own
// (the k-th label in increasing order with stream stream_id("split") + k), so each output's
// count of a class is within one row of fraction x class rows.
std::vector<std::int64_t> split(const std::filesystem::path& input, std::span<const SplitOutput> outputs,
                                std::uint64_t seed, bool stratified);

// Writes the bytes of `text` as token streams: output k gets the k-th contiguous part, cut at
// the cumulative fractions; returns the token counts. Every part must get at least one token.
std::vector<std::int64_t> tokenize(const std::filesystem::path& text, std::span<const SplitOutput> outputs);

}  // namespace tern
