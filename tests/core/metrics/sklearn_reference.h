// Inputs and reference values shared by the metric tests. Every reference value was computed
// with scikit-learn 1.2.1 (numpy 1.24.2) from these exact float32 values, widened to float64
// before the call. The comment above each value gives the sklearn.metrics call, where y and s
// (or P, p, t) are the arrays of its section, so any value can be checked by rerunning the call.
#pragma once

#include <cstdint>
#include <vector>

namespace tern::sklearn_reference {

// Binary: 30 rows, 9 positives, scores on a 0.05 grid (15 distinct values, positives and
// negatives tied at 0.5, a positive at exactly 1.0). Predictions are s > 0.5.
inline const std::vector<float> binary_labels = {0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0,
                                                 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1};
inline const std::vector<float> binary_scores = {0.5f,  0.4f,  1.0f,  0.2f, 0.4f, 0.5f, 0.4f, 0.3f,  0.5f, 0.7f,
                                                 0.9f,  0.55f, 0.5f,  0.4f, 0.7f, 0.0f, 0.5f, 0.15f, 0.5f, 0.35f,
                                                 0.05f, 0.4f,  0.25f, 0.3f, 0.0f, 0.2f, 0.6f, 0.3f,  0.2f, 0.65f};

// accuracy_score(y, s > 0.5)
inline constexpr double binary_accuracy = 0.8666666666666667;
// precision_score(y, s > 0.5)
inline constexpr double binary_precision = 0.8571428571428571;
// recall_score(y, s > 0.5)
inline constexpr double binary_recall = 0.6666666666666666;
// f1_score(y, s > 0.5)
inline constexpr double binary_f1 = 0.75;
// confusion_matrix(y, s > 0.5) = [[20, 1], [3, 6]]
inline const std::vector<std::int64_t> binary_confusion_counts = {20, 1, 3, 6};
// roc_auc_score(y, s)
inline constexpr double binary_roc_auc = 0.9126984126984128;
// average_precision_score(y, s)
inline constexpr double binary_average_precision = 0.7745828245828248;
// log_loss(y, s, eps=1e-15, labels=[0, 1])
inline constexpr double binary_log_loss = 0.4331887625934525;

// Multiclass: 36 rows of 4 classes (15, 10, 7, 4 rows), P [36, 4] rounded to 3 decimals so
// rows sum to between 0.999 and 1.001 (log_loss renormalizes them); no ties within a row.
// Predictions are P.argmax(1).
inline const std::vector<float> multiclass_labels = {0, 0, 1, 0, 1, 2, 3, 1, 1, 0, 0, 1, 0, 0, 0, 1, 2, 0,
                                                     2, 0, 0, 0, 1, 1, 0, 2, 2, 2, 0, 1, 0, 1, 3, 3, 2, 3};
// One row per line; the comment gives the row's true class.
inline const std::vector<float> multiclass_probabilities = {
    0.095f, 0.774f, 0.083f, 0.047f,  // row 0, class 0
    0.685f, 0.069f, 0.212f, 0.034f,  // row 1, class 0
    0.392f, 0.178f, 0.276f, 0.153f,  // row 2, class 1
    0.479f, 0.277f, 0.134f, 0.11f,   // row 3, class 0
    0.053f, 0.82f,  0.013f, 0.114f,  // row 4, class 1
    0.328f, 0.036f, 0.447f, 0.188f,  // row 5, class 2
    0.017f, 0.123f, 0.101f, 0.759f,  // row 6, class 3
    0.085f, 0.492f, 0.352f, 0.071f,  // row 7, class 1
    0.202f, 0.26f,  0.444f, 0.094f,  // row 8, class 1
    0.685f, 0.08f,  0.155f, 0.081f,  // row 9, class 0
    0.666f, 0.037f, 0.061f, 0.236f,  // row 10, class 0
    0.039f, 0.551f, 0.363f, 0.047f,  // row 11, class 1
    0.274f, 0.048f, 0.541f, 0.137f,  // row 12, class 0
    0.438f, 0.044f, 0.062f, 0.456f,  // row 13, class 0
    0.456f, 0.111f, 0.366f, 0.067f,  // row 14, class 0
    0.578f, 0.265f, 0.069f, 0.088f,  // row 15, class 1
    0.202f, 0.392f, 0.321f, 0.085f,  // row 16, class 2
    0.438f, 0.178f, 0.305f, 0.079f,  // row 17, class 0
    0.158f, 0.022f, 0.8f,   0.02f,   // row 18, class 2
    0.269f, 0.107f, 0.243f, 0.38f,   // row 19, class 0
    0.291f, 0.556f, 0.037f, 0.116f,  // row 20, class 0
    0.512f, 0.347f, 0.076f, 0.065f,  // row 21, class 0
    0.233f, 0.622f, 0.113f, 0.032f,  // row 22, class 1
    0.155f, 0.444f, 0.294f, 0.108f,  // row 23, class 1
    0.142f, 0.173f, 0.209f, 0.475f,  // row 24, class 0
    0.06f,  0.027f, 0.801f, 0.112f,  // row 25, class 2
    0.035f, 0.055f, 0.883f, 0.028f,  // row 26, class 2
    0.296f, 0.115f, 0.321f, 0.268f,  // row 27, class 2
    0.247f, 0.12f,  0.584f, 0.049f,  // row 28, class 0
    0.638f, 0.064f, 0.044f, 0.254f,  // row 29, class 1
    0.236f, 0.1f,   0.304f, 0.36f,   // row 30, class 0
    0.247f, 0.293f, 0.284f, 0.177f,  // row 31, class 1
    0.401f, 0.182f, 0.056f, 0.361f,  // row 32, class 3
    0.03f,  0.267f, 0.222f, 0.481f,  // row 33, class 3
    0.031f, 0.081f, 0.788f, 0.1f,    // row 34, class 2
    0.165f, 0.46f,  0.276f, 0.098f,  // row 35, class 3
};

// accuracy_score(y, P.argmax(1))
inline constexpr double multiclass_accuracy = 0.5833333333333334;
// precision_score(y, P.argmax(1), average='macro')
inline constexpr double multiclass_precision_macro = 0.5590909090909091;
// recall_score(y, P.argmax(1), average='macro')
inline constexpr double multiclass_recall_macro = 0.6059523809523809;
// f1_score(y, P.argmax(1), average='macro')
inline constexpr double multiclass_f1_macro = 0.5721153846153846;
// precision_score(y, P.argmax(1), average='weighted')
inline constexpr double multiclass_precision_weighted = 0.5984848484848484;
// recall_score(y, P.argmax(1), average='weighted')
inline constexpr double multiclass_recall_weighted = 0.5833333333333334;
// f1_score(y, P.argmax(1), average='weighted')
inline constexpr double multiclass_f1_weighted = 0.581303418803419;
// log_loss(y, P, eps=1e-15, labels=[0, 1, 2, 3])
inline constexpr double multiclass_log_loss = 0.9832230686537498;
// top_k_accuracy_score(y, P, k=1, labels=[0, 1, 2, 3]), and k=2, k=3
inline constexpr double multiclass_top_1_accuracy = 0.5833333333333334;
inline constexpr double multiclass_top_2_accuracy = 0.8611111111111112;
inline constexpr double multiclass_top_3_accuracy = 0.9444444444444444;
// confusion_matrix(y, P.argmax(1)) = [[7, 2, 2, 4], [3, 6, 1, 0], [0, 1, 6, 0], [1, 1, 0, 2]]
inline const std::vector<std::int64_t> multiclass_confusion_counts = {7, 2, 2, 4, 3, 6, 1, 0, 0, 1, 6, 0, 1, 1, 0, 2};

// Classes with zero denominators: class 3 is never predicted, class 4 is predicted but never
// true. Tern is given num_classes = 5; sklearn infers the labels 0..4 from y and p.
inline const std::vector<float> absent_class_labels = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1,
                                                       2, 2, 2, 2, 3, 3, 3, 0, 1, 2, 3, 0, 0};
