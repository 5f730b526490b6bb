#include "core/data/sparse_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/data/dense_reader.h"
#include "core/data/hdf5_writer.h"
#include "core/data/input_file.h"
#include "core/io/atomic_file.h"
#include "core/io/hdf5_handle.h"

namespace tern {

namespace {

bool has_extension(const std::filesystem::path& path, std::initializer_list<const char*> extensions) {
  const std::string extension = path.extension().string();
  return std::any_of(extensions.begin(), extensions.end(), [&](const char* e) { return extension == e; });
}

bool is_libsvm(const std::filesystem::path& path) { return has_extension(path, {".libsvm", ".svm"}); }

// Parses the number at the front of `text`, which must be all of it.
template <typename Number>
Number parse_whole(std::string_view text, const std::string& where) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  TERN_CHECK(error == std::errc() && end == text.data() + text.size(), where, ": cannot read '", text, "' as a number");
  return value;
}

// Calls visit(line_number, row) for each row of a libsvm file, in order, parsed.
template <typename Visit>
void for_each_libsvm_row(const std::filesystem::path& path, Visit visit) {
  check_input_file(path);
  std::ifstream in(path);
  TERN_CHECK(in, "cannot open ", path.string());
  std::string line;
  std::vector<std::int64_t> indices;
  std::vector<float> values;
  for (std::int64_t line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path.string() + " line " + std::to_string(line_number);
    std::istringstream fields(line);
    std::string field;
    fields >> field;
    const float label = parse_whole<float>(field, where);
    indices.clear();
    values.clear();
    while (fields >> field) {
      const auto colon = field.find(':');
      TERN_CHECK(colon != std::string::npos, where, ": '", field, "' is not index:value");
      const auto index = parse_whole<std::int64_t>(std::string_view(field).substr(0, colon), where);
      TERN_CHECK(index >= 1, where, ": feature index ", index, " (libsvm indices start at 1)");
      TERN_CHECK(indices.empty() || index - 1 > indices.back(), where, ": feature indices must ascend (", index,
                 " after ", indices.empty() ? 0 : indices.back() + 1, ")");
      indices.push_back(index - 1);
      values.push_back(parse_whole<float>(std::string_view(field).substr(colon + 1), where));
    }
    visit(line_number, label, indices, values);
  }
}

// A 1-D dataset of an HDF5 CSR file.
class Hdf5Vector {
 public:
  Hdf5Vector(hid_t file, const std::string& path, const char* name) : path_(path), name_(name) {
    const htri_t exists = check_hdf5(H5Lexists(file, name, H5P_DEFAULT), path, ": cannot look up ", name);
    TERN_CHECK(exists > 0, path, ": no dataset ", name,
               " (a sparse HDF5 file holds /indptr, /indices, /values, /labels and num_features)");
    dataset_ = owned_hdf5(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose, path, ": cannot open dataset ", name);
    const Hdf5Handle space = owned_hdf5(H5Dget_space(dataset_.get()), H5Sclose, path, ": cannot read the shape of ", name);
    TERN_CHECK(H5Sget_simple_extent_ndims(space.get()) == 1, path, ": dataset ", name, " must have one dimension");
    hsize_t extent = 0;
    check_hdf5(H5Sget_simple_extent_dims(space.get(), &extent, nullptr), path, ": cannot read the extent of ", name);
    size_ = static_cast<std::int64_t>(extent);
  }
  std::int64_t size() const { return size_; }

  // Elements [begin, end) as `memory_type` (H5T_NATIVE_INT64 or H5T_NATIVE_FLOAT).
  template <typename T>
  std::vector<T> read(std::int64_t begin, std::int64_t end, hid_t memory_type) const {
    std::vector<T> values(static_cast<std::size_t>(end - begin));
    if (values.empty()) return values;
    const hsize_t start = static_cast<hsize_t>(begin), count = static_cast<hsize_t>(end - begin);
    const Hdf5Handle file_space = owned_hdf5(H5Dget_space(dataset_.get()), H5Sclose, path_, ": shape of ", name_);
    check_hdf5(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), path_,
               ": cannot select [", begin, ", ", end, ") of ", name_);
    const Hdf5Handle memory_space = owned_hdf5(H5Screate_simple(1, &count, nullptr), H5Sclose, path_, ": buffer");
    check_hdf5(H5Dread(dataset_.get(), memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, values.data()),
               path_, ": cannot read [", begin, ", ", end, ") of ", name_);
    return values;
  }

