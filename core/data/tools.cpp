#include "core/data/tools.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "core/data/dense_format.h"
#include "core/data/dense_reader.h"
#include "core/data/sparse_reader.h"
#include "core/data/dense_writer.h"
#include "core/data/float_text.h"
#include "core/data/idx_reader.h"
#include "core/data/in_memory_reader.h"
#include "core/data/token_stream.h"
#include "core/random/random.h"

namespace tern {

void convert(const std::filesystem::path& input, const std::filesystem::path& output) {
  if (is_sparse_file(input)) {
    write_sparse(load_sparse(input), output);  // libsvm <-> HDF5 CSR
    return;
  }
  dense_format_of(output);  // an unsupported output fails before the input is read
  write_dataset(load_dataset(input), output);
}

void convert_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                 const std::filesystem::path& output) {
  dense_format_of(output);
  write_dataset(read_idx(images, labels), output);
}

namespace {
constexpr std::int64_t kInspectBlockBytes = std::int64_t{4} << 20;

// Count, sum and range of the values present in one column.
struct ColumnAccumulator {
  std::int64_t present = 0;
  double sum = 0.0;
  ColumnSummary summary;

  void add(float value) {
    if (std::isnan(value)) {
      ++summary.missing;
      return;
    }
    summary.min = present == 0 ? value : std::min<double>(summary.min, value);
    summary.max = present == 0 ? value : std::max<double>(summary.max, value);
    sum += value;
    ++present;
  }
  ColumnSummary finish() const {
    ColumnSummary result = summary;
    if (present > 0) result.mean = sum / static_cast<double>(present);
    return result;
  }
};

// splitmix64's finaliser: spreads every input bit over the whole word.
std::uint64_t mix64(std::uint64_t value) {
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
  return value ^ (value >> 31);
}

// A 64-bit hash of a row's label and features that is equal for equal values: -0 hashes as 0
// and every NaN alike. Two different rows collide with probability ~rows² / 2^65.
std::uint64_t row_hash(float label, const float* features, std::int64_t num_features) {
  const auto canonical_bits = [](float value) -> std::uint64_t {
    if (std::isnan(value)) return 0x7fc00000u;
    return std::bit_cast<std::uint32_t>(value == 0.0f ? 0.0f : value);
  };
  std::uint64_t hash = mix64(canonical_bits(label));
  for (std::int64_t column = 0; column < num_features; ++column) hash = mix64(hash ^ canonical_bits(features[column]));
  return hash;
}
}  // namespace

InspectReport inspect(const std::filesystem::path& path) {
  const std::unique_ptr<DenseReader> reader = open_dense_reader(path);
  const std::int64_t num_features = reader->num_features();
  InspectReport report;
  report.source = reader->source();
  report.rows = reader->num_rows();
  report.num_features = num_features;
  report.label_counts.emplace();

  ColumnAccumulator labels;
  std::vector<ColumnAccumulator> features(static_cast<std::size_t>(num_features));
  std::vector<std::uint64_t> row_hashes;
  row_hashes.reserve(static_cast<std::size_t>(report.rows));

  // Streams the file in blocks of about kInspectBlockBytes.
  const std::int64_t block_rows = std::max<std::int64_t>(1, kInspectBlockBytes / ((num_features + 1) * 4));
  std::vector<float> block_features(static_cast<std::size_t>(block_rows * num_features));
  std::vector<float> block_labels(static_cast<std::size_t>(block_rows));
  for (std::int64_t begin = 0; begin < report.rows; begin += block_rows) {
    const std::int64_t end = std::min(report.rows, begin + block_rows);
    reader->read_rows(begin, end, block_features.data(), block_labels.data());
    for (std::int64_t row = 0; row < end - begin; ++row) {
      const float label = block_labels[static_cast<std::size_t>(row)];
      const float* row_features = block_features.data() + row * num_features;
      labels.add(label);
      if (report.label_counts && !std::isnan(label)) {
        ++(*report.label_counts)[label];
        if (report.label_counts->size() > kMaxDistinctLabels) report.label_counts.reset();
      }
      for (std::int64_t column = 0; column < num_features; ++column)
        features[static_cast<std::size_t>(column)].add(row_features[column]);
      row_hashes.push_back(row_hash(label, row_features, num_features));
    }
  }

  report.labels = labels.finish();
  report.missing_values = report.labels.missing;
  for (const ColumnAccumulator& column : features) {
    report.features.push_back(column.finish());
    report.missing_values += report.features.back().missing;
  }
  std::sort(row_hashes.begin(), row_hashes.end());
  for (std::size_t i = 1; i < row_hashes.size(); ++i) report.duplicate_rows += row_hashes[i] == row_hashes[i - 1];
  return report;
}

