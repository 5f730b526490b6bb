// The first check of every reader: the input path names an existing regular file. One message,
// "no such file: <path>", whatever the format, so a typo in a channel path reads the same.
#pragma once

#include <filesystem>

#include "core/error.h"

namespace tern {

inline void check_input_file(const std::filesystem::path& path) {
  std::error_code error;
  TERN_CHECK(std::filesystem::exists(path, error), "no such file: ", path.string());
  TERN_CHECK(!std::filesystem::is_directory(path, error), path.string(), " is a directory, not a data file");
}

}  // namespace tern
