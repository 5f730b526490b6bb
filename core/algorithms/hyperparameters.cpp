#include "core/algorithms/hyperparameters.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "core/error.h"

namespace tern {

namespace {
std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\n\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\n\r") - first + 1);
}

std::string describe(Range range) {
  std::ostringstream out;
  if (range.min && range.max) {
    out << "in [" << *range.min << ", " << *range.max << "]";
  } else if (range.min) {
    out << (range.min_exclusive ? "> " : ">= ") << *range.min;
  } else if (range.max) {
    out << "<= " << *range.max;
  }
  return out.str();
}
}  // namespace

HyperparameterReader::HyperparameterReader(std::string algorithm, HyperparameterMap given)
    : algorithm_(std::move(algorithm)), given_(std::move(given)) {}

std::optional<std::string> HyperparameterReader::take(const std::string& name) {
  read_.insert(name);
  const auto found = given_.find(name);
  if (found == given_.end()) return std::nullopt;
  return trim(found->second);
}

double HyperparameterReader::parse_number(const std::string& name, const std::string& text, Range range,
                                          bool integral) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool parsed = error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
  const bool whole = parsed && std::floor(value) == value;
  TERN_CHECK(parsed && (!integral || whole), "hyperparameter '", name, "' of ", algorithm_, ": expected ",
             integral ? "an integer" : "a number", ", got '", text, "'");
  const bool above_min = !range.min || (range.min_exclusive ? value > *range.min : value >= *range.min);
  const bool below_max = !range.max || value <= *range.max;
  TERN_CHECK(above_min && below_max, "hyperparameter '", name, "' of ", algorithm_, " must be ", describe(range),
             ", got ", text);
  return value;
}

double HyperparameterReader::real(const std::string& name, double default_value, Range range) {
  const auto text = take(name);
  const double value = text ? parse_number(name, *text, range, false) : default_value;
  resolved_[name] = value;
  return value;
}

std::int64_t HyperparameterReader::integer(const std::string& name, std::int64_t default_value, Range range) {
  const auto text = take(name);
  const auto value = text ? static_cast<std::int64_t>(parse_number(name, *text, range, true)) : default_value;
  resolved_[name] = value;
  return value;
}

bool HyperparameterReader::boolean(const std::string& name, bool default_value) {
  const auto text = take(name);
  bool value = default_value;
  if (text) {
    std::string lower = *text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    TERN_CHECK(lower == "true" || lower == "false" || lower == "1" || lower == "0", "hyperparameter '", name,
               "' of ", algorithm_, ": expected true or false, got '", *text, "'");
    value = lower == "true" || lower == "1";
  }
  resolved_[name] = value;
  return value;
}

std::string HyperparameterReader::text(const std::string& name, const std::string& default_value) {
  const std::string value = take(name).value_or(default_value);
  resolved_[name] = value;
  return value;
}

std::string HyperparameterReader::choice(const std::string& name, const std::string& default_value,
                                         const std::vector<std::string>& choices) {
  const std::string value = take(name).value_or(default_value);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    std::string allowed;
    for (const auto& option : choices) allowed += (allowed.empty() ? "" : ", ") + option;
    throw Error("hyperparameter '" + name + "' of " + algorithm_ + ": expected one of " + allowed + ", got '" +
                value + "'");
  }
  resolved_[name] = value;
  return value;
}

std::vector<std::int64_t> HyperparameterReader::integer_list(const std::string& name,
                                                             const std::vector<std::int64_t>& default_value,
                                                             Range range) {
  const auto text = take(name);
  std::vector<std::int64_t> values = default_value;
  if (text) {
    std::string inner = *text;
    if (!inner.empty() && inner.front() == '[') inner = inner.substr(1);
    if (!inner.empty() && inner.back() == ']') inner.pop_back();
    values.clear();
    std::stringstream items(inner);
    std::string item;
    while (std::getline(items, item, ',')) {
      values.push_back(static_cast<std::int64_t>(parse_number(name, trim(item), range, true)));
    }
  }
  resolved_[name] = values;
  return values;
}

std::int64_t HyperparameterReader::integer_or_keyword(const std::string& name, const std::string& default_value,
                                                      const std::string& keyword, std::int64_t keyword_value,
                                                      Range range) {
  const std::string text = take(name).value_or(default_value);
  resolved_[name] = text;
  if (text == keyword) return keyword_value;
  return static_cast<std::int64_t>(parse_number(name, text, range, true));
}

std::optional<double> HyperparameterReader::real_or_keyword(const std::string& name, const std::string& default_value,
                                                            const std::string& keyword, Range range) {
  const std::string text = take(name).value_or(default_value);
  resolved_[name] = text;
  if (text == keyword) return std::nullopt;
  return parse_number(name, text, range, false);
}

void HyperparameterReader::finish() const {
  for (const auto& [name, value] : given_) {
    if (read_.contains(name)) continue;
    std::string known;
    for (const auto& known_name : read_) known += (known.empty() ? "" : ", ") + known_name;
    throw Error("unknown hyperparameter '" + name + "' for algorithm " + algorithm_ + " (known: " + known + ")");
  }
}

}  // namespace tern
