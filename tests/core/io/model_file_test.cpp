#include "core/io/model_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

#include "core/error.h"

namespace tern {
namespace {

std::filesystem::path scratch_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid()) + ".h5");
}

TEST(ModelFile, RoundTripsTensorsAndAttributes) {
  ModelFile model;
  model.algorithm = "mlp";
  model.attributes = {{"hidden_sizes", {3, 2}}, {"activation", "relu"}, {"dropout", 0.25}};
  model.tensors.emplace("parameters/fc.weight", Tensor::from_values({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
  model.tensors.emplace("normalization/mean", Tensor::from_values({3}, std::vector<float>{-1, 0, 1}));
  const auto path = scratch_file("model-round-trip");
  write_model_file(model, path);
  const ModelFile read = read_model_file(path);
  std::filesystem::remove(path);
  EXPECT_EQ(read.algorithm, "mlp");
  EXPECT_EQ(read.attributes, model.attributes);
  ASSERT_EQ(read.tensors.size(), 2u);
  EXPECT_EQ(read.tensor("parameters/fc.weight").shape(), (Shape{2, 3}));
  EXPECT_EQ(read.tensor("parameters/fc.weight").data<float>()[5], 6.0f);
  EXPECT_EQ(read.tensor("normalization/mean").data<float>()[0], -1.0f);
  EXPECT_THROW(read.tensor("parameters/absent"), Error);
}

TEST(ModelFile, MissingOrForeignFilesAreClearErrors) {
  EXPECT_THROW(read_model_file(scratch_file("absent")), Error);
  const auto not_hdf5 = scratch_file("not-hdf5");
  std::ofstream(not_hdf5) << "plain text";
  EXPECT_THROW(read_model_file(not_hdf5), Error);
  std::filesystem::remove(not_hdf5);
}

}  // namespace
TEST(ExactDouble, GivesBackEveryDoubleThroughAModelFile) {
  const std::vector<double> values = {0.1, -2.5e-310, 1e300, std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(), std::nan("")};
  ModelFile file;
  file.algorithm = "test";
  for (std::size_t i = 0; i < values.size(); ++i) file.attributes["value" + std::to_string(i)] = exact_double(values[i]);
  const auto path = scratch_file("tern-exact-double");
  write_model_file(file, path);
  const ModelFile read = read_model_file(path);
  std::filesystem::remove(path);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double back = exact_double(read.attributes.at("value" + std::to_string(i)));
    if (std::isnan(values[i])) {
      EXPECT_TRUE(std::isnan(back));
    } else {
      EXPECT_EQ(std::memcmp(&back, &values[i], sizeof back), 0) << values[i];
    }
  }
  EXPECT_THROW(exact_double(nlohmann::json("1.5x")), Error);
}

}  // namespace tern
