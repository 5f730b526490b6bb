#include "core/io/model_file.h"

#include <hdf5.h>

#include <vector>

#include "core/error.h"
#include "core/io/atomic_file.h"

namespace tern {

namespace {
// Owns an HDF5 handle and closes it with the matching H5*close.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    TERN_CHECK(id >= 0, "HDF5: ", what, " failed");
  }
  ~Handle() { close_(id_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void check(herr_t status, const std::string& what) { TERN_CHECK(status >= 0, "HDF5: ", what, " failed"); }

void write_string_attribute(hid_t group, const std::string& name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type, std::max<std::size_t>(value.size(), 1)), "string size");
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Handle attribute(H5Acreate2(group, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create attribute " + name);
  check(H5Awrite(attribute, type, value.c_str()), "write attribute " + name);
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  Handle type(H5Aget_type(attribute), H5Tclose, "attribute type");
  const std::size_t size = H5Tget_size(type);
  std::string value(size, '\0');
  check(H5Aread(attribute, type, value.data()), "read attribute " + name);
  return value.substr(0, value.find('\0'));
}

struct VisitState {
  ModelFile* model;
  std::string error;
};

herr_t visit_dataset(hid_t root, const char* name, const H5O_info_t* info, void* data) {
  auto* state = static_cast<VisitState*>(data);
  if (info->type != H5O_TYPE_DATASET) return 0;
  try {
    Handle dataset(H5Dopen2(root, name, H5P_DEFAULT), H5Dclose, std::string("open dataset ") + name);
    Handle space(H5Dget_space(dataset), H5Sclose, "dataset space");
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    Shape shape(dims.begin(), dims.end());
    Tensor tensor = Tensor::empty(shape);
    check(H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data<float>()),
          std::string("read dataset ") + name);
    state->model->tensors.emplace(name, tensor);
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

void write_model_file(const ModelFile& model, const std::filesystem::path& path) {
  produce_file_atomically(path, [&](const std::filesystem::path& temporary) {
    Handle file(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                "create " + temporary.string());
    write_string_attribute(file, "algorithm", model.algorithm);
    for (const auto& [key, value] : model.attributes.items()) write_string_attribute(file, key, value.dump());
    Handle link_properties(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "link properties");
    check(H5Pset_create_intermediate_group(link_properties, 1), "intermediate groups");
    for (const auto& [name, tensor] : model.tensors) {
      std::vector<hsize_t> dims(tensor.shape().begin(), tensor.shape().end());
      Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "space");
      Handle dataset(H5Dcreate2(file, name.c_str(), H5T_IEEE_F32LE, space, link_properties, H5P_DEFAULT, H5P_DEFAULT),
                     H5Dclose, "create dataset " + name);
      check(H5Dwrite(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data<float>()),
            "write dataset " + name);
    }
  });
}

ModelFile read_model_file(const std::filesystem::path& path) {
  TERN_CHECK(std::filesystem::exists(path), "no such model file: ", path.string());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path.string());
  ModelFile model;
  TERN_CHECK(H5Aexists(file, "algorithm") > 0, path.string(), " is not a Tern model file (no 'algorithm' attribute)");
  model.algorithm = read_string_attribute(file, "algorithm");
  H5O_info_t root_info;
  check(H5Oget_info2(file, &root_info, H5O_INFO_NUM_ATTRS), "root info");
  for (hsize_t i = 0; i < root_info.num_attrs; ++i) {
    char name[256];
    check(static_cast<herr_t>(H5Aget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                                   H5P_DEFAULT)),
          "attribute name");
    if (std::string(name) == "algorithm") continue;
    model.attributes[name] = nlohmann::json::parse(read_string_attribute(file, name));
  }
  VisitState state{&model, {}};
  const herr_t status = H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit_dataset, &state, H5O_INFO_BASIC);
  TERN_CHECK(status >= 0 && state.error.empty(), "reading model file ", path.string(), ": ", state.error);
  return model;
}

}  // namespace tern