namespace {
nlohmann::json column_json(const ColumnSummary& column) {
  // nlohmann::json writes NaN (no values present) as null.
  return {{"missing", column.missing}, {"min", column.min}, {"max", column.max}, {"mean", column.mean}};
}

void write_column_text(std::ostringstream& out, const ColumnSummary& column) {
  out << "min " << column.min << ", max " << column.max << ", mean " << column.mean << ", missing " << column.missing;
}
}  // namespace

nlohmann::json to_json(const InspectReport& report) {
  nlohmann::json json = {{"source", report.source},
                         {"rows", report.rows},
                         {"num_features", report.num_features},
                         {"labels", column_json(report.labels)},
                         {"missing_values", report.missing_values},
                         {"duplicate_rows", report.duplicate_rows}};
  json["label_counts"] = nullptr;
  if (report.label_counts) {
    json["label_counts"] = nlohmann::json::object();
    for (const auto& [label, count] : *report.label_counts) json["label_counts"][float_text(label)] = count;
  }
  json["features"] = nlohmann::json::array();
  for (const ColumnSummary& column : report.features) json["features"].push_back(column_json(column));
  return json;
}

std::string to_text(const InspectReport& report) {
  std::ostringstream out;
  out << report.source << ": " << report.rows << " rows, " << report.num_features << " features\n";
  if (report.label_counts) {
    out << "label counts:";
    const char* separator = " ";
    for (const auto& [label, count] : *report.label_counts) {
      out << separator << float_text(label) << ": " << count;
      separator = ", ";
    }
    out << "\n";
  } else {
    out << "labels: more than " << kMaxDistinctLabels << " distinct values\n";
  }
  out << "labels: ";
  write_column_text(out, report.labels);
  out << "\nmissing values: " << report.missing_values << "\nduplicate rows: " << report.duplicate_rows << "\n";
  for (std::size_t column = 0; column < report.features.size(); ++column) {
    out << "feature " << std::setw(4) << column << ": ";
    write_column_text(out, report.features[column]);
    out << "\n";
  }
  return out.str();
}

namespace {
// Checks that there are outputs and that their fractions are positive and sum to 1.
void check_fractions(std::span<const SplitOutput> outputs, const std::string& what) {
  TERN_CHECK(!outputs.empty(), what, ": no outputs given");
  double fraction_sum = 0.0;
  for (const SplitOutput& output : outputs) {
    TERN_CHECK(output.fraction > 0.0, what, ": fraction ", output.fraction, " for ", output.path.string(),
               " must be positive");
    fraction_sum += output.fraction;
  }
  TERN_CHECK(std::abs(fraction_sum - 1.0) < 1e-6, what, ": fractions sum to ", fraction_sum, ", not 1");
}

// Where the outputs' parts of `total` items end: part k is [ends[k-1], ends[k]), cut at the
// cumulative fractions, rounded; the last part ends at `total`.
std::vector<std::size_t> part_ends(std::size_t total, std::span<const SplitOutput> outputs) {
  std::vector<std::size_t> ends;
  double cumulative_fraction = 0.0;
  for (std::size_t output = 0; output < outputs.size(); ++output) {
    cumulative_fraction += outputs[output].fraction;
    ends.push_back(output + 1 == outputs.size()
                       ? total
                       : static_cast<std::size_t>(std::llround(static_cast<double>(total) * cumulative_fraction)));
  }
  return ends;
}

// Appends `permuted_rows` to the outputs: output k gets its part (part_ends).
void cut_by_fractions(std::span<const std::int64_t> permuted_rows, std::span<const SplitOutput> outputs,
                      std::vector<std::vector<std::int64_t>>& rows_of_output) {
  std::size_t begin = 0;
  const std::vector<std::size_t> ends = part_ends(permuted_rows.size(), outputs);
  for (std::size_t output = 0; output < outputs.size(); ++output) {
    rows_of_output[output].insert(rows_of_output[output].end(), permuted_rows.begin() + begin,
                                  permuted_rows.begin() + ends[output]);
    begin = ends[output];
  }
}

std::vector<std::int64_t> permuted(const std::vector<std::int64_t>& rows, std::uint64_t seed, std::uint64_t stream) {
  std::vector<std::int64_t> result;
  for (std::int64_t index : random_permutation(static_cast<std::int64_t>(rows.size()), seed, stream))
    result.push_back(rows[static_cast<std::size_t>(index)]);
  return result;
}
}  // namespace

