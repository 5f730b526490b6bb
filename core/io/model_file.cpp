#include "core/io/model_file.h"

#include <charconv>

#include <vector>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/hdf5_handle.h"

namespace tern {

namespace {

void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  Hdf5Handle type = owned_hdf5(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check_hdf5(H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)), "string size");
  Hdf5Handle space = owned_hdf5(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Hdf5Handle attribute = owned_hdf5(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                    H5Aclose, "create attribute ", name);
  check_hdf5(H5Awrite(attribute.get(), type.get(), value.c_str()), "write attribute ", name);
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  Hdf5Handle attribute = owned_hdf5(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute ", name);
  Hdf5Handle type = owned_hdf5(H5Aget_type(attribute.get()), H5Tclose, "type of attribute ", name);
  std::string value(H5Tget_size(type.get()), '\0');
  check_hdf5(H5Aread(attribute.get(), type.get(), value.data()), "read attribute ", name);
  return value.substr(0, value.find('\0'));
}

Tensor read_float_dataset(hid_t file, const char* name) {
  Hdf5Handle dataset = owned_hdf5(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose, "open dataset ", name);
  Hdf5Handle space = owned_hdf5(H5Dget_space(dataset.get()), H5Sclose, "space of ", name);
  const int rank = check_hdf5(H5Sget_simple_extent_ndims(space.get()), "rank of ", name);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check_hdf5(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "extent of ", name);
  Tensor tensor = Tensor::empty(Shape(dims.begin(), dims.end()));
  check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data<float>()),
             "read dataset ", name);
  return tensor;
}

// H5Ovisit callback: reads every dataset below the root into the model's tensors.
struct VisitState {
  ModelFile* model;
  std::string error;
};

herr_t visit_object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
  auto* state = static_cast<VisitState*>(data);
  if (info->type != H5O_TYPE_DATASET) return 0;
  try {
    state->model->tensors.emplace(name, read_float_dataset(root, name));
  } catch (const Error& error) {
    state->error = error.what();
    return -1;
  }
  return 0;
}

}  // namespace

const Tensor& ModelFile::tensor(const std::string& name) const {
  const auto found = tensors.find(name);
  TERN_CHECK(found != tensors.end(), "model file has no tensor '", name, "' (algorithm ", algorithm, ")");
  return found->second;
}

nlohmann::json exact_double(double value) {
  char text[64];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  TERN_CHECK(error == std::errc(), "cannot write ", value, " as text");
  return std::string(text, end);
}

double exact_double(const nlohmann::json& attribute) {
  const std::string text = attribute.get<std::string>();
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  TERN_CHECK(error == std::errc() && end == text.data() + text.size(), "'", text, "' is not a number");
  return value;
}

void write_model_file(const ModelFile& model, const std::filesystem::path& path) {
  silence_hdf5_error_printing();
  produce_file_atomically(path, [&](const std::filesystem::path& temporary) {
    Hdf5Handle file = owned_hdf5(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                                 "create ", temporary.string());
    write_string_attribute(file.get(), "algorithm", model.algorithm);
    for (const auto& [key, value] : model.attributes.items()) write_string_attribute(file.get(), key, value.dump());
    Hdf5Handle link_properties = owned_hdf5(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "link properties");
    check_hdf5(H5Pset_create_intermediate_group(link_properties.get(), 1), "intermediate groups");
    for (const auto& [name, tensor] : model.tensors) {
      const std::vector<hsize_t> dims(tensor.shape().begin(), tensor.shape().end());
      Hdf5Handle space = owned_hdf5(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                                    "space of ", name);
      Hdf5Handle dataset = owned_hdf5(H5Dcreate2(file.get(), name.c_str(), H5T_IEEE_F32LE, space.get(),
                                                 link_properties.get(), H5P_DEFAULT, H5P_DEFAULT),
                                      H5Dclose, "create dataset ", name);
      check_hdf5(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data<float>()),
                 "write dataset ", name);
    }
    file.close("close ", temporary.string());
  });
}

ModelFile read_model_file(const std::filesystem::path& path) {
  TERN_CHECK(std::filesystem::exists(path), "no such model file: ", path.string());
  silence_hdf5_error_printing();
  Hdf5Handle file = owned_hdf5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open ", path.string());
  TERN_CHECK(H5Aexists(file.get(), "algorithm") > 0, path.string(),
             " is not a Tern model file (no 'algorithm' attribute)");
  ModelFile model;
  model.algorithm = read_string_attribute(file.get(), "algorithm");
  H5O_info_t root_info;
  check_hdf5(H5Oget_info2(file.get(), &root_info, H5O_INFO_NUM_ATTRS), "attributes of ", path.string());
  for (hsize_t i = 0; i < root_info.num_attrs; ++i) {
    char name[256];
    check_hdf5(H5Aget_name_by_idx(file.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT),
               "attribute name in ", path.string());
    if (std::string(name) != "algorithm") model.attributes[name] = nlohmann::json::parse(read_string_attribute(file.get(), name));
  }
  VisitState state{&model, {}};
  const herr_t status = H5Ovisit2(file.get(), H5_INDEX_NAME, H5_ITER_INC, visit_object, &state, H5O_INFO_BASIC);
  TERN_CHECK(status >= 0 && state.error.empty(), "reading model file ", path.string(), ": ", state.error);
  return model;
}

}  // namespace tern
