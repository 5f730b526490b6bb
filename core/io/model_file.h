// The model file (model.h5): one HDF5 dataset per tensor ("parameters/fc1.weight",
// "normalization/mean", ...), f32 with the tensor's shape, and string attributes on the root
// group: "algorithm" and one attribute per architecture or hyperparameter entry, each holding
// the entry's JSON text. h5py reads it directly:
//   f = h5py.File("model.h5"); f["parameters/fc1.weight"][:]; json.loads(f.attrs["hidden_sizes"])
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/tensor/tensor.h"

namespace tern {

struct ModelFile {
  std::string algorithm;
  nlohmann::json attributes = nlohmann::json::object();
  std::map<std::string, Tensor> tensors;

  const Tensor& tensor(const std::string& name) const;
};

// An attribute that must give back exactly the double it was given, NaN and infinities too
// (JSON numbers cannot hold them): its shortest round-trip text, e.g. "0.1", "inf", "nan".
nlohmann::json exact_double(double value);
double exact_double(const nlohmann::json& attribute);

// Writes atomically (temporary file, fsync, rename).
void write_model_file(const ModelFile& model, const std::filesystem::path& path);
ModelFile read_model_file(const std::filesystem::path& path);

}  // namespace tern
