// write_csv: a Dataset as CSV in the convention CsvDenseReader reads (label first, no header).
// Numbers are written in the shortest form that reads back to the same float (std::to_chars),
// so CSV -> HDF5 -> CSV is bit-exact; missing values are written as "nan". The file appears
// atomically (produce_file_atomically).
#pragma once

#include <filesystem>

#include "core/data/dataset.h"

namespace tern {

void write_csv(const Dataset& dataset, const std::filesystem::path& path);

}  // namespace tern
