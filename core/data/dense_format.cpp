#include "core/data/dense_format.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/error.h"

namespace tern {

DenseFormat dense_format_of(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".h5" || extension == ".hdf5") return DenseFormat::hdf5;
  if (extension == ".csv") return DenseFormat::csv;
  throw Error(detail::concat("unsupported data file extension '", extension, "' of ", path.string(),
                             ": expected .h5, .hdf5 or .csv"));
}

}  // namespace tern
