// Algorithms by name: `tern train --algorithm mlp` creates one here, and `tern predict` reads
// the name stored in a model folder to create the right one before loading it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/algorithms/algorithm.h"

namespace tern {

std::unique_ptr<Algorithm> make_algorithm(const std::string& name);
std::vector<std::string> algorithm_names();

// The model file inside a model folder.
std::filesystem::path model_file_path(const std::filesystem::path& model_dir);
// Writes the algorithm's model file into model_dir (created if missing).
void save_model(const Algorithm& algorithm, const std::filesystem::path& model_dir);
// Creates the algorithm named in model_dir's model file and loads it.
std::unique_ptr<Algorithm> load_model(const std::filesystem::path& model_dir);

}  // namespace tern
