// Classification metrics (see classification.h). Counts are kept as integers or exact doubles and
// divided once at the end, so results match sklearn to rounding; ROC AUC and average precision
// share one pass that sorts rows by score and emits cumulative counts per distinct score.
#include "core/metrics/classification.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace tern {

namespace {

// sklearn.metrics.log_loss's eps before version 1.2 (1.2 made it the dtype's machine epsilon).
constexpr double log_loss_clip = 1e-15;

void check_rows(const char* metric, std::span<const float> labels, std::size_t other_rows, const char* other_name) {
  TERN_CHECK(!labels.empty(), metric, ": no rows (labels is empty)");
  TERN_CHECK(labels.size() == other_rows, metric, ": labels has ", labels.size(), " rows but ", other_name, " has ",
             other_rows);
}

// [rows, num_classes] matrix beside `labels` rows.
void check_matrix(const char* metric, std::span<const float> labels, std::span<const float> matrix,
                  std::int64_t num_classes, const char* matrix_name) {
  TERN_CHECK(num_classes >= 1, metric, ": num_classes must be at least 1, got ", num_classes);
  TERN_CHECK(!labels.empty(), metric, ": no rows (labels is empty)");
  TERN_CHECK(matrix.size() == labels.size() * static_cast<std::size_t>(num_classes), metric, ": ", matrix_name, " has ",
             matrix.size(), " values, expected rows x classes = ", labels.size(), " x ", num_classes);
}

// The class index a float value holds; throws unless it is an integer in [0, num_classes).
std::int64_t class_index(float value, std::int64_t num_classes, const char* metric, const char* what, std::size_t row) {
  TERN_CHECK(
      std::isfinite(value) && value >= 0.0f && value < static_cast<float>(num_classes) && value == std::floor(value),
      metric, ": ", what, " at row ", row, " is ", value, ", expected a class index in [0, ", num_classes, ")");
  return static_cast<std::int64_t>(value);
}

// 0/1 label of a binary metric.
bool is_positive(float label, const char* metric, std::size_t row) {
  TERN_CHECK(label == 0.0f || label == 1.0f, metric, ": label at row ", row, " is ", label, ", expected 0 or 1");
  return label == 1.0f;
}

void check_finite(const char* metric, std::span<const float> values, const char* what) {
  for (std::size_t row = 0; row < values.size(); ++row) {
    TERN_CHECK(std::isfinite(values[row]), metric, ": ", what, " at index ", row, " is ", values[row]);
  }
}

void check_probabilities(const char* metric, std::span<const float> probabilities) {
  for (std::size_t index = 0; index < probabilities.size(); ++index) {
    const float probability = probabilities[index];
    TERN_CHECK(probability >= 0.0f && probability <= 1.0f, metric, ": probability at index ", index, " is ",
               probability, ", expected a value in [0, 1]");
  }
}

// One class's cells of the confusion matrix.
struct ClassTally {
  std::int64_t true_positives = 0;
  std::int64_t predicted = 0;  // tp + fp: rows predicted as this class
  std::int64_t support = 0;    // tp + fn: rows whose true class is this class
};

ClassTally class_tally(const ConfusionMatrix& confusion, std::int64_t class_id) {
  ClassTally tally;
  tally.true_positives = confusion.count(class_id, class_id);
  for (std::int64_t other = 0; other < confusion.num_classes; ++other) {
    tally.predicted += confusion.count(other, class_id);
    tally.support += confusion.count(class_id, other);
  }
  return tally;
}

double ratio_or_zero(double numerator, double denominator) {
  return denominator == 0.0 ? 0.0 : numerator / denominator;
}

double class_precision(const ClassTally& tally) {
  return ratio_or_zero(static_cast<double>(tally.true_positives), static_cast<double>(tally.predicted));
}
double class_recall(const ClassTally& tally) {
  return ratio_or_zero(static_cast<double>(tally.true_positives), static_cast<double>(tally.support));
}
double class_f1(const ClassTally& tally) {
  const double precision = class_precision(tally), recall = class_recall(tally);
  return ratio_or_zero(2.0 * precision * recall, precision + recall);
}

using ClassScore = double (*)(const ClassTally&);

// Combines the per-class `score` as `average` says (see Average in the header).
double average_score(const ConfusionMatrix& confusion, Average average, ClassScore score, const char* metric) {
  TERN_CHECK(confusion.num_classes >= 1, metric, ": confusion matrix has ", confusion.num_classes, " classes");
  TERN_CHECK(confusion.counts.size() == static_cast<std::size_t>(confusion.num_classes * confusion.num_classes), metric,
             ": confusion matrix of ", confusion.num_classes, " classes holds ", confusion.counts.size(), " counts");
  TERN_CHECK(
      std::all_of(confusion.counts.begin(), confusion.counts.end(), [](std::int64_t count) { return count >= 0; }),
      metric, ": confusion matrix holds a negative count");
  const std::int64_t total_rows = std::accumulate(confusion.counts.begin(), confusion.counts.end(), std::int64_t{0});
  TERN_CHECK(total_rows > 0, metric, ": confusion matrix counts no rows");

  if (average == Average::binary) {
    TERN_CHECK(confusion.num_classes == 2, metric, ": the binary average needs 2 classes, got ", confusion.num_classes,
               "; use macro or weighted");
    return score(class_tally(confusion, 1));
  }
  double score_sum = 0.0, weight_sum = 0.0;
  for (std::int64_t class_id = 0; class_id < confusion.num_classes; ++class_id) {
    const ClassTally tally = class_tally(confusion, class_id);
    if (average == Average::macro) {
      if (tally.support == 0 && tally.predicted == 0) continue;
      score_sum += score(tally);
      weight_sum += 1.0;
    } else {
      score_sum += static_cast<double>(tally.support) * score(tally);
      weight_sum += static_cast<double>(tally.support);
    }
  }
  return score_sum / weight_sum;
}

// Cumulative counts at one score threshold: rows scoring at least the threshold that are
// negative (false positives) and positive (true positives).
struct ThresholdPoint {
  double false_positives = 0.0;
  double true_positives = 0.0;
};

// One point per distinct score, thresholds in decreasing order (sklearn's _binary_clf_curve).
std::vector<ThresholdPoint> threshold_points(std::span<const float> labels, std::span<const float> scores,
                                             const char* metric) {
  check_rows(metric, labels, scores.size(), "scores");
  check_finite(metric, scores, "score");
  std::vector<bool> positive(labels.size());
  for (std::size_t row = 0; row < labels.size(); ++row) positive[row] = is_positive(labels[row], metric, row);

  std::vector<std::size_t> order(labels.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });

