#include "core/algorithms/trees/tree_objective.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tern {

namespace {

constexpr double kMinHessian = 1e-16;

}  // namespace

double sigmoid(double margin) { return 1.0 / (1.0 + std::exp(-margin)); }

TreeObjective TreeObjective::named(const std::string& name, std::int64_t num_class, double scale_pos_weight) {
  TreeObjective objective;
  objective.name_ = name;
  objective.scale_pos_weight_ = scale_pos_weight;
  if (name == "reg:squarederror") objective.kind_ = ObjectiveKind::squared_error;
  else if (name == "reg:logistic") objective.kind_ = ObjectiveKind::logistic_regression;
  else if (name == "binary:logistic") objective.kind_ = ObjectiveKind::binary_logistic;
  else if (name == "binary:logitraw") objective.kind_ = ObjectiveKind::binary_logitraw;
  else if (name == "multi:softmax") objective.kind_ = ObjectiveKind::multi_softmax;
  else if (name == "multi:softprob") objective.kind_ = ObjectiveKind::multi_softprob;
  else if (name == "reg:absoluteerror") objective.kind_ = ObjectiveKind::absolute_error;
  else
    throw Error("hyperparameter 'objective': unknown objective '" + name +
                "' (known: reg:squarederror, reg:logistic, binary:logistic, binary:logitraw, multi:softmax, "
                "multi:softprob, reg:absoluteerror)");
  const bool multiclass = objective.kind_ == ObjectiveKind::multi_softmax || objective.kind_ == ObjectiveKind::multi_softprob;
  if (multiclass) {
    TERN_CHECK(num_class >= 2, "hyperparameter 'num_class' (at least 2) is required for objective ", name);
    objective.outputs_ = num_class;
  } else {
    TERN_CHECK(num_class <= 1, "hyperparameter 'num_class' applies to the multi:* objectives, not ", name);
  }
  return objective;
}

TaskKind TreeObjective::task() const {
  switch (kind_) {
    case ObjectiveKind::binary_logistic:
    case ObjectiveKind::binary_logitraw: return TaskKind::binary_classification;
    case ObjectiveKind::multi_softmax:
    case ObjectiveKind::multi_softprob: return TaskKind::multiclass_classification;
    default: return TaskKind::regression;
  }
}

std::string TreeObjective::default_metric() const {
  switch (kind_) {
    case ObjectiveKind::binary_logistic:
    case ObjectiveKind::binary_logitraw: return "logloss";
    case ObjectiveKind::multi_softmax:
    case ObjectiveKind::multi_softprob: return "mlogloss";
    case ObjectiveKind::absolute_error: return "mae";
    default: return "rmse";
  }
}

double TreeObjective::base_margin(double base_score) const {
  const bool logistic = kind_ == ObjectiveKind::logistic_regression || kind_ == ObjectiveKind::binary_logistic ||
                        kind_ == ObjectiveKind::binary_logitraw;
  if (!logistic) return base_score;
  TERN_CHECK(base_score > 0.0 && base_score < 1.0, "hyperparameter 'base_score' (", base_score,
             ") must lie in (0, 1) for objective ", name_, ": it is a probability there");
  return std::log(base_score / (1.0 - base_score));
}

