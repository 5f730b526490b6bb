// End-to-end: every kind of bad input makes `tern train` fail before training with a clear
// message naming the file, line, row or hyperparameter, a non-zero exit code, a `failure`
// file and job.json marked failed, and no model written (nothing half-written).
#include <gtest/gtest.h>

#include <iostream>

#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::run_tern;
using testing::ScratchFolder;
using testing::write_text;

// Four good rows of a binary problem: label, then three features.
constexpr const char* kGoodCsv = "0,1.0,2.0,3.0\n1,2.0,1.0,0.5\n0,0.5,0.5,0.5\n1,3.0,2.5,1.0\n";

class BadInput : public ::testing::Test {
 protected:
  // Runs tern train on the given channel files with extra hyperparameters and checks that it
  // failed cleanly; returns its output for the message checks.
  std::string expect_clean_failure(const std::string& channels, const std::string& hyperparameters = "") {
    const auto job = scratch_ / "job";
    const auto result = run_tern("train --algorithm mlp --quiet " + channels + " --output-dir " + job.string() +
                                 " --hp epochs=1 --hp mini_batch_size=2 " + hyperparameters);
    EXPECT_NE(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("tern train: error:"), std::string::npos) << result.output;
    EXPECT_TRUE(std::filesystem::exists(job / "failure")) << result.output;
    EXPECT_FALSE(std::filesystem::exists(job / "model" / "model.h5"));
    if (std::filesystem::exists(job / "job.json")) {
      EXPECT_EQ(testing::read_json(job / "job.json").at("status"), "Failed");
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(scratch_.path()))
      EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
    std::cout << "  " << result.output;
    return result.output;
  }

  std::string csv(const std::string& name, const std::string& contents) {
    const auto path = scratch_ / name;
    write_text(path, contents);
    return path.string();
  }

  ScratchFolder scratch_;
};

TEST_F(BadInput, MissingFile) {
  const auto output = expect_clean_failure("--train " + (scratch_ / "absent.csv").string());
  EXPECT_NE(output.find("absent.csv"), std::string::npos) << output;
}

TEST_F(BadInput, MissingHdf5Dataset) {
  const std::string path = (scratch_ / "no_labels.h5").string();
  // A real HDF5 file without /features and /labels: a model file written by tern train.
  ASSERT_EQ(run_tern("data convert --input " + csv("good.csv", kGoodCsv) + " --output " + path).exit_code, 0);
  const auto model_job = scratch_ / "model_job";
  ASSERT_EQ(run_tern("train --algorithm mlp --quiet --train " + path + " --output-dir " + model_job.string() +
                     " --hp epochs=1 --hp mini_batch_size=2")
                .exit_code,
            0);
  const auto output = expect_clean_failure("--train " + (model_job / "model" / "model.h5").string());
  EXPECT_NE(output.find("/features"), std::string::npos) << output;
  EXPECT_NE(output.find("model.h5"), std::string::npos) << output;
}

TEST_F(BadInput, RaggedCsvRowNamesTheLine) {
  const auto output = expect_clean_failure("--train " + csv("ragged.csv", "0,1,2,3\n1,2,3\n0,1,1,1\n"));
  EXPECT_NE(output.find("ragged.csv"), std::string::npos) << output;
  EXPECT_NE(output.find("line 2"), std::string::npos) << output;
}

TEST_F(BadInput, NonNumericFieldNamesTheLine) {
  const auto output = expect_clean_failure("--train " + csv("text.csv", "0,1,2,3\n1,2,abc,3\n0,1,1,1\n1,2,2,2\n"));
  EXPECT_NE(output.find("text.csv"), std::string::npos) << output;
  EXPECT_NE(output.find("line 2"), std::string::npos) << output;
  EXPECT_NE(output.find("abc"), std::string::npos) << output;
}

TEST_F(BadInput, FeatureCountMismatchBetweenChannels) {
  const auto output = expect_clean_failure("--train " + csv("train.csv", kGoodCsv) + " --validation " +
                                           csv("validation.csv", "0,1,2\n1,2,1\n"));
  EXPECT_NE(output.find("validation"), std::string::npos) << output;
  EXPECT_NE(output.find("3"), std::string::npos) << output;
}

