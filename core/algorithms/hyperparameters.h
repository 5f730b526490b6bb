// Hyperparameters arrive as strings, exactly as in a hyperparameters.json ({"epochs": "10"}).
// An algorithm reads each one it knows through HyperparameterReader, which parses the string,
// checks its type and range and names the hyperparameter in any error; `finish()` then
// rejects every name the algorithm did not read (a misspelt name is an error, not ignored).
// The resolved values, defaults included, go into job.json.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tern {

using HyperparameterMap = std::map<std::string, std::string>;

// Bounds of a numeric hyperparameter; unset means unbounded on that side.
struct Range {
  std::optional<double> min, max;
  bool min_exclusive = false;

  static Range positive() { return {0.0, std::nullopt, true}; }
  static Range non_negative() { return {0.0, std::nullopt, false}; }
  static Range at_least(double low) { return {low, std::nullopt, false}; }
  static Range between(double low, double high) { return {low, high, false}; }
};

class HyperparameterReader {
 public:
  HyperparameterReader(std::string algorithm, HyperparameterMap given);

  double real(const std::string& name, double default_value, Range range = {});
  std::int64_t integer(const std::string& name, std::int64_t default_value, Range range = {});
  bool boolean(const std::string& name, bool default_value);
  // Free text, for the algorithm to parse (gbdt's eval_metric list).
  std::string text(const std::string& name, const std::string& default_value);
  // One of `choices`.
  std::string choice(const std::string& name, const std::string& default_value,
                     const std::vector<std::string>& choices);
  // A comma-separated list of integers, brackets optional: "512,256" or "[512, 256]".
  std::vector<std::int64_t> integer_list(const std::string& name, const std::vector<std::int64_t>& default_value,
                                         Range range = {});
  // An integer or a keyword standing for a special value (mini_batch_size=full).
  std::int64_t integer_or_keyword(const std::string& name, const std::string& default_value,
                                  const std::string& keyword, std::int64_t keyword_value, Range range = {});
  // A number, or a keyword standing for "choose for me" (learning_rate=auto): nullopt for the
  // keyword.
  std::optional<double> real_or_keyword(const std::string& name, const std::string& default_value,
                                        const std::string& keyword, Range range = {});
  bool given(const std::string& name) const { return given_.contains(name); }

  // Throws if any given hyperparameter was never read. Call after the last read.
  void finish() const;
  // Every hyperparameter read so far, with its resolved value.
  const nlohmann::json& resolved() const { return resolved_; }

 private:
  std::optional<std::string> take(const std::string& name);
  double parse_number(const std::string& name, const std::string& text, Range range, bool integral);

  std::string algorithm_;
  HyperparameterMap given_;
  std::set<std::string> read_;
  nlohmann::json resolved_ = nlohmann::json::object();
};

}  // namespace tern