  std::vector<ThresholdPoint> points;
  ThresholdPoint running;
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const std::size_t row = order[rank];
    (positive[row] ? running.true_positives : running.false_positives) += 1.0;
    const bool last_of_threshold = rank + 1 == order.size() || scores[order[rank + 1]] != scores[row];
    if (last_of_threshold) points.push_back(running);
  }
  return points;
}

// Σ_r -log(p_r[y_r] / Σ_c p_r[c]) / rows after clipping every p to [eps, 1 - eps]; `row_probability`
// gives the clipped probability of class c in row r.
template <typename RowProbability>
double mean_negative_log_likelihood(std::span<const float> labels, std::int64_t num_classes,
                                    RowProbability row_probability, const char* metric) {
  double loss_sum = 0.0;
  for (std::size_t row = 0; row < labels.size(); ++row) {
    const std::int64_t true_class = class_index(labels[row], num_classes, metric, "label", row);
    double row_sum = 0.0;
    for (std::int64_t class_id = 0; class_id < num_classes; ++class_id) row_sum += row_probability(row, class_id);
    loss_sum -= std::log(row_probability(row, true_class) / row_sum);
  }
  return loss_sum / static_cast<double>(labels.size());
}

double clip_probability(double probability) { return std::clamp(probability, log_loss_clip, 1.0 - log_loss_clip); }

}  // namespace

