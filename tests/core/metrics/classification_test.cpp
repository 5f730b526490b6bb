// Classification metrics against scikit-learn 1.2.1 (values in sklearn_reference.h), plus the
// edge cases sklearn defines (ties, clipping, zero denominators) and the input errors.
#include "core/metrics/classification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "tests/core/metrics/sklearn_reference.h"

namespace tern {
namespace {

namespace ref = sklearn_reference;

// Doubles agree with sklearn to rounding; 1e-12 relative leaves room for a different summation order.
void expect_close(double actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-12 * std::abs(expected)) << "expected " << expected;
}

std::vector<float> binary_predictions() { return threshold_classes(ref::binary_scores, 0.5f); }
std::vector<float> multiclass_predictions() { return argmax_classes(ref::multiclass_probabilities, 4); }

TEST(ClassificationMetrics, BinaryMatchesSklearn) {
  const std::vector<float> predictions = binary_predictions();
  expect_close(accuracy(ref::binary_labels, predictions), ref::binary_accuracy);
  expect_close(precision_score(ref::binary_labels, predictions, 2, Average::binary), ref::binary_precision);
  expect_close(recall_score(ref::binary_labels, predictions, 2, Average::binary), ref::binary_recall);
  expect_close(f1_score(ref::binary_labels, predictions, 2, Average::binary), ref::binary_f1);
  expect_close(roc_auc_score(ref::binary_labels, ref::binary_scores), ref::binary_roc_auc);
  expect_close(average_precision_score(ref::binary_labels, ref::binary_scores), ref::binary_average_precision);
  expect_close(binary_log_loss(ref::binary_labels, ref::binary_scores), ref::binary_log_loss);
}

TEST(ClassificationMetrics, BinaryConfusionMatrixMatchesSklearn) {
  const ConfusionMatrix confusion = confusion_matrix(ref::binary_labels, binary_predictions(), 2);
  EXPECT_EQ(confusion.num_classes, 2);
  EXPECT_EQ(confusion.counts, ref::binary_confusion_counts);
  EXPECT_EQ(confusion.count(1, 0), 3);  // false negatives
}

TEST(ClassificationMetrics, MulticlassMatchesSklearn) {
  const std::vector<float> predictions = multiclass_predictions();
  const ConfusionMatrix confusion = confusion_matrix(ref::multiclass_labels, predictions, 4);
  EXPECT_EQ(confusion.counts, ref::multiclass_confusion_counts);
  expect_close(accuracy(ref::multiclass_labels, predictions), ref::multiclass_accuracy);
  expect_close(precision_score(confusion, Average::macro), ref::multiclass_precision_macro);
  expect_close(recall_score(confusion, Average::macro), ref::multiclass_recall_macro);
  expect_close(f1_score(confusion, Average::macro), ref::multiclass_f1_macro);
  expect_close(precision_score(confusion, Average::weighted), ref::multiclass_precision_weighted);
  expect_close(recall_score(confusion, Average::weighted), ref::multiclass_recall_weighted);
  expect_close(f1_score(confusion, Average::weighted), ref::multiclass_f1_weighted);
  expect_close(multiclass_log_loss(ref::multiclass_labels, ref::multiclass_probabilities, 4), ref::multiclass_log_loss);
}

TEST(ClassificationMetrics, TopKMatchesSklearnWithoutTies) {
  const std::span<const float> labels = ref::multiclass_labels, scores = ref::multiclass_probabilities;
  expect_close(top_k_accuracy(labels, scores, 4, 1), ref::multiclass_top_1_accuracy);
  expect_close(top_k_accuracy(labels, scores, 4, 2), ref::multiclass_top_2_accuracy);
  expect_close(top_k_accuracy(labels, scores, 4, 3), ref::multiclass_top_3_accuracy);
  EXPECT_EQ(top_k_accuracy(labels, scores, 4, 4), 1.0);
  // Top-1 accuracy is the accuracy of the argmax when no row has a tie.
  expect_close(top_k_accuracy(labels, scores, 4, 1), accuracy(labels, multiclass_predictions()));
}

TEST(ClassificationMetrics, TopKCountsTiesAgainstTheTrueClass) {
  // Row 0: the true class 1 ties with class 0 for the top score; sklearn (ties broken by the
  // higher class index) would count it at k=1, Tern counts it from k=2 on.
  // Row 1: the true class 0 ties with class 2 for second place: a hit from k=3 on.
  // Row 2: the true class 2 is the unique top score: a hit at every k.
  const std::vector<float> labels = {1, 0, 2};
  const std::vector<float> scores = {0.5f, 0.5f, 0.0f,  //
                                     0.3f, 0.4f, 0.3f,  //
                                     0.1f, 0.1f, 0.8f};
  expect_close(top_k_accuracy(labels, scores, 3, 1), 1.0 / 3.0);
  expect_close(top_k_accuracy(labels, scores, 3, 2), 2.0 / 3.0);
  EXPECT_EQ(top_k_accuracy(labels, scores, 3, 3), 1.0);
}

TEST(ClassificationMetrics, MacroAverageSkipsClassesAbsentFromLabelsAndPredictions) {
  // Tern is told of 5 classes plus an unused sixth; sklearn saw only 0..4, and the unused class
  // must change neither average.
  for (const std::int64_t num_classes : {5, 6}) {
    const ConfusionMatrix confusion =
        confusion_matrix(ref::absent_class_labels, ref::absent_class_predictions, num_classes);
    expect_close(precision_score(confusion, Average::macro), ref::absent_class_precision_macro);
    expect_close(recall_score(confusion, Average::macro), ref::absent_class_recall_macro);
    expect_close(f1_score(confusion, Average::macro), ref::absent_class_f1_macro);
    expect_close(precision_score(confusion, Average::weighted), ref::absent_class_precision_weighted);
    expect_close(recall_score(confusion, Average::weighted), ref::absent_class_recall_weighted);
    expect_close(f1_score(confusion, Average::weighted), ref::absent_class_f1_weighted);
  }
  expect_close(accuracy(ref::absent_class_labels, ref::absent_class_predictions), ref::absent_class_accuracy);
}

TEST(ClassificationMetrics, ZeroDivisionGivesZero) {
  // No row predicted as class 1: precision and F1 of class 1 are 0/0.
  const std::vector<float> labels = {0, 1, 1, 0};
  const std::vector<float> predictions = {0, 0, 0, 0};
  EXPECT_EQ(precision_score(labels, predictions, 2, Average::binary), 0.0);
  EXPECT_EQ(recall_score(labels, predictions, 2, Average::binary), 0.0);
  EXPECT_EQ(f1_score(labels, predictions, 2, Average::binary), 0.0);
}

TEST(ClassificationMetrics, RankingEdgeCases) {
  // sklearn.metrics.roc_auc_score([0, 1, 0, 1, 1], [0.3] * 5) = 0.5 and
  // average_precision_score of the same = 0.6: one threshold, precision 3/5 at recall 1.
  const std::vector<float> labels = {0, 1, 0, 1, 1};
  const std::vector<float> tied_scores(5, 0.3f);
  EXPECT_EQ(roc_auc_score(labels, tied_scores), 0.5);
  expect_close(average_precision_score(labels, tied_scores), 0.6);
  // Perfect and reversed rankings.
  const std::vector<float> scores = {0.1f, 0.9f, 0.2f, 0.8f, 0.7f};
  EXPECT_EQ(roc_auc_score(labels, scores), 1.0);
  EXPECT_EQ(average_precision_score(labels, scores), 1.0);
  const std::vector<float> reversed = {0.9f, 0.1f, 0.8f, 0.2f, 0.3f};
  EXPECT_EQ(roc_auc_score(labels, reversed), 0.0);
  // average_precision_score([1, 1, 1], [0.1, 0.2, 0.3]) = 1.0: all positives is defined.
  const std::vector<float> all_positive = {1, 1, 1};
  EXPECT_EQ(average_precision_score(all_positive, std::vector<float>{0.1f, 0.2f, 0.3f}), 1.0);
}

TEST(ClassificationMetrics, LogLossClipsLikeSklearn) {
  // log_loss([1, 0, 1, 0], [0.0, 0.0, 1.0, 1.0], eps=1e-15, labels=[0, 1]) = 17.26958809681289
  expect_close(binary_log_loss(std::vector<float>{1, 0, 1, 0}, std::vector<float>{0.0f, 0.0f, 1.0f, 1.0f}),
               17.26958809681289);
  // log_loss([0, 2], [[0.0, 0.5, 0.5], [0.25, 0.75, 0.0]], eps=1e-15, labels=[0, 1, 2]) = 34.538776394910684
  const std::vector<float> probabilities = {0.0f, 0.5f, 0.5f, 0.25f, 0.75f, 0.0f};
  expect_close(multiclass_log_loss(std::vector<float>{0, 2}, probabilities, 3), 34.538776394910684);
}

TEST(ClassificationMetrics, PredictedClasses) {
  // Exactly at the threshold is class 0.
  EXPECT_EQ(threshold_classes(std::vector<float>{0.2f, 0.5f, 0.51f, 1.0f}, 0.5f), (std::vector<float>{0, 0, 1, 1}));
  // The first column wins a tie.
  EXPECT_EQ(argmax_classes(std::vector<float>{0.1f, 0.7f, 0.2f, 0.4f, 0.2f, 0.4f}, 3), (std::vector<float>{1, 0}));
}

TEST(ClassificationMetrics, SizeMismatchesAndEmptyInputsAreErrors) {
  const std::vector<float> labels = {0, 1, 1};
  const std::vector<float> two = {0, 1};
  const std::vector<float> empty;
  EXPECT_THROW(accuracy(labels, two), Error);
  EXPECT_THROW(accuracy(empty, empty), Error);
  EXPECT_THROW(confusion_matrix(labels, two, 2), Error);
  EXPECT_THROW(roc_auc_score(labels, two), Error);
  EXPECT_THROW(roc_auc_score(empty, empty), Error);
  EXPECT_THROW(average_precision_score(labels, two), Error);
  EXPECT_THROW(binary_log_loss(labels, two), Error);
  EXPECT_THROW(binary_log_loss(empty, empty), Error);
  // Three rows need 3 x 2 probabilities.
  EXPECT_THROW(multiclass_log_loss(labels, std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}, 2), Error);
  EXPECT_THROW(top_k_accuracy(labels, std::vector<float>{0.5f, 0.5f}, 2, 1), Error);
  EXPECT_THROW(top_k_accuracy(empty, empty, 2, 1), Error);
  EXPECT_THROW(argmax_classes(std::vector<float>{0.1f, 0.2f, 0.3f}, 2), Error);
}