std::vector<std::int64_t> split(const std::filesystem::path& input, std::span<const SplitOutput> outputs,
                                std::uint64_t seed, bool stratified) {
  check_fractions(outputs, "split of " + input.string());
  for (const SplitOutput& output : outputs) dense_format_of(output.path);

  InMemoryReader rows(load_dataset(input));
  // Groups of rows permuted and cut on their own: one per label when stratified, else all rows.
  std::map<float, std::vector<std::int64_t>> groups;
  const float* labels = rows.dataset().labels.data<float>();
  for (std::int64_t row = 0; row < rows.num_rows(); ++row) {
    TERN_CHECK(!stratified || !std::isnan(labels[row]), "stratified split of ", input.string(), ": row ", row,
               " has no label");
    groups[stratified ? labels[row] : 0.0f].push_back(row);
    TERN_CHECK(groups.size() <= kMaxDistinctLabels, "stratified split of ", input.string(), ": more than ",
               kMaxDistinctLabels, " distinct labels; stratify class labels only");
  }

  std::vector<std::vector<std::int64_t>> rows_of_output(outputs.size());
  std::uint64_t stream = stream_id("split");
  for (const auto& [label, group_rows] : groups)
    cut_by_fractions(permuted(group_rows, seed, stream++), outputs, rows_of_output);

  std::vector<std::int64_t> output_rows;
  for (std::size_t output = 0; output < outputs.size(); ++output) {
    std::vector<std::int64_t>& selected = rows_of_output[output];
    std::sort(selected.begin(), selected.end());
    const auto count = static_cast<std::int64_t>(selected.size());
    Dataset part = allocate_dataset(count, rows.num_features(), input.string());
    rows.read_row_list(selected, part.features.data<float>(), part.labels.data<float>());
    write_dataset(part, outputs[output].path);
    output_rows.push_back(count);
  }
  return output_rows;
}

std::vector<std::int64_t> tokenize(const std::filesystem::path& text, std::span<const SplitOutput> outputs) {
  check_fractions(outputs, "tokenize of " + text.string());
  const std::vector<std::int32_t> tokens = byte_tokens(text);
  TERN_CHECK(!tokens.empty(), "tokenize of ", text.string(), ": the file is empty");
  std::vector<std::int64_t> counts;
  std::size_t begin = 0;
  const std::vector<std::size_t> ends = part_ends(tokens.size(), outputs);
  for (std::size_t output = 0; output < outputs.size(); ++output) {
    TERN_CHECK(ends[output] > begin, "tokenize of ", text.string(), ": ", outputs[output].path.string(),
               " would get no tokens (", tokens.size(), " in all)");
    write_token_stream(std::span(tokens).subspan(begin, ends[output] - begin), kByteVocabularySize,
                       outputs[output].path);
    counts.push_back(static_cast<std::int64_t>(ends[output] - begin));
    begin = ends[output];
  }
  return counts;
}

}  // namespace tern
