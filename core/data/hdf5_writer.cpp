#include "core/data/hdf5_writer.h"

#include <algorithm>
#include <string>

#include "core/io/hdf5_handle.h"
#include "core/io/atomic_file.h"

namespace tern {

namespace {
constexpr std::int64_t kChunkBytes = 16 << 10;
constexpr unsigned kGzipLevel = 1;
}  // namespace

void write_chunked_dataset(hid_t file, const std::string& path, const char* name, int rank, std::int64_t rows,
                           std::int64_t row_values, hid_t stored_type, hid_t memory_type, const void* values) {
  const auto element_bytes = static_cast<std::int64_t>(H5Tget_size(stored_type));
  const std::int64_t chunk_rows =
      std::clamp<std::int64_t>(kChunkBytes / (row_values * element_bytes), 1, std::max<std::int64_t>(rows, 1));
  const hsize_t extents[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(row_values)};
  const hsize_t max_extents[2] = {H5S_UNLIMITED, static_cast<hsize_t>(row_values)};
  const hsize_t chunk_extents[2] = {static_cast<hsize_t>(chunk_rows), static_cast<hsize_t>(row_values)};

  const Hdf5Handle space =
      owned_hdf5(H5Screate_simple(rank, extents, max_extents), H5Sclose, path, ": cannot describe the shape of ", name);
  const Hdf5Handle creation =
      owned_hdf5(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path, ": cannot create properties for ", name);
  check_hdf5(H5Pset_chunk(creation.get(), rank, chunk_extents), path, ": cannot set the chunks of ", name);
  check_hdf5(H5Pset_deflate(creation.get(), kGzipLevel), path, ": cannot set gzip compression of ", name);
  Hdf5Handle dataset = owned_hdf5(H5Dcreate2(file, name, stored_type, space.get(), H5P_DEFAULT, creation.get(), H5P_DEFAULT),
                                  H5Dclose, path, ": cannot create dataset ", name);
  if (rows > 0)
    check_hdf5(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), path,
               ": cannot write dataset ", name);
  dataset.close(path, ": cannot close dataset ", name);
}

void write_int64_attribute(hid_t file, const std::string& path, const char* name, std::int64_t value) {
  const Hdf5Handle space = owned_hdf5(H5Screate(H5S_SCALAR), H5Sclose, path, ": cannot describe attribute ", name);
  Hdf5Handle attribute = owned_hdf5(H5Acreate2(file, name, H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                    H5Aclose, path, ": cannot create attribute ", name);
  check_hdf5(H5Awrite(attribute.get(), H5T_NATIVE_INT64, &value), path, ": cannot write attribute ", name);
  attribute.close(path, ": cannot close attribute ", name);
}

void write_hdf5(const Dataset& dataset, const std::filesystem::path& path, std::span<const float> weights) {
  check_dataset_shape(dataset);
  TERN_CHECK(weights.empty() || static_cast<std::int64_t>(weights.size()) == dataset.rows(), "cannot write ",
             path.string(), ": ", weights.size(), " weights for ", dataset.rows(), " rows");
  TERN_CHECK(dataset.num_features() > 0, "cannot write ", path.string(), ": the data set has no feature columns");
  silence_hdf5_error_printing();
  produce_file_atomically(path, [&](const std::filesystem::path& temporary) {
    const std::string name = path.string();
    Hdf5Handle file = owned_hdf5(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                                 "cannot create HDF5 file ", temporary.string());
    write_chunked_dataset(file.get(), name, "/features", 2, dataset.rows(), dataset.num_features(), H5T_IEEE_F32LE,
                          H5T_NATIVE_FLOAT, dataset.features.data<float>());
    write_chunked_dataset(file.get(), name, "/labels", 1, dataset.rows(), 1, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                          dataset.labels.data<float>());
    if (!weights.empty())
      write_chunked_dataset(file.get(), name, "/weights", 1, dataset.rows(), 1, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                            weights.data());
    write_int64_attribute(file.get(), name, "num_features", dataset.num_features());
    file.close(name, ": cannot close the HDF5 file");
  });
}

}  // namespace tern
