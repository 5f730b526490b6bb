#include "core/data/hdf5_reader.h"

#include "core/data/input_file.h"

namespace tern {

namespace {
constexpr std::size_t kChunkCacheBytes = std::size_t{32} << 20;
constexpr std::size_t kChunkCacheSlots = 20011;  // a prime, ~10x the 16 KiB chunks that fit
}  // namespace

Hdf5DenseReader::Hdf5DenseReader(const std::filesystem::path& path) : path_(path.string()) {
  check_input_file(path);
  silence_hdf5_error_printing();
  file_ = owned_hdf5(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open HDF5 file ", path_);

  hsize_t feature_extents[2] = {0, 0};
  hsize_t label_extents[1] = {0};
  features_ = open_numeric_dataset("/features", 2, feature_extents);
  labels_ = open_numeric_dataset("/labels", 1, label_extents);
  TERN_CHECK(feature_extents[0] == label_extents[0], path_, ": /features has ", feature_extents[0],
             " rows but /labels has ", label_extents[0]);
  TERN_CHECK(feature_extents[1] > 0, path_, ": /features has no feature columns");
  num_rows_ = static_cast<std::int64_t>(feature_extents[0]);
  num_features_ = static_cast<std::int64_t>(feature_extents[1]);
  if (check_hdf5(H5Lexists(file_.get(), "/weights", H5P_DEFAULT), path_, ": cannot look up /weights") > 0) {
    hsize_t weight_extents[1] = {0};
    weights_ = open_numeric_dataset("/weights", 1, weight_extents);
    TERN_CHECK(weight_extents[0] == feature_extents[0], path_, ": /weights has ", weight_extents[0],
               " rows but /features has ", feature_extents[0]);
  }
}

Hdf5Handle Hdf5DenseReader::open_numeric_dataset(const char* name, int rank, hsize_t* extents) {
  const htri_t exists = check_hdf5(H5Lexists(file_.get(), name, H5P_DEFAULT), path_, ": cannot look up ", name);
  TERN_CHECK(exists > 0, path_, ": no dataset ", name, " (a dense HDF5 file holds /features [N, D] and /labels [N])");

  const Hdf5Handle access =
      owned_hdf5(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, path_, ": cannot create properties for ", name);
  check_hdf5(H5Pset_chunk_cache(access.get(), kChunkCacheSlots, kChunkCacheBytes, H5D_CHUNK_CACHE_W0_DEFAULT), path_,
             ": cannot set the chunk cache of ", name);
  Hdf5Handle dataset =
      owned_hdf5(H5Dopen2(file_.get(), name, access.get()), H5Dclose, path_, ": cannot open dataset ", name);

  const Hdf5Handle type = owned_hdf5(H5Dget_type(dataset.get()), H5Tclose, path_, ": cannot read the type of ", name);
  const H5T_class_t type_class = H5Tget_class(type.get());
  check_hdf5(type_class, path_, ": cannot read the type class of ", name);
  TERN_CHECK(type_class == H5T_INTEGER || type_class == H5T_FLOAT, path_, ": dataset ", name,
             " does not hold numbers (HDF5 type class ", static_cast<int>(type_class), ")");

  const Hdf5Handle space =
      owned_hdf5(H5Dget_space(dataset.get()), H5Sclose, path_, ": cannot read the shape of ", name);
  const int stored_rank =
      check_hdf5(H5Sget_simple_extent_ndims(space.get()), path_, ": cannot read the rank of ", name);
  TERN_CHECK(stored_rank == rank, path_, ": dataset ", name, " has ", stored_rank, " dimensions, expected ", rank);
  check_hdf5(H5Sget_simple_extent_dims(space.get(), extents, nullptr), path_, ": cannot read the extents of ", name);
  return dataset;
}

void Hdf5DenseReader::read_hyperslab(const Hdf5Handle& dataset, const char* name, int rank, std::int64_t begin,
                                     std::int64_t end, float* values) {
  const hsize_t start[2] = {static_cast<hsize_t>(begin), 0};
  const hsize_t count[2] = {static_cast<hsize_t>(end - begin), static_cast<hsize_t>(num_features_)};
  const Hdf5Handle file_space =
      owned_hdf5(H5Dget_space(dataset.get()), H5Sclose, path_, ": cannot read the shape of ", name);
  check_hdf5(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), path_,
             ": cannot select rows [", begin, ", ", end, ") of ", name);
  const Hdf5Handle memory_space =
      owned_hdf5(H5Screate_simple(rank, count, nullptr), H5Sclose, path_, ": cannot describe a buffer for ", name);
  check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT, values), path_,
             ": cannot read rows [", begin, ", ", end, ") of ", name);
}

void Hdf5DenseReader::read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) {
  silence_hdf5_error_printing();
  read_hyperslab(features_, "/features", 2, begin, end, features);
  read_hyperslab(labels_, "/labels", 1, begin, end, labels);
}

void Hdf5DenseReader::read_weights(std::int64_t begin, std::int64_t end, float* weights) {
  if (!has_weights()) DenseReader::read_weights(begin, end, weights);
  TERN_CHECK(begin >= 0 && begin <= end && end <= num_rows_, path_, ": weights of rows [", begin, ", ", end,
             ") outside its ", num_rows_, " rows");
  silence_hdf5_error_printing();
  if (begin < end) read_hyperslab(weights_, "/weights", 1, begin, end, weights);
}

}  // namespace tern
