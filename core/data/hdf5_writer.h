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

#include <hdf5.h>

#include <filesystem>
#include <span>
#include <string>

#include "core/data/dataset.h"

namespace tern {

// Sample weights [rows], when given, go to /weights.
void write_hdf5(const Dataset& dataset, const std::filesystem::path& path, std::span<const float> weights = {});

// The pieces, shared with the other HDF5 layouts (token streams). `path` names the file in
// messages. Creates dataset `name` of rank 1 or 2, extents {rows, row_values} (rows
// unlimited), stored as `stored_type` in gzip-compressed chunks of about 16 KiB, and writes
// `values`, held in memory as `memory_type`.
void write_chunked_dataset(hid_t file, const std::string& path, const char* name, int rank, std::int64_t rows,
                           std::int64_t row_values, hid_t stored_type, hid_t memory_type, const void* values);
void write_int64_attribute(hid_t file, const std::string& path, const char* name, std::int64_t value);

}  // namespace tern
