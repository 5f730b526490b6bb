// The learning objectives of gbdt, with XGBoost's names and semantics. Boosting fits each tree
// to the first and second derivatives of the loss at the current margins m (the raw sum of the
// base margin and the trees' leaf values):
//
//   reg:squarederror    ℓ = ½(m − y)²                      g = m − y          h = 1
//   reg:logistic,       p = σ(m) = 1/(1 + e^−m)
//   binary:logistic,    ℓ = −y ln p − (1 − y) ln(1 − p)     g = p − y          h = p(1 − p)
//   binary:logitraw
//   multi:softmax,      p_k = e^{m_k} / Σ_j e^{m_j}
//   multi:softprob      ℓ = −ln p_y                         g_k = p_k − [y=k]  h_k = 2 p_k(1 − p_k)
//   reg:absoluteerror   ℓ = |m − y|                         g = sign(m − y)    h = 1
//
// Each (g, h) is multiplied by the row's weight, and for the logistic objectives a positive
// row's by scale_pos_weight. Three departures from the exact derivatives are XGBoost's and are
// kept so that the trees take XGBoost's steps: the logistic hessian is floored at 1e-16; the
// softmax hessian is 2 p(1 − p), twice the diagonal of the true one (an upper bound that keeps
// the Newton step of K coupled outputs conservative); and absolute error, whose second
// derivative is 0, uses h = 1 to grow the tree and then sets each leaf to the weighted median
// of its rows' residuals y − m (tree_grower.h).
//
// The margin starts at base_margin(base_score): base_score itself, or its logit for the
// logistic objectives (base_score is a probability there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/data/validation.h"

namespace tern {

enum class ObjectiveKind { squared_error, logistic_regression, binary_logistic, binary_logitraw, multi_softmax,
                           multi_softprob, absolute_error };

// σ(m) = 1 / (1 + e^−m): a logistic margin's probability.
double sigmoid(double margin);

class TreeObjective {
 public:
  // Throws for an unknown name, or for multi:* without num_class >= 2.
  static TreeObjective named(const std::string& name, std::int64_t num_class, double scale_pos_weight);

  const std::string& name() const { return name_; }
  ObjectiveKind kind() const { return kind_; }
  // Margins a row has: num_class for multi:*, else 1.
  std::int64_t outputs() const { return outputs_; }
  TaskKind task() const;
  // The XGBoost metric an objective reports when eval_metric is not given.
  std::string default_metric() const;
  // The margin every row starts from.
  double base_margin(double base_score) const;
  // Whether each leaf is re-estimated as the median residual after the tree is grown.
  bool median_leaves() const { return kind_ == ObjectiveKind::absolute_error; }

  // g and h [rows × outputs()] of rows with margins [rows × outputs()], labels and weights [rows].
  void gradients(const float* margins, const float* labels, const float* weights, std::int64_t rows, double* grad,
                 double* hess) const;
  // Bounds on any row's |g| and h per unit of its |weight|, known before any gradient is: for
  // every objective but squared error, whose g = w(m − y) has none.
  std::optional<std::pair<double, double>> gradient_bounds() const;
  // What predict reports of a row's margins: probabilities for the logistic and softmax
  // objectives, the margin itself for the others (and for binary:logitraw).
  void transform(const float* margins, float* scores) const;

  // Throws unless every label suits the objective: in [0, 1] for the logistic ones (0 or 1 for
  // binary:*), a class in [0, num_class) for multi:*; `where` names the channel and file.
  void check_labels(const float* labels, std::int64_t rows, const std::string& where, std::int64_t first_row) const;

 private:
  std::string name_;
  ObjectiveKind kind_ = ObjectiveKind::squared_error;
  std::int64_t outputs_ = 1;
  double scale_pos_weight_ = 1.0;
};

}  // namespace tern