void TreeObjective::gradients(const float* margins, const float* labels, const float* weights, std::int64_t rows,
                              double* grad, double* hess) const {
  switch (kind_) {
    case ObjectiveKind::squared_error:
      for (std::int64_t r = 0; r < rows; ++r) {
        grad[r] = (static_cast<double>(margins[r]) - labels[r]) * weights[r];
        hess[r] = weights[r];
      }
      return;
    case ObjectiveKind::absolute_error:
      for (std::int64_t r = 0; r < rows; ++r) {
        const double residual = static_cast<double>(margins[r]) - labels[r];
        grad[r] = static_cast<double>((residual > 0.0 ? 1 : 0) - (residual < 0.0 ? 1 : 0)) * weights[r];  // sign, branch-free
        hess[r] = weights[r];
      }
      return;
    case ObjectiveKind::logistic_regression:
    case ObjectiveKind::binary_logistic:
    case ObjectiveKind::binary_logitraw: {
      // A positive row's weight factor, looked up rather than chosen by a branch, which would be
      // mispredicted as often as the labels alternate.
      const double factor[2] = {1.0, scale_pos_weight_};
      for (std::int64_t r = 0; r < rows; ++r) {
        const double p = sigmoid(margins[r]);
        const double row_weight = weights[r] * factor[labels[r] == 1.0f ? 1 : 0];
        grad[r] = (p - labels[r]) * row_weight;
        hess[r] = std::max(p * (1.0 - p), kMinHessian) * row_weight;
      }
      return;
    }
    case ObjectiveKind::multi_softmax:
    case ObjectiveKind::multi_softprob:
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row_margins = margins + r * outputs_;
        const double largest = *std::max_element(row_margins, row_margins + outputs_);
        double total = 0.0;
        for (std::int64_t k = 0; k < outputs_; ++k) total += std::exp(row_margins[k] - largest);
        for (std::int64_t k = 0; k < outputs_; ++k) {
          const double p = std::exp(row_margins[k] - largest) / total;
          grad[r * outputs_ + k] = (p - (static_cast<std::int64_t>(labels[r]) == k ? 1.0 : 0.0)) * weights[r];
          hess[r * outputs_ + k] = std::max(2.0 * p * (1.0 - p), kMinHessian) * weights[r];
        }
      }
      return;
  }
}

std::optional<std::pair<double, double>> TreeObjective::gradient_bounds() const {
  switch (kind_) {
    case ObjectiveKind::squared_error: return std::nullopt;
    case ObjectiveKind::absolute_error: return std::pair{1.0, 1.0};  // |sign| <= 1, h = 1
    case ObjectiveKind::multi_softmax:
    case ObjectiveKind::multi_softprob: return std::pair{1.0, 0.5};  // |p − [y=k]| <= 1, 2p(1 − p) <= 1/2
    default: {
      const double positive = std::max(1.0, scale_pos_weight_);  // |p − y| <= 1, p(1 − p) <= 1/4
      return std::pair{positive, 0.25 * positive};
    }
  }
}

void TreeObjective::transform(const float* margins, float* scores) const {
  switch (kind_) {
    case ObjectiveKind::logistic_regression:
    case ObjectiveKind::binary_logistic: scores[0] = static_cast<float>(sigmoid(margins[0])); return;
    case ObjectiveKind::multi_softmax:
    case ObjectiveKind::multi_softprob: {
      const double largest = *std::max_element(margins, margins + outputs_);
      double total = 0.0;
      for (std::int64_t k = 0; k < outputs_; ++k) total += std::exp(margins[k] - largest);
      for (std::int64_t k = 0; k < outputs_; ++k) scores[k] = static_cast<float>(std::exp(margins[k] - largest) / total);
      return;
    }
    default: scores[0] = margins[0]; return;
  }
}

void TreeObjective::check_labels(const float* labels, std::int64_t rows, const std::string& where,
                                 std::int64_t first_row) const {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float y = labels[r];
    TERN_CHECK(std::isfinite(y), where, " row ", first_row + r, ": label ", y, " is not a finite number");
    switch (kind_) {
      case ObjectiveKind::logistic_regression:
        TERN_CHECK(y >= 0.0f && y <= 1.0f, where, " row ", first_row + r, ": label ", y, " must lie in [0, 1] for ",
                   name_);
        break;
      case ObjectiveKind::binary_logistic:
      case ObjectiveKind::binary_logitraw:
        TERN_CHECK(y == 0.0f || y == 1.0f, where, " row ", first_row + r, ": label ", y, " must be 0 or 1 for ", name_);
        break;
      case ObjectiveKind::multi_softmax:
      case ObjectiveKind::multi_softprob:
        TERN_CHECK(y >= 0.0f && y < static_cast<float>(outputs_) && y == std::floor(y), where, " row ", first_row + r,
                   ": label ", y, " must be a class in [0, ", outputs_, ") (num_class = ", outputs_, ")");
        break;
      default: break;
    }
  }
}

}  // namespace tern
