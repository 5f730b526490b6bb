#include "core/data/csv_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <span>
#include <string_view>

#include "core/data/input_file.h"

namespace tern {

namespace {
std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::size_t count_fields(std::string_view line) {
  return 1 + static_cast<std::size_t>(std::count(line.begin(), line.end(), ','));
}

// A field's value: NaN when missing (empty or "nan"), nullopt when it is not a float.
std::optional<float> parse_field(std::string_view field) {
  field = trim(field);
  if (field.empty()) return std::nanf("");
  if (field.size() > 1 && field[0] == '+' && field[1] != '-' && field[1] != '+') field.remove_prefix(1);
  float value = 0.0f;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

// What is wrong with a line: the 1-based field and a description.
struct FieldError {
  std::size_t field;
  std::string description;
};

// Parses the fields of `line` into `values`, which has room for exactly the expected number.
std::optional<FieldError> parse_line(std::string_view line, std::span<float> values) {
  const std::size_t field_count = count_fields(line);
  if (field_count != values.size())
    return FieldError{std::min(field_count, values.size()) + 1,
                      detail::concat("row has ", field_count, " fields, expected ", values.size(),
                                     " (the field count of the first row)")};
  for (std::size_t field = 0; field < field_count; ++field) {
    const std::size_t comma = line.find(',');
    const std::string_view text = line.substr(0, comma);
    const std::optional<float> value = parse_field(text);
    if (!value) return FieldError{field + 1, detail::concat("'", trim(text), "' is not a number")};
    values[field] = *value;
    line.remove_prefix(comma == std::string_view::npos ? line.size() : comma + 1);
  }
  return std::nullopt;
}

bool is_blank(std::string_view line) { return trim(line).empty(); }
}  // namespace

CsvDenseReader::CsvDenseReader(const std::filesystem::path& path) : path_(path.string()) {
  check_input_file(path);
  file_.open(path, std::ios::binary);
  TERN_CHECK(file_.is_open(), "cannot open ", path_);

  std::string line;
  std::int64_t offset = 0;
  std::int64_t first_row_line = 0;
  for (std::int64_t line_number = 1; std::getline(file_, line); ++line_number) {
    const std::int64_t line_offset = offset;
    offset += static_cast<std::int64_t>(line.size()) + (file_.eof() ? 0 : 1);
    if (is_blank(line)) continue;
    if (row_offsets_.empty()) {
      first_row_line = line_number;
      row_values_.resize(count_fields(line));
      TERN_CHECK(row_values_.size() >= 2, path_, ", line ", line_number,
                 ": a row needs a label and at least one feature, separated by commas");
    }
    if (const std::optional<FieldError> error = parse_line(line, row_values_))
      throw Error(detail::concat(
          path_, ", line ", line_number, ", field ", error->field, ": ", error->description,
          line_number == first_row_line ? " (CSV files have no header: label first, then features)" : ""));
    row_offsets_.push_back(line_offset);
  }
  TERN_CHECK(!file_.bad(), "reading ", path_, " failed");
  TERN_CHECK(!row_offsets_.empty(), path_, " has no rows");
  num_features_ = static_cast<std::int64_t>(row_values_.size()) - 1;
}

void CsvDenseReader::read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) {
  file_.clear();
  file_.seekg(row_offsets_[static_cast<std::size_t>(begin)]);
  std::string line;
  for (std::int64_t row = begin; row < end;) {
    TERN_CHECK(std::getline(file_, line), path_, ": ended before row ", row,
               " (0-based); the file changed after it was opened");
    if (is_blank(line)) continue;
    if (const std::optional<FieldError> error = parse_line(line, row_values_))
      throw Error(detail::concat(path_, ", row ", row, " (0-based), field ", error->field, ": ", error->description,
                                 "; the file changed after it was opened"));
    labels[row - begin] = row_values_[0];
    std::copy(row_values_.begin() + 1, row_values_.end(), features + (row - begin) * num_features_);
    ++row;
  }
}

}  // namespace tern