inline const std::vector<float> absent_class_predictions = {0, 0, 0, 1, 0, 4, 0, 2, 1, 1, 0, 1, 2,
                                                            2, 2, 4, 0, 1, 2, 0, 0, 1, 2, 0, 1, 0};

// accuracy_score(y, p)
inline constexpr double absent_class_accuracy = 0.5384615384615384;
// precision_score(y, p, average='macro', zero_division=0)
inline constexpr double absent_class_precision_macro = 0.34155844155844156;
// recall_score(y, p, average='macro', zero_division=0)
inline constexpr double absent_class_recall_macro = 0.38060606060606056;
// f1_score(y, p, average='macro', zero_division=0)
inline constexpr double absent_class_f1_macro = 0.3594405594405594;
// precision_score(y, p, average='weighted', zero_division=0)
inline constexpr double absent_class_precision_weighted = 0.49725274725274726;
// recall_score(y, p, average='weighted', zero_division=0)
inline constexpr double absent_class_recall_weighted = 0.5384615384615384;
// f1_score(y, p, average='weighted', zero_division=0)
inline constexpr double absent_class_f1_weighted = 0.5161377084454007;

// Regression: 32 rows; t from a noisy linear model of 3 features, p from a biased fit of it.
inline const std::vector<float> regression_targets = {
    2.58f, 4.31f, 1.65f, 0.63f, 3.18f, 0.32f, 2.54f, 3.59f, 0.48f, 1.64f,  0.76f, -1.29f, 0.6f,  2.0f,  1.34f, 2.83f,
    2.18f, 3.82f, 0.7f,  3.74f, 1.34f, 1.96f, 0.11f, 1.76f, 0.43f, -0.45f, 2.23f, 4.84f,  1.98f, 4.69f, 4.14f, -0.2f};
inline const std::vector<float> regression_predictions = {
    3.04f, 4.4f,  3.2f, 0.67f, 2.83f, 0.56f, 2.85f, 1.89f, 1.18f, 2.06f,  1.13f, -0.27f, 1.11f, 2.15f, 0.79f, 2.52f,
    2.49f, 3.05f, 2.0f, 2.86f, 1.17f, 1.4f,  0.8f,  1.2f,  0.59f, -0.01f, 2.18f, 3.86f,  1.77f, 4.48f, 3.61f, 0.37f};

// mean_squared_error(t, p)
inline constexpr double regression_mse = 0.4523937694856954;
// mean_squared_error(t, p, squared=False)
inline constexpr double regression_rmse = 0.6726022371994427;
// mean_absolute_error(t, p)
inline constexpr double regression_mae = 0.5362500182236545;
// r2_score(t, p)
inline constexpr double regression_r2 = 0.8133631836557856;
// 1 - (1 - r2_score(t, p)) * (32 - 1) / (32 - 3 - 1)   (sklearn has no adjusted R²)
inline constexpr double regression_adjusted_r2_3_features = 0.7933663819046198;

}  // namespace tern::sklearn_reference