 private:
  std::string path_;
  const char* name_;
  Hdf5Handle dataset_;
  std::int64_t size_ = 0;
};

struct Hdf5Csr {
  Hdf5Handle file;
  std::int64_t rows = 0, features = 0, nnz = 0;
};

Hdf5Csr open_hdf5_csr(const std::filesystem::path& path) {
  check_input_file(path);
  silence_hdf5_error_printing();
  Hdf5Csr csr;
  csr.file = owned_hdf5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open HDF5 file ",
                        path.string());
  const std::string name = path.string();
  const Hdf5Vector indptr(csr.file.get(), name, "/indptr"), labels(csr.file.get(), name, "/labels");
  TERN_CHECK(indptr.size() == labels.size() + 1, name, ": /indptr has ", indptr.size(), " entries for ",
             labels.size(), " rows (it needs rows + 1)");
  csr.rows = labels.size();
  csr.nnz = Hdf5Vector(csr.file.get(), name, "/indices").size();
  TERN_CHECK(H5Aexists(csr.file.get(), "num_features") > 0, name, ": no root attribute num_features");
  const Hdf5Handle attribute =
      owned_hdf5(H5Aopen(csr.file.get(), "num_features", H5P_DEFAULT), H5Aclose, name, ": attribute num_features");
  check_hdf5(H5Aread(attribute.get(), H5T_NATIVE_INT64, &csr.features), name, ": cannot read num_features");
  return csr;
}

}  // namespace

bool is_sparse_file(const std::filesystem::path& path) {
  if (is_libsvm(path)) return true;
  if (!has_extension(path, {".h5", ".hdf5"}) || !std::filesystem::exists(path)) return false;
  silence_hdf5_error_printing();
  const Hdf5Handle file =
      owned_hdf5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open HDF5 file ", path.string());
  return check_hdf5(H5Lexists(file.get(), "/indptr", H5P_DEFAULT), path.string(), ": cannot look up /indptr") > 0;
}

SparseShape sparse_file_shape(const std::filesystem::path& path) {
  SparseShape shape;
  if (is_libsvm(path)) {
    for_each_libsvm_row(path, [&](std::int64_t, float, const std::vector<std::int64_t>& indices, const std::vector<float>&) {
      ++shape.rows;
      shape.nnz += static_cast<std::int64_t>(indices.size());
      if (!indices.empty()) shape.features = std::max(shape.features, indices.back() + 1);
    });
    return shape;
  }
  const Hdf5Csr csr = open_hdf5_csr(path);
  return {csr.rows, csr.features, csr.nnz};
}

SparseRows load_sparse(const std::filesystem::path& path, std::int64_t row_begin, std::int64_t row_end,
                       std::int64_t features) {
  SparseRows rows;
  rows.source = path.string();
  rows.first_row = row_begin;
  std::int64_t largest = 0;
  if (is_libsvm(path)) {
    std::int64_t row = 0;
    for_each_libsvm_row(path, [&](std::int64_t, float label, const std::vector<std::int64_t>& indices,
                                  const std::vector<float>& values) {
      if (!indices.empty()) largest = std::max(largest, indices.back() + 1);
      if (row >= row_begin && (row_end < 0 || row < row_end)) rows.add_row(label, indices, values);
      ++row;
    });
    TERN_CHECK(row_end <= row, path.string(), ": rows [", row_begin, ", ", row_end, ") of ", row);
    rows.num_features = largest;
  } else {
    const Hdf5Csr csr = open_hdf5_csr(path);
    const std::string name = path.string();
    if (row_end < 0) row_end = csr.rows;
    TERN_CHECK(0 <= row_begin && row_begin <= row_end && row_end <= csr.rows, name, ": rows [", row_begin, ", ",
               row_end, ") of ", csr.rows);
    rows.offsets = Hdf5Vector(csr.file.get(), name, "/indptr").read<std::int64_t>(row_begin, row_end + 1, H5T_NATIVE_INT64);
    const std::int64_t first = rows.offsets.front(), last = rows.offsets.back();
    TERN_CHECK(0 <= first && first <= last && last <= csr.nnz && std::is_sorted(rows.offsets.begin(), rows.offsets.end()),
               name, ": /indptr is not a non-decreasing list of positions in /indices");
    for (std::int64_t& offset : rows.offsets) offset -= first;
    rows.indices = Hdf5Vector(csr.file.get(), name, "/indices").read<std::int64_t>(first, last, H5T_NATIVE_INT64);
    rows.values = Hdf5Vector(csr.file.get(), name, "/values").read<float>(first, last, H5T_NATIVE_FLOAT);
    rows.labels = Hdf5Vector(csr.file.get(), name, "/labels").read<float>(row_begin, row_end, H5T_NATIVE_FLOAT);
    rows.num_features = csr.features;
    for (std::int64_t r = 0; r < rows.rows(); ++r) {
      const auto indices = rows.row_indices(r);
      for (std::size_t i = 0; i < indices.size(); ++i) {
        TERN_CHECK(indices[i] >= 0 && indices[i] < csr.features && (i == 0 || indices[i] > indices[i - 1]), name,
                   " row ", row_begin + r + 1, ": feature index ", indices[i], " out of order or outside [0, ",
                   csr.features, ")");
      }
    }
    largest = csr.features;
  }
  if (features > 0) {
    TERN_CHECK(largest <= features, path.string(), ": feature index ", largest, " is beyond the ", features,
               " features given");
    rows.num_features = features;
  }
  for (std::int64_t r = 0; r < rows.rows(); ++r) {
    TERN_CHECK(std::isfinite(rows.labels[static_cast<std::size_t>(r)]), path.string(), " row ", row_begin + r + 1,
               ": label is not a finite number");
  }
  for (const float value : rows.values) TERN_CHECK(std::isfinite(value), path.string(), ": a value is not finite");
  return rows;
}