TEST_F(BadInput, NanInFeatures) {
  const auto output = expect_clean_failure("--train " + csv("nan.csv", "0,1,2,3\n1,2,nan,3\n0,1,1,1\n1,1,1,1\n"));
  EXPECT_NE(output.find("nan.csv"), std::string::npos) << output;
  EXPECT_NE(output.find("row 1"), std::string::npos) << output;
}

TEST_F(BadInput, InfInLabels) {
  const auto output = expect_clean_failure("--train " + csv("inf.csv", "0,1,2,3\ninf,2,2,3\n0,1,1,1\n1,1,1,1\n"),
                                           "--hp predictor_type=regressor");
  EXPECT_NE(output.find("inf.csv"), std::string::npos) << output;
  EXPECT_NE(output.find("label"), std::string::npos) << output;
}

TEST_F(BadInput, ClassLabelOutsideNumClasses) {
  const auto output = expect_clean_failure("--train " + csv("classes.csv", "0,1,2\n1,2,1\n3,1,1\n2,0,0\n"),
                                           "--hp predictor_type=multiclass_classifier --hp num_classes=3");
  EXPECT_NE(output.find("classes.csv"), std::string::npos) << output;
  EXPECT_NE(output.find("row 2"), std::string::npos) << output;
}

TEST_F(BadInput, NonIntegerClassLabel) {
  const auto output = expect_clean_failure("--train " + csv("fraction.csv", "0,1,2\n0.5,2,1\n1,1,1\n0,0,0\n"));
  EXPECT_NE(output.find("fraction.csv"), std::string::npos) << output;
  EXPECT_NE(output.find("0.5"), std::string::npos) << output;
}

TEST_F(BadInput, UnknownHyperparameter) {
  const auto output = expect_clean_failure("--train " + csv("good.csv", kGoodCsv), "--hp learning_rat=0.1");
  EXPECT_NE(output.find("unknown hyperparameter 'learning_rat'"), std::string::npos) << output;
}

TEST_F(BadInput, IllTypedHyperparameter) {
  const auto output = expect_clean_failure("--train " + csv("good.csv", kGoodCsv), "--hp epochs=ten");
  EXPECT_NE(output.find("'epochs'"), std::string::npos) << output;
  EXPECT_NE(output.find("ten"), std::string::npos) << output;
}

TEST_F(BadInput, OutOfRangeHyperparameter) {
  const auto output = expect_clean_failure("--train " + csv("good.csv", kGoodCsv), "--hp dropout=1.5");
  EXPECT_NE(output.find("'dropout'"), std::string::npos) << output;
}

TEST_F(BadInput, EmptyDataSet) {
  const auto output = expect_clean_failure("--train " + csv("empty.csv", ""));
  EXPECT_NE(output.find("empty.csv"), std::string::npos) << output;
}

TEST_F(BadInput, MiniBatchLargerThanTheData) {
  const auto output = expect_clean_failure("--train " + csv("good.csv", kGoodCsv), "--hp mini_batch_size=5");
  EXPECT_NE(output.find("mini_batch_size"), std::string::npos) << output;
  EXPECT_NE(output.find("4 rows"), std::string::npos) << output;
}

TEST_F(BadInput, ExistingJobFolderIsNotOverwritten) {
  const auto job = scratch_ / "job";
  const std::string train = csv("good.csv", kGoodCsv);
  ASSERT_EQ(run_tern("train --algorithm mlp --quiet --train " + train + " --output-dir " + job.string() +
                     " --hp epochs=1 --hp mini_batch_size=2")
                .exit_code,
            0);
  const std::string before = testing::read_text(job / "job.json");
  const auto again = run_tern("train --algorithm mlp --quiet --train " + train + " --output-dir " + job.string());
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("holds a completed job"), std::string::npos) << again.output;
  EXPECT_EQ(testing::read_text(job / "job.json"), before);
}

TEST_F(BadInput, UnknownAlgorithmAndMissingOption) {
  const auto unknown = run_tern("train --algorithm gbtree --train x.csv --output-dir " + (scratch_ / "j").string());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("unknown algorithm 'gbtree'"), std::string::npos) << unknown.output;
  const auto missing = run_tern("train --algorithm mlp");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("is required"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace tern
