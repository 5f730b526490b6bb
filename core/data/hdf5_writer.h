// write_hdf5: a Dataset as the HDF5 dense layout of DESIGN §3 (`/features` f32 [N, D],
// `/labels` f32 [N], root attribute `num_features`), readable by Hdf5DenseReader and h5py.
// Datasets are gzip level 1 compressed in chunks of about 16 KiB (at least one row). The chunk
// size trades two costs measured on Fashion-MNIST (60000 x 784): pipe mode gathers shuffled
// rows one at a time and each decompresses its whole chunk (a pipe epoch: 1.8 s with 4 KiB
// chunks, 4.2 s with 16 KiB, 9.7 s with 64 KiB), while HDF5 sets up a fresh zlib state for
// every chunk written (writing: 19 s with 4 KiB chunks, 6.5 s with 16 KiB, 3.9 s with 64 KiB).
// The row dimension is unlimited so that files can be appended to. The file appears atomically
// (produce_file_atomically).
#pragma once

#include <filesystem>

#include "core/data/dataset.h"

namespace tern {

void write_hdf5(const Dataset& dataset, const std::filesystem::path& path);

}  // namespace tern
