// Which dense file format a path names, from its extension: the one place that maps
// extensions to formats, shared by open_dense_reader, write_dataset and the `tern data` tools.
#pragma once

#include <filesystem>

namespace tern {

enum class DenseFormat { hdf5, csv };

// .h5 / .hdf5 -> hdf5, .csv -> csv (any letter case); any other extension is an error naming the path.
DenseFormat dense_format_of(const std::filesystem::path& path);

}  // namespace tern