SparseRows to_sparse(const Dataset& dense) {
  SparseRows rows;
  rows.num_features = dense.num_features();
  rows.source = dense.source;
  rows.first_row = dense.first_row;
  std::vector<std::int64_t> indices;
  std::vector<float> values;
  for (std::int64_t r = 0; r < dense.rows(); ++r) {
    indices.clear();
    values.clear();
    for (std::int64_t f = 0; f < dense.num_features(); ++f) {
      const float value = dense.features.data<float>()[r * dense.num_features() + f];
      if (value != 0.0f) {
        indices.push_back(f);
        values.push_back(value);
      }
    }
    rows.add_row(dense.labels.data<float>()[r], indices, values);
  }
  return rows;
}

SparseRows load_as_sparse(const std::filesystem::path& path, std::int64_t row_begin, std::int64_t row_end,
                          std::int64_t features) {
  if (is_sparse_file(path)) return load_sparse(path, row_begin, row_end, features);
  const Dataset dense = load_dataset(path, row_begin, row_end);
  TERN_CHECK(features == 0 || dense.num_features() <= features, path.string(), " has ", dense.num_features(),
             " features, more than the ", features, " expected");
  SparseRows rows = to_sparse(dense);
  if (features > 0) rows.num_features = features;
  return rows;
}

void write_sparse(const SparseRows& rows, const std::filesystem::path& path) {
  if (is_libsvm(path)) {
    std::ostringstream text;
    text.precision(9);
    for (std::int64_t r = 0; r < rows.rows(); ++r) {
      text << rows.labels[static_cast<std::size_t>(r)];
      const auto indices = rows.row_indices(r);
      const auto values = rows.row_values(r);
      for (std::size_t i = 0; i < indices.size(); ++i) text << ' ' << indices[i] + 1 << ':' << values[i];
      text << '\n';
    }
    write_file_atomically(path, text.str());
    return;
  }
  TERN_CHECK(has_extension(path, {".h5", ".hdf5"}), "cannot write sparse rows to ", path.string(),
             ": the extension must be .libsvm, .svm, .h5 or .hdf5");
  silence_hdf5_error_printing();
  produce_file_atomically(path, [&](const std::filesystem::path& temporary) {
    const std::string name = path.string();
    Hdf5Handle file = owned_hdf5(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                                 "cannot create HDF5 file ", temporary.string());
    write_chunked_dataset(file.get(), name, "/indptr", 1, rows.rows() + 1, 1, H5T_STD_I64LE, H5T_NATIVE_INT64,
                          rows.offsets.data());
    write_chunked_dataset(file.get(), name, "/indices", 1, rows.nnz(), 1, H5T_STD_I64LE, H5T_NATIVE_INT64,
                          rows.indices.data());
    write_chunked_dataset(file.get(), name, "/values", 1, rows.nnz(), 1, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                          rows.values.data());
    write_chunked_dataset(file.get(), name, "/labels", 1, rows.rows(), 1, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                          rows.labels.data());
    write_int64_attribute(file.get(), name, "num_features", rows.num_features);
    file.close(name, ": cannot close the HDF5 file");
  });
}

}  // namespace tern
