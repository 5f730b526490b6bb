// Classification metrics, defined as scikit-learn defines them so that numbers reported by Tern
// can be compared with numbers computed in Python on the same predictions. Labels and predicted
// classes are float class indices (0, 1, 2, ...), as the data layer stores them; probabilities and
// scores are row-major [rows, classes] when there is more than one column. Sums are taken in
// double. Every function checks its inputs (sizes, emptiness, labels in range) and throws
// tern::Error naming the metric and the offending row.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tern {

// counts[t * num_classes + p] = number of rows whose true class is t and predicted class is p.
struct ConfusionMatrix {
  std::int64_t num_classes = 0;
  std::vector<std::int64_t> counts;

  std::int64_t count(std::int64_t true_class, std::int64_t predicted_class) const {
    return counts[static_cast<std::size_t>(true_class * num_classes + predicted_class)];
  }
};

// How precision, recall and F1 combine the per-class scores (sklearn's `average` argument):
//   binary:   the score of class 1 alone (needs num_classes == 2);
//   macro:    the unweighted mean over the classes present in the labels or the predictions
//             (sklearn infers its label set from both, so a class absent from both is left out);
//   weighted: the mean weighted by each class's support (number of true rows).
// A score whose denominator is zero counts as 0 (sklearn's zero_division=0).
enum class Average { binary, macro, weighted };

// Fraction of rows whose predicted class equals the true class.
double accuracy(std::span<const float> labels, std::span<const float> predictions);

ConfusionMatrix confusion_matrix(std::span<const float> labels, std::span<const float> predictions,
                                 std::int64_t num_classes);

// Per class c: precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2 P R / (P + R);
// F1 is averaged per class, not computed from the averaged precision and recall.
double precision_score(const ConfusionMatrix& confusion, Average average);
double recall_score(const ConfusionMatrix& confusion, Average average);
double f1_score(const ConfusionMatrix& confusion, Average average);
double precision_score(std::span<const float> labels, std::span<const float> predictions, std::int64_t num_classes,
                       Average average);
double recall_score(std::span<const float> labels, std::span<const float> predictions, std::int64_t num_classes,
                    Average average);
double f1_score(std::span<const float> labels, std::span<const float> predictions, std::int64_t num_classes,
                Average average);

// Area under the ROC curve for 0/1 labels and scores where larger means "more likely class 1".
// Rows with equal scores form one threshold, and the curve between thresholds is a straight
// line (trapezoid), as in sklearn.metrics.roc_auc_score; a tie between a positive and a
// negative row therefore counts one half. Both classes must be present.
double roc_auc_score(std::span<const float> labels, std::span<const float> scores);

// Area under the precision-recall curve as sklearn.metrics.average_precision_score defines it:
// AP = Σ_k (R_k - R_{k-1}) P_k over the distinct score thresholds in decreasing order, a step
// function with no interpolation between points (not the trapezoid, which is optimistic).
// Needs at least one row of class 1.
double average_precision_score(std::span<const float> labels, std::span<const float> scores);

// Mean negative log-likelihood of the true class. Probabilities are clipped to [1e-15, 1 - 1e-15]
// and each row is then divided by its sum, as sklearn.metrics.log_loss does with eps=1e-15 (its
// default before version 1.2).
// Binary: `positive_probabilities` holds P(class 1) per row; labels are 0 or 1.
double binary_log_loss(std::span<const float> labels, std::span<const float> positive_probabilities);
// Multiclass: `probabilities` is [rows, num_classes].
double multiclass_log_loss(std::span<const float> labels, std::span<const float> probabilities,
                           std::int64_t num_classes);

// Fraction of rows whose true class is among the k highest scores of `scores` [rows, num_classes].
// Ties count against the true class: a row is a hit when fewer than k other classes score at
// least as high as the true class, so a hit never depends on how ties are broken. (sklearn's
// top_k_accuracy_score breaks ties by class index instead; the two agree when there are no ties.)
double top_k_accuracy(std::span<const float> labels, std::span<const float> scores, std::int64_t num_classes,
                      std::int64_t k);

// Predicted classes from probabilities: 1 where P(class 1) > threshold, else 0 (so a row at
// exactly 0.5 is class 0, as with sklearn's classifiers).
std::vector<float> threshold_classes(std::span<const float> positive_probabilities, float threshold);
// Predicted classes from [rows, num_classes] scores: the column of the largest score, the first
// one on ties (numpy's argmax).
std::vector<float> argmax_classes(std::span<const float> scores, std::int64_t num_classes);

}  // namespace tern
