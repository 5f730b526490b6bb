// Helpers for the end-to-end tests: run the real `tern` binary (TERN_BINARY, set by CMake) in a
// shell, capture its exit code and output, and give each test a scratch folder.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/data/csv_writer.h"
#include "core/data/dense_reader.h"

namespace tern::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line, capturing stdout and stderr (of every command in the line).
inline CommandResult run_shell(const std::string& command_line) {
  const std::string command = "{ " + command_line + "\n} 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// Runs `tern <arguments>` with optional environment assignments ("OMP_NUM_THREADS=1 ").
inline CommandResult run_tern(const std::string& arguments, const std::string& environment = "") {
  return run_shell(environment + " " + TERN_BINARY + " " + arguments);
}

// Runs `mpirun -np ranks tern <arguments>` (oversubscribed, allowed as root), one OpenMP thread
// a rank unless the environment says otherwise. Each run has an Open MPI session folder of its
// own: mpiruns side by side (ctest -j) otherwise share /tmp/ompi.<host>.<uid>, and one removing
// it as another starts fails the second ("A call to mkdir was unable to create the desired
// directory", seen in CI).
inline CommandResult run_tern_on_ranks(int ranks, const std::string& arguments, const std::string& environment = "") {
  const std::string launcher =
      std::string("session=$(mktemp -d /tmp/tern-ompi-XXXXXX); OMPI_MCA_orte_tmpdir_base=$session ") +
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 " + environment + " " + TERN_MPIEXEC +
      " -np " + std::to_string(ranks) + " --oversubscribe --bind-to none";
  return run_shell(launcher + " " + TERN_BINARY + " " + arguments + "; status=$?; rm -rf \"$session\"; exit $status");
}

// Expects that a command failed (non-zero exit) with `message` somewhere in its output.
inline void expect_failed_with(const CommandResult& result, const std::string& message) {
  EXPECT_NE(result.exit_code, 0) << "expected a failure mentioning: " << message;
  EXPECT_NE(result.output.find(message), std::string::npos) << result.output;
}

// A fresh folder under the system temp folder, removed when the test ends.
class ScratchFolder {
 public:
  ScratchFolder() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("tern-" + std::string(test->test_suite_name()) + "-" + test->name() + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchFolder() { std::filesystem::remove_all(path_); }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

inline nlohmann::json read_json(const std::filesystem::path& path) { return nlohmann::json::parse(read_text(path)); }

// How many lines of a metrics.jsonl record the metric `name`.
inline int count_metric_records(const std::filesystem::path& metrics_jsonl, const std::string& name) {
  std::istringstream lines(read_text(metrics_jsonl));
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) count += nlohmann::json::parse(line).at("name") == name;
  return count;
}

// The last value a job's metrics.jsonl records for the metric `name`; NaN when there is none.
inline double last_metric(const std::filesystem::path& job, const std::string& name) {
  std::istringstream lines(read_text(job / "metrics.jsonl"));
  double value = std::nan("");
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry.at("name") == name) value = entry.at("value");
  }
  return value;
}

// Rows [begin, end) of a data file written as CSV (label first).
inline void write_rows(const std::filesystem::path& from, std::int64_t begin, std::int64_t end,
                       const std::filesystem::path& to) {
  const Dataset all = load_dataset(from);
  write_csv({all.features.rows(begin, end), all.labels.rows(begin, end), all.source}, to);
}

// A real data set prepared by scripts/prepare-data.sh; the test is skipped when it is missing.
inline std::filesystem::path real_data(const std::string& name) {
  return std::filesystem::path(TERN_TEST_DATA_DIR) / name;
}

#define TERN_REQUIRE_REAL_DATA(path)                                                                        \
  if (!std::filesystem::exists(path))                                                                       \
  GTEST_FAIL() << "missing " << (path) << ": run scripts/prepare-data.sh (scripts/run-tests.sh does)"

}  // namespace tern::testing
