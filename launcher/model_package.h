// model.tar.gz: a trained model packaged to be moved, stored and served as one file, like the
// model artifact of a managed training service. A gzip-compressed tar (no links, no folders
// outside it) of:
//   model/model.h5         the model folder (core/io/model_file.h)
//   hyperparameters.json   the hyperparameters as resolved (defaults included)
//   metrics.json           {"final": {name: {"value", "step", "epoch"}}}: the last value of
//                          each metric in metrics.jsonl (test metrics included)
//   manifest.json          the first entry: {"format": 1, "algorithm": ..., "created_epoch_s": ...,
//                           "files": {"model/model.h5": {"bytes": B, "crc32": C}, ...}}
// It is written at the end of every successful `tern train` and by `tern package <job>`;
// `tern predict`, `evaluate` and `generate` take it wherever they take a model folder. Reading
// checks every entry against the manifest (listed, of its size and checksum), and refuses
// links, devices, absolute paths and "..".
#pragma once

#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/algorithms/algorithm.h"

namespace tern {

// Writes `package` atomically from a job folder with a model, given its job.json description.
void write_model_package(const std::filesystem::path& job, const nlohmann::json& description,
                         const std::filesystem::path& package);

// The algorithm of a model folder, or of a model.tar.gz (unpacked into a temporary folder,
// checked against its manifest, and removed once loaded).
std::unique_ptr<Algorithm> load_model_or_package(const std::filesystem::path& model);

}  // namespace tern
