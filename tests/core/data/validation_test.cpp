#include "core/data/validation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;

// Three rows of two features from "train.csv", starting at row 10 of the file.
Dataset small_dataset(const std::vector<float>& labels) {
  return {Tensor::from_values({3, 2}, std::vector<float>{0, 1, 2, 3, 4, 5}), Tensor::from_values({3}, labels),
          "train.csv", 10};
}

TEST(ValidateDataset, AcceptsCleanData) {
  EXPECT_NO_THROW(validate_dataset(small_dataset({0, 1, 1}), TaskKind::binary_classification, 2, "train"));
  EXPECT_NO_THROW(validate_dataset(small_dataset({0, 4, 2}), TaskKind::multiclass_classification, 5, "train"));
  EXPECT_NO_THROW(validate_dataset(small_dataset({-3.5f, 1e6f, 0.25f}), TaskKind::regression, 0, "train"));
}

TEST(ValidateDataset, RejectsAnEmptyDataSet) {
  expect_error_mentioning(
      [] { validate_dataset(allocate_dataset(0, 2, "empty.h5"), TaskKind::regression, 0, "train"); },
      {"'train'", "empty.h5", "empty data set"});
}

TEST(ValidateDataset, RejectsNanAndInfFeaturesNamingRowAndColumn) {
  Dataset with_nan = small_dataset({0, 1, 0});
  with_nan.features.data<float>()[3] = std::nanf("");  // row 1, column 1 here: row 11 of the file
  expect_error_mentioning([&] { validate_dataset(with_nan, TaskKind::binary_classification, 2, "validation"); },
                          {"'validation'", "train.csv", "row 11", "column 1", "missing"});

  Dataset with_inf = small_dataset({0, 1, 0});
  with_inf.features.data<float>()[4] = -std::numeric_limits<float>::infinity();
  expect_error_mentioning([&] { validate_dataset(with_inf, TaskKind::regression, 0, "train"); },
                          {"train.csv", "row 12", "column 0", "-inf"});
}

TEST(ValidateDataset, RejectsNanAndInfLabels) {
  expect_error_mentioning(
      [] {
        validate_dataset(small_dataset({0, std::nanf(""), 1}), TaskKind::regression, 0, "train");
      },
      {"train.csv", "row 11", "label nan"});
  expect_error_mentioning(
      [] {
        validate_dataset(small_dataset({0, 1, std::numeric_limits<float>::infinity()}), TaskKind::binary_classification,
                         2, "train");
      },
      {"train.csv", "row 12", "label inf"});
}

TEST(ValidateDataset, RejectsClassLabelsOutsideTheRange) {
  expect_error_mentioning(
      [] {
        validate_dataset(small_dataset({0, 2, 1}), TaskKind::binary_classification, 2, "train");
      },
      {"train.csv", "row 11", "label 2", "[0, 2)"});
  expect_error_mentioning(
      [] {
        validate_dataset(small_dataset({0, 1, 5}), TaskKind::multiclass_classification, 5, "train");
      },
      {"row 12", "label 5", "[0, 5)"});
  expect_error_mentioning(
      [] {
        validate_dataset(small_dataset({-1, 1, 0}), TaskKind::multiclass_classification, 5, "train");
      },
      {"row 10", "label -1"});
  expect_error_mentioning(
      [] {
        validate_dataset(small_dataset({0, 1, 0}), TaskKind::multiclass_classification, 1, "train");
      },
      {"num_classes >= 2"});
}

TEST(ValidateDataset, RejectsNonIntegerClassLabels) {
  expect_error_mentioning(
      [] {
        validate_dataset(small_dataset({0, 1.5f, 1}), TaskKind::multiclass_classification, 3, "train");
      },
      {"train.csv", "row 11", "label 1.5", "integers"});
}

TEST(CheckSameFeatures, RejectsAMismatchNamingBothChannels) {
  EXPECT_NO_THROW(check_same_features("train", 7, "validation", 7));
  expect_error_mentioning([] { check_same_features("train", 7, "validation", 6); },
                          {"'train' has 7", "'validation' has 6"});
}

}  // namespace
}  // namespace tern
