// model.tar.gz end to end (launcher/model_package.h): every successful `tern train` writes one
// with exactly its four regular files; `tern predict` and `tern evaluate` give from it what they
// give from the model folder, byte for byte; `tern package` rebuilds it and refuses an
// unfinished job; a package with a link, an entry outside it or not in its manifest, a file
// that does not match its manifest, or the manifest not first is refused, naming the entry.
#include <gtest/gtest.h>

#include "tests/launcher/tern_cli.h"

namespace tern {
namespace {

using testing::expect_failed_with;
using testing::read_text;
using testing::real_data;
using testing::run_shell;
using testing::run_tern;
using testing::ScratchFolder;

class ModelPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_REQUIRE_REAL_DATA(data());
    const auto result = run_tern("train --algorithm mlp --train " + data() + " --test " + data() + " --output-dir " +
                                 job().string() + " --quiet --hp epochs=2 --hp hidden_sizes=[16]");
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  static std::string data() { return real_data("breast_cancer.csv").string(); }
  std::filesystem::path job() const { return scratch_ / "job"; }
  std::filesystem::path package() const { return job() / "model.tar.gz"; }

  // `tern predict` of `model` on the data set: the predictions CSV.
  std::string predictions(const std::filesystem::path& model, const std::string& name) {
    const auto output = scratch_ / (name + ".csv");
    const auto result = run_tern("predict --model " + model.string() + " --data " + data() + " --output " + output.string());
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return read_text(output);
  }

  // A copy of the package, unpacked into a folder, changed by `change` (shell commands run in
  // it) and packed again with `pack` (a command that writes ../repacked.tar.gz).
  std::filesystem::path repacked(const std::string& change,
                                 const std::string& pack =
                                     "tar czf ../repacked.tar.gz manifest.json hyperparameters.json metrics.json model") {
    const auto folder = scratch_ / "unpacked";
    std::filesystem::create_directories(folder);
    const auto result = run_shell("cd " + folder.string() + " && tar xzf " + package().string() + " && " + change +
                                  " && " + pack);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return scratch_ / "repacked.tar.gz";
  }

  ScratchFolder scratch_;
};

TEST_F(ModelPackageTest, HoldsItsFourRegularFiles) {
  const auto listing = run_shell("tar tzvf " + package().string());
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  std::istringstream lines(listing.output);
  std::vector<std::string> names;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.front(), '-') << "not a regular file: " << line;
    names.push_back(line.substr(line.rfind(' ') + 1));
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"hyperparameters.json", "manifest.json", "metrics.json", "model/model.h5"}));
  const auto metrics = nlohmann::json::parse(run_shell("tar xzOf " + package().string() + " metrics.json").output);
  EXPECT_EQ(metrics.at("final").at("test:accuracy").at("value"),
            testing::read_json(job() / "job.json").at("test_metrics").at("accuracy"));
}

TEST_F(ModelPackageTest, PredictsAndEvaluatesAsTheModelFolder) {
  EXPECT_EQ(predictions(package(), "from-package"), predictions(job() / "model", "from-folder"));
  const auto from_package = run_tern("evaluate --model " + package().string() + " --data " + data());
  const auto from_folder = run_tern("evaluate --model " + (job() / "model").string() + " --data " + data());
  ASSERT_EQ(from_package.exit_code, 0) << from_package.output;
  EXPECT_EQ(from_package.output, from_folder.output);
}

TEST_F(ModelPackageTest, PackageCommandRebuildsItAndRefusesAnUnfinishedJob) {
  const auto rebuilt = scratch_ / "rebuilt.tar.gz";
  const auto result = run_tern("package " + job().string() + " --output " + rebuilt.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(predictions(rebuilt, "rebuilt"), predictions(job() / "model", "folder"));

  const auto stopped = scratch_ / "stopped";
  ASSERT_EQ(run_tern("train --algorithm mlp --train " + data() + " --output-dir " + stopped.string() +
                     " --quiet --max-runtime 0.001").exit_code, 75);
  EXPECT_FALSE(std::filesystem::exists(stopped / "model.tar.gz"));
  expect_failed_with(run_tern("package " + stopped.string()), "is Stopped; only a completed job has a model to package");
}

TEST_F(ModelPackageTest, ADamagedOrUnsafePackageIsRefused) {
  const std::string predict = "predict --data " + data() + " --output " + (scratch_ / "out.csv").string() + " --model ";
  // model.h5 with one byte changed, the manifest as it was.
  const auto damaged = repacked("printf '\\x55' | dd of=model/model.h5 bs=1 seek=5000 conv=notrunc 2>/dev/null");
  expect_failed_with(run_tern(predict + damaged.string()), "model/model.h5 does not match its checksum");

  std::filesystem::remove_all(scratch_ / "unpacked");
  const auto linked = repacked("ln -s /etc/passwd hyperparameters.json.link",
                               "tar czf ../repacked.tar.gz manifest.json hyperparameters.json.link model");
  expect_failed_with(run_tern(predict + linked.string()), "entry 'hyperparameters.json.link' is not a regular file");

  std::filesystem::remove_all(scratch_ / "unpacked");
  const auto escaping = repacked(
      "true", "python3 -c \"import tarfile; t = tarfile.open('../repacked.tar.gz', 'w:gz'); "
              "[t.add(n) for n in ('manifest.json', 'model')]; t.add('metrics.json', arcname='../outside.json')\"");
  expect_failed_with(run_tern(predict + escaping.string()), "entry '../outside.json' points outside the package");
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::temp_directory_path() / "outside.json"));

  // An entry the manifest does not list, and a model file larger than the manifest says.
  std::filesystem::remove_all(scratch_ / "unpacked");
  const auto unlisted = repacked("echo extra > extra.txt", "tar czf ../repacked.tar.gz manifest.json extra.txt model");
  expect_failed_with(run_tern(predict + unlisted.string()), "entry 'extra.txt' is not in its manifest");
  std::filesystem::remove_all(scratch_ / "unpacked");
  const auto longer = repacked("echo more >> model/model.h5");
  expect_failed_with(run_tern(predict + longer.string()), "entry 'model/model.h5' has");
  std::filesystem::remove_all(scratch_ / "unpacked");
  const auto manifest_later = repacked("true", "tar czf ../repacked.tar.gz model manifest.json");
  expect_failed_with(run_tern(predict + manifest_later.string()), "the first entry must be manifest.json");
}

}  // namespace
}  // namespace tern