TEST(ClassificationMetrics, LabelsOutOfRangeAreErrors) {
  const std::vector<float> labels = {0, 1, 2};
  const std::vector<float> scores = {0.2f, 0.6f, 0.9f};
  EXPECT_THROW(confusion_matrix(labels, labels, 2), Error);
  EXPECT_THROW(confusion_matrix(std::vector<float>{0, 1}, std::vector<float>{0, -1}, 2), Error);
  EXPECT_THROW(confusion_matrix(std::vector<float>{0, 0.5f}, std::vector<float>{0, 0}, 2), Error);
  EXPECT_THROW(roc_auc_score(labels, scores), Error);
  EXPECT_THROW(average_precision_score(labels, scores), Error);
  EXPECT_THROW(binary_log_loss(labels, scores), Error);
  EXPECT_THROW(multiclass_log_loss(labels, std::vector<float>(6, 0.5f), 2), Error);
  EXPECT_THROW(top_k_accuracy(labels, std::vector<float>(6, 0.5f), 2, 1), Error);
}

TEST(ClassificationMetrics, UndefinedMetricsAreErrors) {
  const std::vector<float> negatives = {0, 0, 0};
  const std::vector<float> positives = {1, 1, 1};
  const std::vector<float> scores = {0.2f, 0.6f, 0.9f};
  EXPECT_THROW(roc_auc_score(negatives, scores), Error);
  EXPECT_THROW(roc_auc_score(positives, scores), Error);
  EXPECT_THROW(average_precision_score(negatives, scores), Error);
  // The binary average needs exactly two classes.
  EXPECT_THROW(precision_score(ref::multiclass_labels, multiclass_predictions(), 4, Average::binary), Error);
  EXPECT_THROW(top_k_accuracy(positives, std::vector<float>(6, 0.5f), 2, 3), Error);
  EXPECT_THROW(top_k_accuracy(positives, std::vector<float>(6, 0.5f), 2, 0), Error);
  EXPECT_THROW(precision_score(ConfusionMatrix{2, {0, 0, 0}}, Average::macro), Error);
  EXPECT_THROW(recall_score(ConfusionMatrix{2, {0, 0, 0, 0}}, Average::macro), Error);
}

TEST(ClassificationMetrics, NonFiniteAndOutOfRangeScoresAreErrors) {
  const std::vector<float> labels = {0, 1};
  EXPECT_THROW(roc_auc_score(labels, std::vector<float>{0.1f, NAN}), Error);
  EXPECT_THROW(binary_log_loss(labels, std::vector<float>{0.1f, 1.5f}), Error);
  EXPECT_THROW(multiclass_log_loss(labels, std::vector<float>{0.5f, 0.5f, -0.1f, 1.1f}, 2), Error);
}

TEST(ClassificationMetrics, ErrorsNameTheMetricAndTheRow) {
  try {
    roc_auc_score(std::vector<float>{0, 1, 3}, std::vector<float>{0.1f, 0.2f, 0.3f});
    FAIL() << "expected tern::Error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "roc_auc_score: label at row 2 is 3, expected 0 or 1");
  }
}

}  // namespace
}  // namespace tern
