// write_dataset: writes a Dataset in the format its path's extension names (.h5 / .hdf5 or
// .csv, see dense_format.h), the writing counterpart of open_dense_reader.
#pragma once

#include <filesystem>

#include "core/data/dataset.h"

namespace tern {

void write_dataset(const Dataset& dataset, const std::filesystem::path& path);

}  // namespace tern
