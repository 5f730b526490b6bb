// write_hdf5: a Dataset as the HDF5 dense layout of DESIGN §3 (`/features` f32 [N, D],
// `/labels` f32 [N], root attribute `num_features`), readable by Hdf5DenseReader and h5py.
// Datasets are chunked in blocks of about 64 KiB (small enough that gathering shuffled rows
// decompresses little) and gzip level 1 compressed; the row dimension is unlimited so that
// files can be appended to. The file appears atomically (produce_file_atomically).
#pragma once

#include <filesystem>

#include "core/data/dataset.h"

namespace tern {

void write_hdf5(const Dataset& dataset, const std::filesystem::path& path);

}  // namespace tern
