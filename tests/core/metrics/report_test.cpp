// The metric sets of report.h: names and order are stable, values match scikit-learn 1.2.1
// (sklearn_reference.h), undefined metrics are left out, and the confusion matrix table reads.
#include "core/metrics/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/core/metrics/sklearn_reference.h"

namespace tern {
namespace {

namespace ref = sklearn_reference;

std::vector<std::string> names_of(const MetricValues& metrics) {
  std::vector<std::string> names;
  for (const auto& [name, value] : metrics) names.push_back(name);
  return names;
}

// Checks that `metrics` holds exactly `expected`, in order, with values equal to 1e-12 relative.
void expect_metrics(const MetricValues& metrics, const MetricValues& expected) {
  ASSERT_EQ(names_of(metrics), names_of(expected));
  for (std::size_t index = 0; index < expected.size(); ++index) {
    EXPECT_NEAR(metrics[index].second, expected[index].second, 1e-12 * std::abs(expected[index].second))
        << expected[index].first;
  }
}

TEST(MetricReport, BinaryMatchesSklearn) {
  expect_metrics(binary_classification_metrics(ref::binary_labels, ref::binary_scores),
                 {{"accuracy", ref::binary_accuracy},
                  {"precision", ref::binary_precision},
                  {"recall", ref::binary_recall},
                  {"f1", ref::binary_f1},
                  {"roc_auc", ref::binary_roc_auc},
                  {"pr_auc", ref::binary_average_precision},
                  {"log_loss", ref::binary_log_loss}});
}

TEST(MetricReport, BinaryLeavesOutRankingMetricsTheLabelsDoNotDefine) {
  const std::vector<float> scores = {0.2f, 0.7f, 0.4f};
  EXPECT_EQ(names_of(binary_classification_metrics(std::vector<float>{0, 0, 0}, scores)),
            (std::vector<std::string>{"accuracy", "precision", "recall", "f1", "log_loss"}));
  EXPECT_EQ(names_of(binary_classification_metrics(std::vector<float>{1, 1, 1}, scores)),
            (std::vector<std::string>{"accuracy", "precision", "recall", "f1", "pr_auc", "log_loss"}));
}

TEST(MetricReport, MulticlassMatchesSklearn) {
  expect_metrics(multiclass_classification_metrics(ref::multiclass_labels, ref::multiclass_probabilities, 4),
                 {{"accuracy", ref::multiclass_accuracy},
                  {"precision_macro", ref::multiclass_precision_macro},
                  {"recall_macro", ref::multiclass_recall_macro},
                  {"f1_macro", ref::multiclass_f1_macro},
                  {"precision_weighted", ref::multiclass_precision_weighted},
                  {"recall_weighted", ref::multiclass_recall_weighted},
                  {"f1_weighted", ref::multiclass_f1_weighted},
                  {"log_loss", ref::multiclass_log_loss},
                  {"top_3_accuracy", ref::multiclass_top_3_accuracy}});
}

TEST(MetricReport, MulticlassOfThreeClassesHasNoTop3) {
  const std::vector<float> labels = {0, 1, 2, 2};
  const std::vector<float> probabilities = {0.7f, 0.2f,  0.1f,  //
                                            0.3f, 0.4f,  0.3f,  //
                                            0.1f, 0.1f,  0.8f,  //
                                            0.5f, 0.25f, 0.25f};
  const MetricValues metrics = multiclass_classification_metrics(labels, probabilities, 3);
  EXPECT_EQ(names_of(metrics),
            (std::vector<std::string>{"accuracy", "precision_macro", "recall_macro", "f1_macro", "precision_weighted",
                                      "recall_weighted", "f1_weighted", "log_loss"}));
  EXPECT_EQ(metrics[0].second, 0.75);
}

TEST(MetricReport, RegressionMatchesSklearn) {
  expect_metrics(regression_metrics(ref::regression_targets, ref::regression_predictions, 3),
                 {{"mse", ref::regression_mse},
                  {"rmse", ref::regression_rmse},
                  {"mae", ref::regression_mae},
                  {"r2", ref::regression_r2},
                  {"adjusted_r2", ref::regression_adjusted_r2_3_features}});
}

TEST(MetricReport, RegressionLeavesOutAdjustedR2WhenUndefined) {
  // 32 rows: adjusted R² needs num_features <= 30.
  EXPECT_EQ(names_of(regression_metrics(ref::regression_targets, ref::regression_predictions, 31)),
            (std::vector<std::string>{"mse", "rmse", "mae", "r2"}));
  EXPECT_EQ(names_of(regression_metrics(ref::regression_targets, ref::regression_predictions, 30)).size(), 5u);
}

TEST(MetricReport, ConfusionMatricesUseTheSameDecisions) {
  EXPECT_EQ(binary_confusion_matrix(ref::binary_labels, ref::binary_scores).counts, ref::binary_confusion_counts);
  const ConfusionMatrix multiclass =
      multiclass_confusion_matrix(ref::multiclass_labels, ref::multiclass_probabilities, 4);
  EXPECT_EQ(multiclass.num_classes, 4);
  EXPECT_EQ(multiclass.counts, ref::multiclass_confusion_counts);
}

TEST(MetricReport, ConfusionMatrixTable) {
  const ConfusionMatrix confusion =
      multiclass_confusion_matrix(ref::multiclass_labels, ref::multiclass_probabilities, 4);
  EXPECT_EQ(confusion_matrix_table(confusion),
            "true\\pred  0  1  2  3\n"
            "        0  7  2  2  4\n"
            "        1  3  6  1  0\n"
            "        2  0  1  6  0\n"
            "        3  1  1  0  2\n");
  EXPECT_EQ(confusion_matrix_table(ConfusionMatrix{2, {120, 3, 0, 45}}),
            "true\\pred    0    1\n"
            "        0  120    3\n"
            "        1    0   45\n");
  EXPECT_THROW(confusion_matrix_table(ConfusionMatrix{2, {1, 2, 3}}), Error);
}

TEST(MetricReport, InputErrorsPropagate) {
  const std::vector<float> labels = {0, 1, 1};
  EXPECT_THROW(binary_classification_metrics(labels, std::vector<float>{0.5f, 0.5f}), Error);
  EXPECT_THROW(binary_classification_metrics(std::vector<float>{0, 2, 1}, std::vector<float>{0.1f, 0.5f, 0.9f}), Error);
  EXPECT_THROW(multiclass_classification_metrics(labels, std::vector<float>(5, 0.2f), 2), Error);
  EXPECT_THROW(regression_metrics(labels, std::vector<float>{1.0f}, 0), Error);
  EXPECT_THROW(regression_metrics(std::vector<float>{}, std::vector<float>{}, 0), Error);
}

}  // namespace
}  // namespace tern
