// What the gpt layout tests share (gpt_model_parallel_mpi_e2e_test.cpp on the CPU,
// gpt_model_parallel_gpu_test.cpp on a GPU): the `tern train` arguments of a small GPT on Austen
// (4 layers, 4 heads, 32 wide, sequence 16, 8 sequences in 4 micro-batches, dropout 0.1, 4 steps,
// every step clipped), and the comparison of two runs' step losses and saved parameters.
#pragma once

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/io/model_file.h"
#include "tests/launcher/tern_cli.h"

namespace tern::testing {

constexpr std::int64_t kDModel = 32;  // the width training_arguments gives

// The model every layout trains: tied or untied embeddings, SGD with momentum or Adam.
struct GptModel {
  bool tied = true;
  std::string optimizer = "sgd";
  std::string name() const { return std::string(tied ? "tied" : "untied") + "-" + optimizer; }
};

inline std::string training_arguments(const std::filesystem::path& output, const GptModel& model) {
  const auto train = real_data("austen/train.h5"), validation = real_data("austen/validation.h5");
  return "train --algorithm gpt --quiet --train " + train.string() + " --validation " + validation.string() +
         " --hp n_layer=4 --hp n_head=4 --hp d_model=32 --hp seq_len=16 --hp mini_batch_size=8"
         " --hp num_microbatches=4 --hp dropout=0.1 --hp max_steps=4 --hp log_interval=1 --hp eval_sequences=16"
         " --hp clip_gradient=0.05 --hp seed=3 --hp tie_embeddings=" + std::string(model.tied ? "true" : "false") +
         " --hp optimizer=" + model.optimizer +
         (model.optimizer == "sgd" ? " --hp momentum=0.9 --hp learning_rate=0.5" : " --hp learning_rate=0.001") +
         " --output-dir " + output.string();
}

// The train:loss of each step, from metrics.jsonl.
inline std::vector<double> step_losses(const std::filesystem::path& job) {
  std::vector<double> losses;
  std::istringstream lines(testing::read_text(job / "metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json record = nlohmann::json::parse(line);
    if (record.at("name") == "train:loss") losses.push_back(record.at("value").get<double>());
  }
  return losses;
}

// The largest relative difference between two saved models' parameters (with Adam, the key
// bias left out).
inline double parameter_difference(const ModelFile& expected, const ModelFile& actual, bool adam) {
  double worst = 0.0;
  for (const auto& [name, tensor] : expected.tensors) {
    const Tensor& other = actual.tensor(name);
    EXPECT_EQ(other.shape(), tensor.shape()) << name;
    if (other.shape() != tensor.shape()) return 1.0;
    const bool qkv_bias = adam && name.ends_with(".attn.qkv.bias");
    double difference = 0.0, scale = 1e-30;
    for (std::int64_t i = 0; i < tensor.numel(); ++i) {
      if (qkv_bias && i >= kDModel && i < 2 * kDModel) continue;  // the key bias
      difference = std::max(difference, std::abs(double(tensor.data<float>()[i]) - other.data<float>()[i]));
      scale = std::max(scale, std::abs(double(tensor.data<float>()[i])));
    }
    worst = std::max(worst, difference / scale);
  }
  return worst;
}

}  // namespace tern::testing
