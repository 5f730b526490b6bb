#include "core/algorithms/hyperparameters.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tern {
namespace {

// The message of the tern::Error that `action` throws.
template <typename Action>
std::string error_of(Action action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Hyperparameters, ParsesStringsAndRecordsResolvedValues) {
  HyperparameterReader read("mlp", {{"epochs", "5"}, {"learning_rate", "1e-3"}, {"hidden_sizes", "[64, 32]"},
                                    {"normalize_data", "False"}, {"mini_batch_size", "full"}});
  EXPECT_EQ(read.integer("epochs", 1, Range::at_least(1)), 5);
  EXPECT_DOUBLE_EQ(read.real("learning_rate", 0.1, Range::positive()), 1e-3);
  EXPECT_EQ(read.integer_list("hidden_sizes", {}), (std::vector<std::int64_t>{64, 32}));
  EXPECT_FALSE(read.boolean("normalize_data", true));
  EXPECT_EQ(read.integer_or_keyword("mini_batch_size", "32", "full", 1000), 1000);
  EXPECT_EQ(read.choice("optimizer", "adam", {"sgd", "adam"}), "adam");
  EXPECT_NO_THROW(read.finish());
  EXPECT_EQ(read.resolved().at("optimizer"), "adam");
  EXPECT_EQ(read.resolved().at("epochs"), 5);
}

TEST(Hyperparameters, IllTypedAndOutOfRangeValuesNameTheHyperparameter) {
  HyperparameterReader read("mlp", {{"epochs", "2.5"}, {"dropout", "1.5"}, {"optimizer", "lbfgs"}, {"seed", "x"}});
  EXPECT_NE(error_of([&] { read.integer("epochs", 1); }).find("'epochs' of mlp: expected an integer, got '2.5'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read.real("dropout", 0, Range::between(0, 0.99)); }).find("'dropout' of mlp must be in [0, 0.99]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read.choice("optimizer", "adam", {"sgd", "adam"}); }).find("expected one of sgd, adam"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read.integer("seed", 0); }).find("'seed'"), std::string::npos);
}

TEST(Hyperparameters, UnknownNameIsAnErrorListingTheKnownOnes) {
  HyperparameterReader read("mlp", {{"epochs", "3"}, {"epoch", "3"}});
  read.integer("epochs", 1);
  const std::string message = error_of([&] { read.finish(); });
  EXPECT_NE(message.find("unknown hyperparameter 'epoch' for algorithm mlp"), std::string::npos) << message;
  EXPECT_NE(message.find("known: epochs"), std::string::npos) << message;
}

}  // namespace
}  // namespace tern
