#include "core/algorithms/registry.h"

#include <functional>
#include <map>

#include "core/algorithms/adaboost.h"
#include "core/algorithms/decision_tree.h"
#include "core/algorithms/factorization_machines.h"
#include "core/algorithms/gbdt.h"
#include "core/algorithms/gpt_language_model.h"
#include "core/algorithms/kmeans.h"
#include "core/algorithms/knn.h"
#include "core/algorithms/linear_learner.h"
#include "core/algorithms/mlp.h"
#include "core/algorithms/pca.h"
#include "core/algorithms/random_forest.h"
#include "core/io/atomic_file.h"
#include "core/io/model_file.h"

namespace tern {

namespace {
const std::map<std::string, std::function<std::unique_ptr<Algorithm>()>>& factories() {
  static const std::map<std::string, std::function<std::unique_ptr<Algorithm>()>> table = {
      {"adaboost", [] { return std::make_unique<AdaBoost>(); }},
      {"decision-tree", [] { return std::make_unique<DecisionTree>(); }},
      {"factorization-machines", [] { return std::make_unique<FactorizationMachines>(); }},
      {"gbdt", [] { return std::make_unique<Gbdt>(); }},
      {"gpt", [] { return std::make_unique<GptLanguageModel>(); }},
      {"kmeans", [] { return std::make_unique<KMeans>(); }},
      {"knn", [] { return std::make_unique<Knn>(); }},
      {"linear-learner", [] { return std::make_unique<LinearLearner>(); }},
      {"mlp", [] { return std::make_unique<Mlp>(); }},
      {"pca", [] { return std::make_unique<Pca>(); }},
      {"random-forest", [] { return std::make_unique<RandomForest>(); }},
  };
  return table;
}
}  // namespace

std::unique_ptr<Algorithm> make_algorithm(const std::string& name) {
  const auto found = factories().find(name);
  if (found == factories().end()) {
    std::string known;
    for (const auto& entry : factories()) known += (known.empty() ? "" : ", ") + entry.first;
    throw Error("unknown algorithm '" + name + "' (known: " + known + ")");
  }
  return found->second();
}

std::vector<std::string> algorithm_names() {
  std::vector<std::string> names;
  for (const auto& entry : factories()) names.push_back(entry.first);
  return names;
}

std::filesystem::path model_file_path(const std::filesystem::path& model_dir) { return model_dir / "model.h5"; }

void save_model(const Algorithm& algorithm, const std::filesystem::path& model_dir) {
  std::filesystem::create_directories(model_dir);
  ModelFile file = algorithm.export_model();
  file.algorithm = algorithm.name();
  write_model_file(file, model_file_path(model_dir));
  for (const auto& [name, text] : algorithm.readable_files()) write_file_atomically(model_dir / name, text);
}

std::unique_ptr<Algorithm> load_model(const std::filesystem::path& model_dir) {
  const ModelFile file = read_model_file(model_file_path(model_dir));
  std::unique_ptr<Algorithm> algorithm = make_algorithm(file.algorithm);
  algorithm->import_model(file);
  return algorithm;
}

}  // namespace tern
