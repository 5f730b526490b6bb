// What the resume tests check of a job resumed from a checkpoint against the same job run
// uninterrupted: the saved models bitwise equal, and every metric equal (but the throughputs,
// which are timings).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/model_file.h"
#include "tests/launcher/tern_cli.h"

namespace tern::testing {

// Every (name, step, value) of a metrics.jsonl but the throughputs, which are timings.
inline std::vector<std::tuple<std::string, std::int64_t, double>> metric_values(const std::filesystem::path& job) {
  std::vector<std::tuple<std::string, std::int64_t, double>> values;
  std::istringstream lines(testing::read_text(job / "metrics.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    const auto record = nlohmann::json::parse(line);
    const std::string name = record.at("name");
    if (!name.ends_with("per_s")) values.emplace_back(name, record.at("step"), record.at("value"));
  }
  return values;
}

// The two jobs' models are bitwise equal, and so are their metrics and early stopping's result.
inline void expect_same_training(const std::filesystem::path& reference, const std::filesystem::path& resumed) {
  const ModelFile a = read_model_file(reference / "model" / "model.h5");
  const ModelFile b = read_model_file(resumed / "model" / "model.h5");
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, tensor] : a.tensors) {
    const Tensor& other = b.tensor(name);
    ASSERT_EQ(other.shape(), tensor.shape()) << name;
    EXPECT_EQ(std::memcmp(tensor.data<float>(), other.data<float>(), tensor.size_bytes()), 0)
        << name << " differs from the uninterrupted run's";
  }
  EXPECT_EQ(metric_values(reference), metric_values(resumed));
  EXPECT_EQ(read_json(resumed / "job.json").value("early_stopping", nlohmann::json()),
            read_json(reference / "job.json").value("early_stopping", nlohmann::json()));
}

}  // namespace tern::testing
