#include "core/data/dense_reader.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/data/csv_reader.h"
#include "core/data/dense_format.h"
#include "core/data/hdf5_reader.h"
#include "core/data/input_file.h"

namespace tern {

namespace {
void check_row_range(const DenseReader& reader, std::int64_t begin, std::int64_t end) {
  TERN_CHECK(0 <= begin && begin <= end && end <= reader.num_rows(), "rows [", begin, ", ", end, ") out of range for ",
             reader.source(), " with ", reader.num_rows(), " rows");
}
}  // namespace

void DenseReader::read_rows(std::int64_t begin, std::int64_t end, float* features, float* labels) {
  check_row_range(*this, begin, end);
  if (begin < end) read_range(begin, end, features, labels);
}

void DenseReader::read_row_list(std::span<const std::int64_t> rows, float* features, float* labels) {
  for (std::int64_t row : rows)
    TERN_CHECK(0 <= row && row < num_rows(), "row ", row, " out of range for ", source(), " with ", num_rows(),
               " rows");
  if (!rows.empty()) gather_rows(rows, features, labels);
}

void DenseReader::read_weights(std::int64_t, std::int64_t, float*) {
  throw Error(source() + ": holds no sample weights (an HDF5 dense file may hold /weights [N])");
}

void DenseReader::gather_rows(std::span<const std::int64_t> rows, float* features, float* labels) {
  const auto row_values = static_cast<std::size_t>(num_features());
  std::vector<std::size_t> by_row(rows.size());
  std::iota(by_row.begin(), by_row.end(), 0);
  std::sort(by_row.begin(), by_row.end(), [&](std::size_t a, std::size_t b) { return rows[a] < rows[b]; });

  // distinct_rows[slot] is the file row read into slot `slot` of the staging buffers.
  std::vector<std::int64_t> distinct_rows;
  std::vector<std::size_t> slot_of_position(rows.size());
  for (std::size_t position : by_row) {
    if (distinct_rows.empty() || distinct_rows.back() != rows[position]) distinct_rows.push_back(rows[position]);
    slot_of_position[position] = distinct_rows.size() - 1;
  }

  std::vector<float> staged_features(distinct_rows.size() * row_values);
  std::vector<float> staged_labels(distinct_rows.size());
  for (std::size_t run_begin = 0; run_begin < distinct_rows.size();) {
    std::size_t run_end = run_begin + 1;
    while (run_end < distinct_rows.size() && distinct_rows[run_end] == distinct_rows[run_end - 1] + 1) ++run_end;
    read_range(distinct_rows[run_begin], distinct_rows[run_end - 1] + 1,
               staged_features.data() + run_begin * row_values, staged_labels.data() + run_begin);
    run_begin = run_end;
  }

  for (std::size_t position = 0; position < rows.size(); ++position) {
    const std::size_t slot = slot_of_position[position];
    std::copy_n(staged_features.data() + slot * row_values, row_values, features + position * row_values);
    labels[position] = staged_labels[slot];
  }
}

std::unique_ptr<DenseReader> open_dense_reader(const std::filesystem::path& path) {
  check_input_file(path);  // a missing file is reported as such, whatever its extension
  switch (dense_format_of(path)) {
    case DenseFormat::hdf5: return std::make_unique<Hdf5DenseReader>(path);
    case DenseFormat::csv: return std::make_unique<CsvDenseReader>(path);
  }
  throw Error(detail::concat("unhandled data format of ", path.string()));
}

Dataset read_dataset(DenseReader& reader, std::int64_t row_begin, std::int64_t row_end) {
  check_row_range(reader, row_begin, row_end);
  Dataset dataset = allocate_dataset(row_end - row_begin, reader.num_features(), reader.source(), row_begin);
  reader.read_rows(row_begin, row_end, dataset.features.data<float>(), dataset.labels.data<float>());
  return dataset;
}

Dataset load_dataset(const std::filesystem::path& path, std::int64_t row_begin, std::int64_t row_end) {
  const std::unique_ptr<DenseReader> reader = open_dense_reader(path);
  return read_dataset(*reader, row_begin, row_end == -1 ? reader->num_rows() : row_end);
}

}  // namespace tern
