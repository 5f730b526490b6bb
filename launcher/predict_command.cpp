// tern predict and tern evaluate: load a saved model (a model folder or a model.tar.gz) and
// apply it to a data file.
//   predict   writes one CSV line per row: the predicted label (or value), then the scores
//             (P(y=1) for binary, one probability per class for multiclass); for a
//             projection (pca), the row's coordinates. For tree models, --output-margin
//             writes the raw margins instead (one a class) and --pred-leaf the leaf each tree
//             sends the row to (one column a tree), as XGBoost's predict does
//   evaluate  computes the task's metrics against the file's labels, prints them and
//             optionally writes them as JSON
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/algorithms/registry.h"
#include "core/algorithms/trees/tree_data.h"
#include "core/algorithms/trees/tree_model.h"
#include "core/io/atomic_file.h"
#include "core/algorithms/evaluation.h"
#include "launcher/model_package.h"
#include "launcher/options.h"

namespace tern {

namespace {

po::options_description model_and_data_options(const std::string& command) {
  po::options_description options("tern " + command);
  options.add_options()
      ("model", po::value<std::string>()->required(), "model folder (the job folder's model/) or model.tar.gz")
      ("data", po::value<std::string>()->required(), "data file (.h5 or .csv)");
  return options;
}

// One line a row: the predicted label (or value), then a classifier's scores; for a
// projection, the row's coordinates.
std::string predictions_csv(const Predictions& predictions) {
  std::ostringstream out;
  const std::int64_t rows = predictions.scores.dim(0);
  const std::int64_t columns = predictions.scores.ndim() == 2 ? predictions.scores.dim(1) : 1;
  const bool projection = predictions.task == TaskKind::projection;
  const bool scores = predictions.task != TaskKind::regression;
  char number[32];
  for (std::int64_t r = 0; r < rows; ++r) {
    if (!projection) {
      std::snprintf(number, sizeof number, "%.9g", predictions.labels.data<float>()[r]);
      out << number;
    }
    for (std::int64_t c = 0; c < columns && scores; ++c) {
      std::snprintf(number, sizeof number, projection ? "%.9g" : "%.6g", predictions.scores.data<float>()[r * columns + c]);
      out << (projection && c == 0 ? "" : ",") << number;
    }
    out << '\n';
  }
  return out.str();
}

// One line a row of a tensor's values [rows, columns], as text that reads back exactly.
std::string values_csv(const Tensor& values) {
  std::ostringstream out;
  const std::int64_t rows = values.dim(0), columns = values.ndim() == 2 ? values.dim(1) : 1;
  char number[32];
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < columns; ++c) {
      std::snprintf(number, sizeof number, "%.9g", values.data<float>()[r * columns + c]);
      out << (c == 0 ? "" : ",") << number;
    }
    out << '\n';
  }
  return out.str();
}

// The CSV of a tree model's margins or leaf indices for a data file.
std::string tree_outputs_csv(const Algorithm& model, const std::string& data_path, bool leaves) {
  const auto* trees = dynamic_cast<const TreeModel*>(&model);
  TERN_CHECK(trees != nullptr, "--output-margin and --pred-leaf apply to tree models (gbdt), not ", model.name());
  const Dataset data = load_with_missing(data_path, trees->tree_features());
  check_same_features("model", trees->tree_features(), "data", data.num_features());
  return values_csv(leaves ? trees->ensemble().leaf_indices(data) : trees->ensemble().margins(data));
}

}  // namespace

int predict_command(const Arguments& arguments) {
  return run_reporting_errors("predict", [&] {
    po::options_description options = model_and_data_options("predict");
    options.add_options()("output", po::value<std::string>()->required(), "predictions CSV to write")
        ("output-margin", po::bool_switch(), "tree models: write the raw margins (before the objective's transform)")
        ("pred-leaf", po::bool_switch(), "tree models: write the leaf each tree sends the row to");
    const auto values = parse_options("predict", options, arguments);
    if (!values) return 0;
    const std::string data = (*values)["data"].as<std::string>(), output = (*values)["output"].as<std::string>();
    const bool margins = (*values)["output-margin"].as<bool>(), leaves = (*values)["pred-leaf"].as<bool>();
    TERN_CHECK(!(margins && leaves), "give --output-margin or --pred-leaf, not both");
    const auto model = load_model_or_package((*values)["model"].as<std::string>());
    if (margins || leaves) {
      write_file_atomically(output, tree_outputs_csv(*model, data, leaves));
      std::cerr << "wrote " << (leaves ? "leaf indices" : "margins") << " to " << output << "\n";
      return 0;
    }
    const Predictions predictions = model->predict_file(data);
    write_file_atomically(output, predictions_csv(predictions));
    std::cerr << "wrote " << predictions.scores.dim(0) << " predictions to " << output << "\n";
    return 0;
  });
}

int evaluate_command(const Arguments& arguments) {
  return run_reporting_errors("evaluate", [&] {
    po::options_description options = model_and_data_options("evaluate");
    options.add_options()("output", po::value<std::string>(), "metrics JSON to write");
    const auto values = parse_options("evaluate", options, arguments);
    if (!values) return 0;
    const auto report = load_model_or_package((*values)["model"].as<std::string>())->evaluate_file((*values)["data"].as<std::string>());
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [name, value] : report) {
      std::printf("%-20s %.6f\n", name.c_str(), value);
      metrics[name] = value;
    }
    if (values->count("output")) write_file_atomically((*values)["output"].as<std::string>(), metrics.dump(2) + "\n");
    return 0;
  });
}

}  // namespace tern