double accuracy(std::span<const float> labels, std::span<const float> predictions) {
  check_rows("accuracy", labels, predictions.size(), "predictions");
  std::size_t correct = 0;
  for (std::size_t row = 0; row < labels.size(); ++row) correct += labels[row] == predictions[row] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

ConfusionMatrix confusion_matrix(std::span<const float> labels, std::span<const float> predictions,
                                 std::int64_t num_classes) {
  const char* metric = "confusion_matrix";
  TERN_CHECK(num_classes >= 1, metric, ": num_classes must be at least 1, got ", num_classes);
  check_rows(metric, labels, predictions.size(), "predictions");
  ConfusionMatrix confusion{num_classes,
                            std::vector<std::int64_t>(static_cast<std::size_t>(num_classes * num_classes))};
  for (std::size_t row = 0; row < labels.size(); ++row) {
    const std::int64_t true_class = class_index(labels[row], num_classes, metric, "label", row);
    const std::int64_t predicted_class = class_index(predictions[row], num_classes, metric, "prediction", row);
    ++confusion.counts[static_cast<std::size_t>(true_class * num_classes + predicted_class)];
  }
  return confusion;
}

double precision_score(const ConfusionMatrix& confusion, Average average) {
  return average_score(confusion, average, class_precision, "precision_score");
}
double recall_score(const ConfusionMatrix& confusion, Average average) {
  return average_score(confusion, average, class_recall, "recall_score");
}
double f1_score(const ConfusionMatrix& confusion, Average average) {
  return average_score(confusion, average, class_f1, "f1_score");
}
double precision_score(std::span<const float> labels, std::span<const float> predictions, std::int64_t num_classes,
                       Average average) {
  return precision_score(confusion_matrix(labels, predictions, num_classes), average);
}
double recall_score(std::span<const float> labels, std::span<const float> predictions, std::int64_t num_classes,
                    Average average) {
  return recall_score(confusion_matrix(labels, predictions, num_classes), average);
}
double f1_score(std::span<const float> labels, std::span<const float> predictions, std::int64_t num_classes,
                Average average) {
  return f1_score(confusion_matrix(labels, predictions, num_classes), average);
}

double roc_auc_score(std::span<const float> labels, std::span<const float> scores) {
  const std::vector<ThresholdPoint> points = threshold_points(labels, scores, "roc_auc_score");
  const ThresholdPoint& all_rows = points.back();
  TERN_CHECK(all_rows.true_positives > 0.0 && all_rows.false_positives > 0.0, "roc_auc_score: only one class (",
             all_rows.true_positives > 0.0 ? 1 : 0, ") is present in the labels; ROC AUC is not defined");
  // Trapezoids in (false positives, true positives) counts, scaled to the unit square at the end.
  double area = 0.0;
  ThresholdPoint previous;
  for (const ThresholdPoint& point : points) {
    area += (point.false_positives - previous.false_positives) * (point.true_positives + previous.true_positives) / 2.0;
    previous = point;
  }
  return area / (all_rows.true_positives * all_rows.false_positives);
}

double average_precision_score(std::span<const float> labels, std::span<const float> scores) {
  const std::vector<ThresholdPoint> points = threshold_points(labels, scores, "average_precision_score");
  const double positives = points.back().true_positives;
  TERN_CHECK(positives > 0.0, "average_precision_score: no label is 1; average precision is not defined");
  double average_precision = 0.0, previous_true_positives = 0.0;
  for (const ThresholdPoint& point : points) {
    const double precision = point.true_positives / (point.true_positives + point.false_positives);
    average_precision += (point.true_positives - previous_true_positives) / positives * precision;
    previous_true_positives = point.true_positives;
  }
  return average_precision;
}

double binary_log_loss(std::span<const float> labels, std::span<const float> positive_probabilities) {
  const char* metric = "binary_log_loss";
  check_rows(metric, labels, positive_probabilities.size(), "positive_probabilities");
  check_probabilities(metric, positive_probabilities);
  // sklearn clips P(class 1) first and then takes 1 - it as P(class 0).
  auto row_probability = [&](std::size_t row, std::int64_t class_id) {
    const double positive = clip_probability(positive_probabilities[row]);
    return class_id == 1 ? positive : 1.0 - positive;
  };
  return mean_negative_log_likelihood(labels, 2, row_probability, metric);
}

double multiclass_log_loss(std::span<const float> labels, std::span<const float> probabilities,
                           std::int64_t num_classes) {
  const char* metric = "multiclass_log_loss";
  check_matrix(metric, labels, probabilities, num_classes, "probabilities");
  check_probabilities(metric, probabilities);
  auto row_probability = [&](std::size_t row, std::int64_t class_id) {
    return clip_probability(
        probabilities[row * static_cast<std::size_t>(num_classes) + static_cast<std::size_t>(class_id)]);
  };
  return mean_negative_log_likelihood(labels, num_classes, row_probability, metric);
}

double top_k_accuracy(std::span<const float> labels, std::span<const float> scores, std::int64_t num_classes,
                      std::int64_t k) {
  const char* metric = "top_k_accuracy";
  check_matrix(metric, labels, scores, num_classes, "scores");
  TERN_CHECK(k >= 1 && k <= num_classes, metric, ": k must be in [1, ", num_classes, "], got ", k);
  check_finite(metric, scores, "score");
  std::size_t hits = 0;
  for (std::size_t row = 0; row < labels.size(); ++row) {
    const std::span<const float> row_scores =
        scores.subspan(row * static_cast<std::size_t>(num_classes), static_cast<std::size_t>(num_classes));
    const std::int64_t true_class = class_index(labels[row], num_classes, metric, "label", row);
    const float true_score = row_scores[static_cast<std::size_t>(true_class)];
    // The true class itself is counted too, hence `<=`.
    const auto at_least_as_high =
        std::count_if(row_scores.begin(), row_scores.end(), [&](float score) { return score >= true_score; });
    hits += at_least_as_high <= k ? 1 : 0;
  }
  return static_cast<double>(hits) / static_cast<double>(labels.size());
}

std::vector<float> threshold_classes(std::span<const float> positive_probabilities, float threshold) {
  check_finite("threshold_classes", positive_probabilities, "probability");
  std::vector<float> classes(positive_probabilities.size());
  for (std::size_t row = 0; row < classes.size(); ++row) {
    classes[row] = positive_probabilities[row] > threshold ? 1.0f : 0.0f;
  }
  return classes;
}

std::vector<float> argmax_classes(std::span<const float> scores, std::int64_t num_classes) {
  TERN_CHECK(num_classes >= 1, "argmax_classes: num_classes must be at least 1, got ", num_classes);
  const auto columns = static_cast<std::size_t>(num_classes);
  TERN_CHECK(scores.size() % columns == 0, "argmax_classes: ", scores.size(), " scores do not fill rows of ",
             num_classes, " classes");
  check_finite("argmax_classes", scores, "score");
  std::vector<float> classes(scores.size() / columns);
  for (std::size_t row = 0; row < classes.size(); ++row) {
    const std::span<const float> row_scores = scores.subspan(row * columns, columns);
    classes[row] = static_cast<float>(std::max_element(row_scores.begin(), row_scores.end()) - row_scores.begin());
  }
  return classes;
}

}  // namespace tern
