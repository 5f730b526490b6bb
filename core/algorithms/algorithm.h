// The Algorithm interface every built-in algorithm implements (mlp, and later linear-learner,
// gbdt, knn, ...): fit on a job's channels, predict on a data set, save to and load from a
// model folder (model.h5, see core/io/model_file.h). Algorithms are created by name through
// the registry (registry.h). An algorithm turns itself into a ModelFile and back; the registry
// writes and reads the file, so every algorithm's model has the same on-disk form.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/data/dataset.h"
#include "core/data/validation.h"
#include "core/io/model_file.h"
#include "core/job/job_context.h"
#include "core/metrics/report.h"

namespace tern {

// What predict returns. For binary classification `scores` is P(y=1) [n]; for multiclass the
// class probabilities [n, classes]; for regression the predicted values [n]; for a projection
// the rows' new coordinates [n, components]; for clustering the distance to the row's cluster
// centre [n]. `labels` is the predicted class (the value, for regression; the cluster, for
// clustering) [n]; a projection has none.
struct Predictions {
  TaskKind task = TaskKind::regression;
  Tensor scores;
  Tensor labels;
  // Binary classification: a row is labelled 1 when its score is above this (linear-learner
  // calibrates it on validation data).
  float decision_threshold = binary_decision_threshold;
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;
  virtual std::string name() const = 0;
  virtual void fit(JobContext& job) = 0;
  virtual Predictions predict(const Dataset& data) = 0;
  virtual ModelFile export_model() const = 0;
  virtual void import_model(const ModelFile& file) = 0;
  virtual TaskKind task() const = 0;
  virtual std::int64_t num_features() const = 0;
  // Classes of a classifier (2 for binary); 1 for regression.
  virtual std::int64_t num_classes() const = 0;
  // Whether fit() can split the model over tensor- and pipeline-parallel ranks (tp, pp > 1);
  // the others train with data parallelism only.
  virtual bool supports_model_parallelism() const { return false; }
  // Predictions for every row of a data file (`tern predict`). By default: the file read as
  // dense rows, checked to have the model's features, and predicted.
  virtual Predictions predict_file(const std::filesystem::path& path);
  // The model's metrics on a labelled data file (the test channel, `tern evaluate`). By
  // default: the file read as dense rows, checked, predicted and scored by score(); a language
  // model reads a token stream instead.
  virtual MetricValues evaluate_file(const std::filesystem::path& path);
  // Predictions scored against the true labels: by default the task's metric set under Tern's
  // names (evaluation.h); the tabular built-ins use the managed service's names.
  virtual MetricValues score(const Predictions& predictions, const Tensor& labels) const;
  // Files saved next to model.h5 for people to read, by name (gbdt's trees.json); none by
  // default.
  virtual std::map<std::string, std::string> readable_files() const { return {}; }
};

}  // namespace tern
