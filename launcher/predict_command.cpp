// tern predict and tern evaluate: load a saved model (a model folder or a model.tar.gz) and
// apply it to a data file.
//   predict   writes one CSV line per row: the predicted label (or value), then the scores
//             (P(y=1) for binary, one probability per class for multiclass); for a
//             projection (pca), the row's coordinates
//   evaluate  computes the task's metrics against the file's labels, prints them and
//             optionally writes them as JSON
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/algorithms/registry.h"
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

}  // namespace

int predict_command(const Arguments& arguments) {
  return run_reporting_errors("predict", [&] {
    po::options_description options = model_and_data_options("predict");
    options.add_options()("output", po::value<std::string>()->required(), "predictions CSV to write");
    const auto values = parse_options("predict", options, arguments);
    if (!values) return 0;
    const Predictions predictions =
        load_model_or_package((*values)["model"].as<std::string>())->predict_file((*values)["data"].as<std::string>());
    write_file_atomically((*values)["output"].as<std::string>(), predictions_csv(predictions));
    std::cerr << "wrote " << predictions.scores.dim(0) << " predictions to " << (*values)["output"].as<std::string>()
              << "\n";
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
