// tern train: builds the JobContext from the command line, runs the algorithm's fit in a job
// folder, saves the model, and evaluates it on the test channel when one is given.
#include <fstream>
#include <iostream>

#include "core/algorithms/registry.h"
#include "core/error.h"
#include "core/algorithms/evaluation.h"
#include "launcher/job_folder.h"
#include "launcher/options.h"

namespace tern {

namespace {

// "name=value" pairs from --hp, over the string values of a hyperparameters.json.
HyperparameterMap collect_hyperparameters(const po::variables_map& values) {
  HyperparameterMap hyperparameters;
  if (values.count("hyperparameters")) {
    const std::string path = values["hyperparameters"].as<std::string>();
    std::ifstream in(path);
    TERN_CHECK(in.good(), "no such hyperparameters file: ", path);
    nlohmann::json document;
    try {
      document = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& error) {
      throw Error("hyperparameters file " + path + " is not valid JSON: " + error.what());
    }
    TERN_CHECK(document.is_object(), "hyperparameters file ", path, " must hold one JSON object");
    for (const auto& [name, value] : document.items())
      hyperparameters[name] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  if (values.count("hp")) {
    for (const std::string& pair : values["hp"].as<std::vector<std::string>>()) {
      const auto equals = pair.find('=');
      TERN_CHECK(equals != std::string::npos && equals > 0, "--hp expects name=value, got '", pair, "'");
      hyperparameters[pair.substr(0, equals)] = pair.substr(equals + 1);
    }
  }
  return hyperparameters;
}

int run_training(const po::variables_map& values) {
  JobFolder folder(values["output-dir"].as<std::string>());
  JobLog log(folder.log_path(0), 0, !values.count("quiet"));
  MetricsLog metrics(folder.metrics_path());
  JobContext job(metrics, log);
  try {
    const std::string algorithm_name = values["algorithm"].as<std::string>();
    for (const char* channel : {"train", "validation", "test"}) {
      if (values.count(channel)) job.channels[channel] = values[channel].as<std::string>();
    }
    job.hyperparameters = collect_hyperparameters(values);
    job.ingestion_mode = parse_ingestion_mode(values["ingestion"].as<std::string>());
    job.pipe_memory_bytes = values["pipe-memory-mb"].as<std::size_t>() << 20;
    job.model_dir = folder.model_dir();
    job.show_progress = !values.count("quiet");

    nlohmann::json& description = folder.description();
    description["algorithm"] = algorithm_name;
    for (const auto& [channel, path] : job.channels) description["channels"][channel] = path.string();
    description["hyperparameters"] = job.hyperparameters;
    description["ingestion"] = values["ingestion"].as<std::string>();
    description["world"] = {{"size", 1}, {"dp", 1}, {"tp", 1}, {"pp", 1}};
    description["versions"] = {{"tern", "0.1.0"}};
    folder.write_status("running");

    std::unique_ptr<Algorithm> algorithm = make_algorithm(algorithm_name);
    log.info("training " + algorithm_name + " into " + folder.root().string());
    algorithm->fit(job);
    description["resolved_hyperparameters"] = job.resolved_hyperparameters;
    save_model(*algorithm, job.model_dir);
    log.info("model saved to " + job.model_dir.string());

    if (job.has_channel("test")) {
      const Dataset test = load_dataset(job.channels.at("test"));
      validate_dataset(test, algorithm->task(), static_cast<int>(algorithm->num_classes()), "test");
      const auto report = metric_report(algorithm->predict(test), test.labels, algorithm->num_features());
      for (const auto& [metric, value] : report) {
        metrics.record(-1, -1, "test:" + metric, value);
        description["test_metrics"][metric] = value;
        log.info("test " + metric + " = " + std::to_string(value));
      }
    }
    folder.write_status("completed");
    return 0;
  } catch (const std::exception& error) {
    log.detail(std::string("failed: ") + error.what());
    folder.write_failure(error.what());
    throw;
  }
}

}  // namespace

int train_command(const Arguments& arguments) {
  return run_reporting_errors("train", [&] {
    po::options_description options("tern train");
    options.add_options()
        ("algorithm", po::value<std::string>()->required(), "algorithm to train (mlp)")
        ("train", po::value<std::string>()->required(), "training data (.h5 or .csv)")
        ("validation", po::value<std::string>(), "validation data, evaluated every epoch")
        ("test", po::value<std::string>(), "test data, evaluated once after training")
        ("output-dir", po::value<std::string>()->required(), "job folder to create")
        ("hp", po::value<std::vector<std::string>>()->composing(), "hyperparameter name=value (repeatable)")
        ("hyperparameters", po::value<std::string>(), "hyperparameters.json (string values); --hp overrides")
        ("ingestion", po::value<std::string>()->default_value("file"), "file (load into memory) or pipe (stream)")
        ("pipe-memory-mb", po::value<std::size_t>()->default_value(256), "memory bound of pipe-mode prefetching")
        ("quiet", "no progress line");
    const auto values = parse_options("train", options, arguments);
    return values ? run_training(*values) : 0;
  });
}

}  // namespace tern
