// The parts of the histogram method, each against an independent reference: the objectives'
// derivatives by finite differences, the binning against std::upper_bound, the split search
// against a split worked out by hand, missing values' default direction, fixed-point
// histograms on 1 and 2 threads (threads sharing a level's nodes' rows), the ranks' shares of
// the features, the tree grower's
// depth and leaf limits and its trees on 1 and 2 threads, CART's impurities
// against their textbook definitions, and the forest's Poisson bootstrap counts.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/algorithms/random_forest.h"
#include "core/algorithms/trees/cart.h"
#include "core/algorithms/trees/row_shares.h"
#include "core/algorithms/trees/tree_grower.h"
#include "core/algorithms/trees/tree_objective.h"

namespace tern {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

// The loss of one row at its margins, written out independently of TreeObjective.
double loss(const std::string& objective, const std::vector<double>& margins, float label) {
  const double m = margins[0];
  if (objective == "reg:squarederror") return 0.5 * (m - label) * (m - label);
  if (objective == "reg:absoluteerror") return std::abs(m - label);
  if (objective.starts_with("multi:")) {
    double total = 0.0;
    for (const double margin : margins) total += std::exp(margin);
    return -std::log(std::exp(margins[static_cast<std::size_t>(label)]) / total);
  }
  const double p = 1.0 / (1.0 + std::exp(-m));
  return -(label * std::log(p) + (1.0 - label) * std::log(1.0 - p));
}

TEST(TreeObjective, GradientAndHessianAreTheLossDerivatives) {
  const double h = 1e-4;
  for (const std::string name : {"reg:squarederror", "reg:logistic", "binary:logistic", "binary:logitraw",
                                 "multi:softmax", "multi:softprob", "reg:absoluteerror"}) {
    const bool multi = name.starts_with("multi:");
    const TreeObjective objective = TreeObjective::named(name, multi ? 3 : 0, 1.0);
    for (const float label : {0.0f, 1.0f, 2.0f}) {
      if (label == 2.0f && !multi && name != "reg:squarederror" && name != "reg:absoluteerror") continue;
      for (const std::vector<float>& at : {std::vector<float>{0.3f, -1.2f, 0.7f}, std::vector<float>{-2.5f, 0.4f, 1.9f}}) {
        const std::size_t outputs = static_cast<std::size_t>(objective.outputs());
        std::vector<double> grad(outputs), hess(outputs);
        const float weight = 1.0f;
        objective.gradients(at.data(), &label, &weight, 1, grad.data(), hess.data());
        for (std::size_t k = 0; k < outputs; ++k) {
          std::vector<double> plus(at.begin(), at.begin() + static_cast<std::ptrdiff_t>(outputs)), minus = plus,
              centre = plus;
          plus[k] += h;
          minus[k] -= h;
          const double first = (loss(name, plus, label) - loss(name, minus, label)) / (2 * h);
          const double second = (loss(name, plus, label) - 2 * loss(name, centre, label) + loss(name, minus, label)) / (h * h);
          EXPECT_NEAR(grad[k], first, 1e-6) << name << " label " << label << " output " << k;
          if (name == "reg:absoluteerror") {
            EXPECT_EQ(hess[k], 1.0) << "absolute error grows its trees with h = 1";
          } else if (multi) {
            EXPECT_NEAR(hess[k], 2.0 * second, 1e-4) << name << ": XGBoost's softmax hessian is 2 p(1 - p)";
          } else {
            EXPECT_NEAR(hess[k], second, 1e-4) << name << " label " << label;
          }
        }
      }
    }
  }
}

TEST(TreeObjective, WeightsAndScalePosWeightScaleTheDerivatives) {
  const TreeObjective objective = TreeObjective::named("binary:logistic", 0, 3.0);
  const float margin = 0.4f;
  const float positive = 1.0f, negative = 0.0f, two = 2.0f, one = 1.0f;
  double grad_positive, hess_positive, grad_negative, hess_negative, grad_unit, hess_unit;
  objective.gradients(&margin, &positive, &two, 1, &grad_positive, &hess_positive);
  objective.gradients(&margin, &negative, &two, 1, &grad_negative, &hess_negative);
  TreeObjective::named("binary:logistic", 0, 1.0).gradients(&margin, &positive, &one, 1, &grad_unit, &hess_unit);
  EXPECT_DOUBLE_EQ(grad_positive, 6.0 * grad_unit);
  EXPECT_DOUBLE_EQ(hess_positive, 6.0 * hess_unit);
  const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(margin)));
  EXPECT_NEAR(grad_negative, 2.0 * p, 1e-12);
}

TEST(TreeObjective, RowsAtOnceEqualRowsOneByOneAndKeepWithinTheBounds) {
  std::mt19937 generator(13);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  const std::int64_t rows = 300;
  for (const std::string name : {"reg:squarederror", "reg:logistic", "binary:logistic", "binary:logitraw",
                                 "multi:softprob", "reg:absoluteerror"}) {
    for (const double scale_pos_weight : {0.5, 4.0}) {
      const bool multi = name.starts_with("multi:");
      const TreeObjective objective = TreeObjective::named(name, multi ? 4 : 0, scale_pos_weight);
      const std::int64_t outputs = objective.outputs();
      std::vector<float> margins(static_cast<std::size_t>(rows * outputs)), labels, weights;
      for (float& margin : margins) margin = 30.0f * uniform(generator);  // far into the sigmoid's tails too
      for (std::int64_t r = 0; r < rows; ++r) {
        const float u = 0.5f * (uniform(generator) + 1.0f);
        labels.push_back(multi ? std::floor(4.0f * u * 0.999f) : name == "reg:logistic" ? u : u < 0.5f ? 0.0f : 1.0f);
        weights.push_back(3.0f * std::abs(uniform(generator)));
      }
      const auto size = static_cast<std::size_t>(rows * outputs);
      std::vector<double> grad(size), hess(size), one_grad(static_cast<std::size_t>(outputs)), one_hess = one_grad;
      objective.gradients(margins.data(), labels.data(), weights.data(), rows, grad.data(), hess.data());
      const auto bounds = objective.gradient_bounds();
      EXPECT_EQ(bounds.has_value(), name != "reg:squarederror") << name;
      for (std::int64_t r = 0; r < rows; ++r) {
        const auto at = static_cast<std::size_t>(r);
        objective.gradients(margins.data() + r * outputs, &labels[at], &weights[at], 1, one_grad.data(), one_hess.data());
        for (std::int64_t k = 0; k < outputs; ++k) {
          const auto i = static_cast<std::size_t>(r * outputs + k);
          EXPECT_EQ(grad[i], one_grad[static_cast<std::size_t>(k)]) << name << " row " << r;
          EXPECT_EQ(hess[i], one_hess[static_cast<std::size_t>(k)]) << name << " row " << r;
          if (!bounds) continue;
          EXPECT_LE(std::abs(grad[i]), bounds->first * weights[at]) << name << " row " << r;
          EXPECT_LE(hess[i], bounds->second * weights[at]) << name << " row " << r;
        }
      }
    }
  }
}

TEST(TreeObjective, BaseScoreIsAProbabilityForTheLogisticObjectives) {
  EXPECT_NEAR(TreeObjective::named("binary:logistic", 0, 1.0).base_margin(0.8), std::log(4.0), 1e-12);
  EXPECT_EQ(TreeObjective::named("reg:squarederror", 0, 1.0).base_margin(7.5), 7.5);
  EXPECT_THROW(TreeObjective::named("binary:logistic", 0, 1.0).base_margin(1.5), Error);
  EXPECT_THROW(TreeObjective::named("multi:softprob", 1, 1.0), Error);
  EXPECT_THROW(TreeObjective::named("rank:pairwise", 0, 1.0), Error);
}

TEST(QuantileCuts, BinsAreTheFirstBoundAboveTheValue) {
  std::mt19937 generator(7);
  std::normal_distribution<float> normal;
  std::vector<float> values(5000);
  for (float& value : values) value = normal(generator);
  const QuantileCuts cuts = QuantileCuts::from_sample(values, std::vector<float>(values.size(), 1.0f), 1, 64);
  EXPECT_EQ(cuts.bins(0), 63);  // max_bin counts the missing bin
  const auto begin = cuts.upper_bounds().begin(), end = cuts.upper_bounds().end();
  for (const float value : {-10.0f, -1.0f, 0.0f, 0.25f, 3.0f, 100.0f, cuts.upper_bound(0, 5)}) {
    const auto expected = std::min<std::int64_t>(std::upper_bound(begin, end, value) - begin, cuts.bins(0) - 1);
    EXPECT_EQ(cuts.bin_of(0, value), expected) << value;
  }
  // Equal-weight quantiles put about 1/63 of the values in each bin.
  std::vector<int> counts(63);
  for (const float value : values) ++counts[static_cast<std::size_t>(cuts.bin_of(0, value))];
  for (const int count : counts) EXPECT_NEAR(count, 5000.0 / 63.0, 25.0);
}

TEST(QuantileCuts, FewDistinctValuesGetABinEachAndNaNsNone) {
  const std::vector<float> values = {3, kMissing, 1, 2, 3, 1, kMissing, 2};
  const QuantileCuts cuts = QuantileCuts::from_sample(values, std::vector<float>(values.size(), 1.0f), 1, 256);
  ASSERT_EQ(cuts.bins(0), 3);
  EXPECT_EQ(cuts.upper_bound(0, 0), 2.0f);
  EXPECT_EQ(cuts.upper_bound(0, 1), 3.0f);
  EXPECT_TRUE(std::isinf(cuts.upper_bound(0, 2)));
  EXPECT_EQ(cuts.bin_of(0, 1.0f), 0);
  EXPECT_EQ(cuts.bin_of(0, 2.5f), 1);
  EXPECT_EQ(cuts.bin_of(0, 3.0f), 2);
}

TEST(QuantileCuts, TheSampleDependsOnRowIndicesNotOnShards) {
  const std::vector<std::int64_t> whole = quantile_sample_rows({0, 10000}, 10000, 1000, 3);
  std::vector<std::int64_t> shards;
  for (const RowRange range : {RowRange{0, 3333}, RowRange{3333, 6667}, RowRange{6667, 10000}}) {
    const auto part = quantile_sample_rows(range, 10000, 1000, 3);
    shards.insert(shards.end(), part.begin(), part.end());
  }
  EXPECT_EQ(whole, shards);
  EXPECT_NEAR(static_cast<double>(whole.size()), 1000.0, 100.0);
}

// Rows [rows, features] binned with cuts from those rows themselves.
BinnedMatrix bin_rows(const std::vector<float>& values, std::int64_t features, std::int64_t max_bin = 256) {
  const auto rows = static_cast<std::int64_t>(values.size()) / features;
  BinnedMatrix matrix(QuantileCuts::from_sample(values, std::vector<float>(static_cast<std::size_t>(rows), 1.0f), features, max_bin), rows);
  matrix.set_rows(0, rows, values.data());
  return matrix;
}

// Rows' gradients and hessians in fixed point, at the scales of the largest |g| and h given.
struct Gradients {
  Gradients(double largest_grad, double largest_hess, std::int64_t rows)
      : largest{largest_grad, largest_hess}, scales(largest, rows), statistics(2, 0) {}
  void add(double grad, double hess) {
    statistics.values.push_back(scales.quantize(0, grad));
    statistics.values.push_back(scales.quantize(1, hess));
    for (std::size_t c = 0; c < 2; ++c) total[c] += statistics.values[statistics.values.size() - 2 + c];
  }
  double hess(std::int64_t sum) const { return scales.value(1, sum); }

  std::vector<double> largest;
  FixedPointScales scales;
  RowStatistics statistics;
  StatisticSums total = {0, 0};
};

// Histogram of all rows of a matrix for their statistics, over `layout` (all features by default).
Histogram histogram_of(const BinnedMatrix& matrix, const RowStatistics& statistics,
                       const HistogramLayout* layout = nullptr) {
  std::vector<RowIndex> rows(static_cast<std::size_t>(matrix.rows()));
  std::iota(rows.begin(), rows.end(), 0);
  Histogram histogram;
  const std::span<const RowIndex> run(rows);
  Histogram* out = &histogram;
  const HistogramLayout all_features(matrix);
  const HistogramLayout* layouts = layout != nullptr ? layout : &all_features;
  build_histograms(matrix, {&layouts, 1}, {&run, 1}, statistics, {&out, 1});
  return histogram;
}

// rows × features standard normal values from a seeded generator, which goes on to draw more.
std::vector<float> normal_values(std::mt19937& generator, std::int64_t rows, std::int64_t features) {
  std::normal_distribution<float> normal;
  std::vector<float> values(static_cast<std::size_t>(rows * features));
  for (float& value : values) value = normal(generator);
  return values;
}

std::vector<RowIndex> all_rows(std::int64_t rows) {
  std::vector<RowIndex> all(static_cast<std::size_t>(rows));
  std::iota(all.begin(), all.end(), 0);
  return all;
}

TEST(SplitSearch, FindsTheSplitWorkedOutByHand) {
  // Feature 0 separates labels {0, 0 | 10, 10}; feature 1 is noise. Squared error at margin 0:
  // g = −y, h = 1, λ = 1: gain(L) = 0, gain(R) = 20²/3, parent 20²/5, loss change 400/3 − 80.
  const std::vector<float> values = {1, 5, 2, 6, 3, 5, 4, 6};
  const BinnedMatrix matrix = bin_rows(values, 2);
  Gradients gradients(10.0, 1.0, 4);
  for (const double label : {0.0, 0.0, 10.0, 10.0}) gradients.add(-label, 1.0);
  const Histogram histogram = histogram_of(matrix, gradients.statistics);
  const SplitRegularization regularization;
  const BoostingCriterion criterion(regularization, 1.0);
  const SplitCandidate split = best_split(histogram, HistogramLayout(matrix), matrix, gradients.total, {0, 1}, gradients.scales, criterion);
  ASSERT_TRUE(split.found());
  EXPECT_EQ(split.feature, 0);
  EXPECT_EQ(split.bin, 1);
  EXPECT_EQ(matrix.cuts().upper_bound(0, 1), 3.0f);  // x < 3 goes left
  EXPECT_NEAR(split.loss_change, 400.0 / 3.0 - 80.0, 1e-9);
  EXPECT_NEAR(leaf_weight(regularization, gradients.scales.value(0, split.right[0]), gradients.hess(split.right[1])),
              20.0 / 3.0, 1e-9);
  // min_child_weight 2.5 forbids children of two rows: no split is left.
  const BoostingCriterion heavy({1.0, 0.0, 2.5, 0.0}, 1.0);
  EXPECT_FALSE(best_split(histogram, HistogramLayout(matrix), matrix, gradients.total, {0, 1}, gradients.scales, heavy).found());
}

// The best split of 4 rows of one feature binned by the cuts of the values 1..6 (a bin each),
// each row with g = −label and h = 1; `statistics` gets the rows' fixed-point (g, h).
SplitCandidate split_on_six_bins(const std::vector<float>& values, const std::vector<double>& labels,
                                 std::vector<std::int64_t>& statistics) {
  const std::vector<float> sample = {1, 2, 3, 4, 5, 6};
  BinnedMatrix matrix(QuantileCuts::from_sample(sample, std::vector<float>(6, 1.0f), 1, 256), 4);
  matrix.set_rows(0, 4, values.data());
  Gradients gradients(10.0, 1.0, 4);
  for (const double label : labels) gradients.add(-label, 1.0);
  statistics = gradients.statistics.values;
  return best_split(histogram_of(matrix, gradients.statistics), HistogramLayout(matrix), matrix, gradients.total, {0},
                    gradients.scales, BoostingCriterion({}, 1.0));
}

TEST(SplitSearch, EmptyBinsBetweenTheSidesLeaveTheSplitAtTheFirstOfThem) {
  // Rows only at 1 and 6: bins 1..4 are empty, so every split from bin 0 to bin 4 parts the rows
  // alike, and the first, bin 0, is the one kept.
  const std::vector<float> values = {1, 1, 6, 6};
  const std::vector<double> labels = {0.0, 0.0, 10.0, 10.0};
  std::vector<std::int64_t> rows;
  const SplitCandidate split = split_on_six_bins(values, labels, rows);
  ASSERT_TRUE(split.found());
  EXPECT_EQ(split.bin, 0);
  EXPECT_EQ(split.left, (StatisticSums{rows[0] + rows[2], rows[1] + rows[3]}));
}

TEST(SplitSearch, MissingValuesAloneGoLeftAtAnEmptyFirstBin) {
  // Rows at 6 and missing ones, none in bins 0..4: the split of the missing rows from the others
  // is found first at bin 0 with the missing rows on the left (left = no value rows, then the
  // missing ones), and that earliest of the equal candidates is the one kept.
  const std::vector<float> values = {6, 6, kMissing, kMissing};
  const std::vector<double> labels = {10.0, 10.0, 0.0, 0.0};
  std::vector<std::int64_t> rows;
  const SplitCandidate split = split_on_six_bins(values, labels, rows);
  ASSERT_TRUE(split.found());
  EXPECT_EQ(split.bin, 0);
  EXPECT_TRUE(split.default_left);
  EXPECT_EQ(split.left, (StatisticSums{rows[4] + rows[6], rows[5] + rows[7]}));
}

TEST(SplitSearch, RegularizationMatchesXgboostsFormulas) {
  const SplitRegularization l1{2.0, 3.0, 0.0, 0.0};
  EXPECT_NEAR(leaf_weight(l1, -10.0, 4.0), 7.0 / 6.0, 1e-12);  // −T_α(G)/(H + λ)
  EXPECT_NEAR(leaf_gain(l1, -10.0, 4.0), 49.0 / 6.0, 1e-12);
  EXPECT_EQ(leaf_weight(l1, 2.0, 4.0), 0.0);  // |G| <= α
  const SplitRegularization clipped{1.0, 0.0, 0.0, 0.5};
  EXPECT_EQ(leaf_weight(clipped, -10.0, 4.0), 0.5);
  EXPECT_NEAR(leaf_gain(clipped, -10.0, 4.0), -2.0 * (-10.0 * 0.5 + 0.5 * 5.0 * 0.25), 1e-12);
}

TEST(SplitSearch, MissingValuesGoWhereTheyLowerTheLossMost) {
  // Feature 0 is missing exactly on the rows labelled 10, so missing must go with the right
  // (high) side, and a split on the present values alone separates nothing.
  const std::vector<float> values = {1, 2, 3, kMissing, kMissing, 4, kMissing};
  const std::vector<double> labels = {0, 0, 0, 10, 10, 0, 10};
  const BinnedMatrix matrix = bin_rows(values, 1);
  Gradients gradients(10.0, 1.0, 7);
  for (const double label : labels) gradients.add(-label, 1.0);
  const BoostingCriterion criterion({}, 1.0);
  const SplitCandidate split =
      best_split(histogram_of(matrix, gradients.statistics), HistogramLayout(matrix), matrix, gradients.total, {0}, gradients.scales, criterion);
  ASSERT_TRUE(split.found());
  EXPECT_FALSE(split.default_left);
  EXPECT_EQ(gradients.hess(split.right[1]), 3.0);  // the right side is the missing rows
  // A grown tree routes a missing value the same by value and by bin.
  LocalCommunicator comm;
  TreeGrowthConfig config;
  config.max_depth = 1;
  TreeGrower grower(matrix, comm, criterion, config);
  const RegressionTree tree = grower.grow(all_rows(7), gradients.statistics, gradients.scales, {0}, 0);
  for (RowIndex r = 0; r < 7; ++r)
    EXPECT_EQ(tree.leaf_of(values.data() + r), tree.leaf_of_binned(matrix, r)) << "row " << r;
  const float missing = kMissing;
  EXPECT_NEAR(tree.leaf_values(tree.leaf_of(&missing))[0], 30.0 / 4.0, 1e-6);  // −G/(H + λ) of the 3 rows
}

// 50,000 rows of 5 standard normal features in 32 bins, each row with a normal g and an h in
// [0.25, 0.75): enough rows for two threads to share.
struct HistogramProblem {
  explicit HistogramProblem(unsigned seed)
      : generator(seed), matrix(bin_rows(normal_values(generator, kRows, kFeatures), kFeatures, 32)),
        gradients(4.0, 1.0, kRows) {
    std::normal_distribution<float> normal;
    for (std::int64_t r = 0; r < kRows; ++r) {
      const float grad = normal(generator);
      gradients.add(grad, 0.25 + 0.5 * std::abs(normal(generator)) / 4.0);
    }
  }
  static constexpr std::int64_t kRows = 50000, kFeatures = 5;
  std::mt19937 generator;
  BinnedMatrix matrix;
  Gradients gradients;
};

TEST(GradientHistogram, IsTheSameOnOneAndTwoThreadsAndSumsExactly) {
  HistogramProblem problem(11);
  const BinnedMatrix& matrix = problem.matrix;
  const Gradients& gradients = problem.gradients;
  const std::int64_t features = HistogramProblem::kFeatures;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Histogram one = histogram_of(matrix, gradients.statistics);
  omp_set_num_threads(2);
  const Histogram two = histogram_of(matrix, gradients.statistics);
  omp_set_num_threads(threads);
  EXPECT_EQ(one, two);
  for (std::int64_t f = 0; f < features; ++f) {  // each feature's slots hold every row once
    StatisticSums sum = {0, 0};
    for (std::int64_t slot = matrix.slot_offset(f); slot < matrix.slot_offset(f + 1); ++slot)
      for (std::size_t c = 0; c < 2; ++c) sum[c] += one[static_cast<std::size_t>(slot) * 2 + c];
    EXPECT_EQ(sum, gradients.total);
  }
}

TEST(RowShares, EveryRowOnceInEvenSharesSplittingFewNodes) {
  const std::vector<std::int64_t> counts = {5, 0, 100, 3, 40, 1};
  const std::int64_t total = 149;
  for (const int threads : {1, 2, 3, 7}) {
    const std::vector<std::vector<RowShare>> shares = share_rows(counts, threads);
    ASSERT_EQ(static_cast<int>(shares.size()), threads);
    std::vector<std::int64_t> covered(counts.size(), 0);  // how far each node's rows are taken
    std::vector<int> takers(counts.size(), 0);
    for (const std::vector<RowShare>& thread_shares : shares) {
      std::int64_t rows = 0;
      for (const RowShare& share : thread_shares) {
        EXPECT_EQ(share.begin, covered[share.node]) << threads << " threads, node " << share.node;
        EXPECT_LT(share.begin, share.end);
        EXPECT_EQ(share.whole, share.begin == 0 && share.end == counts[share.node]);
        covered[share.node] = share.end;
        takers[share.node] += 1;
        rows += share.end - share.begin;
      }
      EXPECT_LE(std::abs(rows * threads - total), threads) << threads << " threads";  // within a row of total/threads
    }
    EXPECT_EQ(covered, counts);
    EXPECT_LE(std::count_if(takers.begin(), takers.end(), [](int n) { return n > 1; }), threads - 1);
  }
}

TEST(FeatureShares, RanksTakeContiguousRunsOfAboutEqualSlots) {
  // Features of 256, 3, 256, 256 and 17 bins (plus each one's missing slot).
  std::vector<float> values;
  for (std::int64_t r = 0; r < 1000; ++r)
    for (const std::int64_t distinct : {1000, 3, 1000, 1000, 17}) values.push_back(static_cast<float>((r * 7919) % distinct));
  const BinnedMatrix matrix = bin_rows(values, 5);
  for (const int ranks : {1, 2, 3, 7}) {
    const FeatureShares shares(matrix, ranks);
    EXPECT_EQ(shares.begin(0), 0);
    EXPECT_EQ(shares.end(ranks - 1), 5);
    for (int r = 0; r < ranks; ++r) {
      EXPECT_LE(shares.begin(r), shares.end(r));
      if (r > 0) {
        EXPECT_EQ(shares.begin(r), shares.end(r - 1));
      }
      for (std::int64_t f = shares.begin(r); f < shares.end(r); ++f) EXPECT_EQ(shares.owner(f), r);
      // A run ends at the first feature whose slots start at or past the rank's even share.
      const std::int64_t boundary = matrix.total_slots() * (r + 1) / ranks;
      if (shares.end(r) < 5 && shares.end(r) > 0) {
        EXPECT_GE(matrix.slot_offset(shares.end(r)), boundary) << ranks << " ranks, rank " << r;
        EXPECT_LT(matrix.slot_offset(shares.end(r) - 1), boundary) << ranks << " ranks, rank " << r;
      }
    }
    const std::vector<std::int64_t> drawn = {0, 2, 4};
    std::vector<std::int64_t> again;
    for (int r = 0; r < ranks; ++r)
      for (const std::int64_t f : shares.of_rank(drawn, r)) again.push_back(f);
    EXPECT_EQ(again, drawn);
  }
  const FeatureShares seven(matrix, 7);  // more ranks than features: some hold none
  int empty = 0;
  for (int r = 0; r < 7; ++r) empty += seven.begin(r) == seven.end(r) ? 1 : 0;
  EXPECT_GE(empty, 2);
}

TEST(GradientHistogram, NodesBuiltTogetherOnTwoThreadsEqualEachBuiltAlone) {
  // Three nodes of unequal size: on two threads the largest is split between them and the
  // others taken whole; each histogram must equal its node's built alone on one thread.
  HistogramProblem problem(3);
  const BinnedMatrix& matrix = problem.matrix;
  const Gradients& gradients = problem.gradients;
  std::vector<RowIndex> order = all_rows(HistogramProblem::kRows);
  std::shuffle(order.begin(), order.end(), problem.generator);
  std::vector<std::span<const RowIndex>> runs = {std::span<const RowIndex>(order).subspan(0, 30000),
                                                 std::span<const RowIndex>(order).subspan(30000, 1000),
                                                 std::span<const RowIndex>(order).subspan(31000, 19000)};
  for (std::span<const RowIndex>& run : runs) {  // a node's rows ascend, as partitions leave them
    auto* first = const_cast<RowIndex*>(run.data());
    std::sort(first, first + run.size());
  }
  const HistogramLayout layout(matrix);
  const std::vector<const HistogramLayout*> layouts(runs.size(), &layout);
  std::vector<Histogram> together(runs.size()), alone(runs.size());
  std::vector<Histogram*> outputs;
  for (Histogram& histogram : together) outputs.push_back(&histogram);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(2);
  build_histograms(matrix, layouts, runs, gradients.statistics, outputs);
  omp_set_num_threads(1);
  for (std::size_t node = 0; node < runs.size(); ++node) {
    Histogram* out = &alone[node];
    build_histograms(matrix, {&layouts[node], 1}, {&runs[node], 1}, gradients.statistics, {&out, 1});
  }
  omp_set_num_threads(threads);
  for (std::size_t node = 0; node < runs.size(); ++node) EXPECT_EQ(together[node], alone[node]) << "node " << node;
}

TEST(GradientHistogram, AFeatureSubsetHoldsTheFullHistogramsSlots) {
  // A node that draws features {1, 3} builds just their slots; they must be the full
  // histogram's slots of those features, and its rows' total the same from either.
  std::mt19937 generator(7);
  std::normal_distribution<float> normal;
  const std::int64_t rows = 3000, features = 4;
  const BinnedMatrix matrix = bin_rows(normal_values(generator, rows, features), features, 16);
  Gradients gradients(4.0, 1.0, rows);
  for (std::int64_t r = 0; r < rows; ++r) gradients.add(normal(generator), 0.5);
  const Histogram full = histogram_of(matrix, gradients.statistics);
  const HistogramLayout subset(matrix, {1, 3});
  EXPECT_FALSE(subset.all_features());
  const Histogram part = histogram_of(matrix, gradients.statistics, &subset);
  ASSERT_EQ(static_cast<std::int64_t>(part.size()), subset.total_slots() * 2);
  for (const std::int64_t f : {1, 3})
    for (std::int64_t slot = 0; slot < matrix.slot_offset(f + 1) - matrix.slot_offset(f); ++slot)
      for (std::int64_t c = 0; c < 2; ++c)
        EXPECT_EQ(part[static_cast<std::size_t>((subset.slot_offset(f) + slot) * 2 + c)],
                  full[static_cast<std::size_t>((matrix.slot_offset(f) + slot) * 2 + c)])
            << "feature " << f << " slot " << slot;
}

// `rows` rows of 3 features uniform in [−1, 1) and, as each row's g (h = 1), a smooth function
// of all three: a problem whose trees split on every feature.
std::vector<float> uniform_features(std::int64_t rows, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(static_cast<std::size_t>(rows * 3));
  for (float& value : values) value = uniform(generator);
  return values;
}
struct GrowerProblem {
  GrowerProblem(std::int64_t rows_, unsigned seed)
      : rows(rows_), values(uniform_features(rows_, seed)), matrix(bin_rows(values, 3)), gradients(2.0, 1.0, rows_) {
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* x = values.data() + r * 3;
      gradients.add(std::sin(3.0f * x[0]) + x[1] * x[2], 1.0);
    }
  }
  std::int64_t rows;
  std::vector<float> values;
  BinnedMatrix matrix;
  Gradients gradients;
};

TEST(TreeGrower, RespectsMaxDepthAndMaxLeaves) {
  const GrowerProblem problem(4000, 5);
  const std::int64_t rows = problem.rows;
  LocalCommunicator comm;
  const BoostingCriterion criterion({}, 0.3);
  const auto leaves_and_depth = [&](const TreeGrowthConfig& config) {
    TreeGrower grower(problem.matrix, comm, criterion, config);
    const RegressionTree tree =
        grower.grow(all_rows(rows), problem.gradients.statistics, problem.gradients.scales, {0, 1, 2}, 0);
    std::int64_t leaves = 0, depth = 0, rows_in_leaves = 0;
    for (const TreeNode& node : tree.nodes()) {
      leaves += node.is_leaf();
      depth = std::max<std::int64_t>(depth, node.depth);
    }
    for (const auto& [leaf, leaf_rows] : grower.leaf_rows()) rows_in_leaves += static_cast<std::int64_t>(leaf_rows.size());
    EXPECT_EQ(rows_in_leaves, rows);
    return std::pair{leaves, depth};
  };
  TreeGrowthConfig depthwise;
  depthwise.max_depth = 3;
  EXPECT_EQ(leaves_and_depth(depthwise), (std::pair<std::int64_t, std::int64_t>{8, 3}));
  TreeGrowthConfig lossguide;
  lossguide.lossguide = true;
  lossguide.max_depth = 0;
  lossguide.max_leaves = 5;
  EXPECT_EQ(leaves_and_depth(lossguide).first, 5);
  TreeGrowthConfig pruned = depthwise;
  pruned.min_split_loss = 1e9;  // gamma larger than any loss change: the root stays a leaf
  EXPECT_EQ(leaves_and_depth(pruned), (std::pair<std::int64_t, std::int64_t>{1, 0}));
}

TEST(TreeGrower, GrowsTheSameTreeOnOneAndTwoThreads) {
  // Enough rows that two threads share the partitions and the histograms of a level's nodes.
  const GrowerProblem problem(140000, 9);
  LocalCommunicator comm;
  const BoostingCriterion criterion({}, 0.3);
  TreeGrowthConfig config;
  config.max_depth = 5;
  const auto grow_on = [&](int threads) {
    const int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    TreeGrower grower(problem.matrix, comm, criterion, config);
    const RegressionTree tree =
        grower.grow(all_rows(problem.rows), problem.gradients.statistics, problem.gradients.scales, {0, 1, 2}, 0);
    omp_set_num_threads(before);
    std::vector<std::vector<float>> described;  // each node's split, cover and leaf value
    for (std::int32_t id = 0; id < static_cast<std::int32_t>(tree.nodes().size()); ++id) {
      const TreeNode& node = tree.node(id);
      described.push_back({static_cast<float>(node.feature), static_cast<float>(node.split_bin), node.cover,
                           node.is_leaf() ? tree.leaf_values(id)[0] : 0.0f});
    }
    std::vector<std::vector<RowIndex>> leaves;
    for (const auto& [leaf, leaf_rows] : grower.leaf_rows()) leaves.emplace_back(leaf_rows.begin(), leaf_rows.end());
    return std::pair{described, leaves};
  };
  const auto one = grow_on(1), two = grow_on(2);
  EXPECT_EQ(one.first.size(), 63u);
  EXPECT_EQ(one.first, two.first);
  EXPECT_EQ(one.second, two.second);  // the same rows in each leaf, in the same (ascending) order
  for (const std::vector<RowIndex>& leaf : one.second) EXPECT_TRUE(std::is_sorted(leaf.begin(), leaf.end()));
}

// Weighted impurity W·I of class weights, from the textbook definitions.
double weighted_gini(const std::vector<double>& classes) {
  double weight = 0.0, squares = 0.0;
  for (const double count : classes) weight += count;
  for (const double count : classes) squares += (count / weight) * (count / weight);
  return weight * (1.0 - squares);
}
double weighted_entropy(const std::vector<double>& classes) {
  double weight = 0.0, entropy = 0.0;
  for (const double count : classes) weight += count;
  for (const double count : classes)
    if (count > 0.0) entropy -= (count / weight) * std::log(count / weight);
  return weight * entropy;
}

TEST(CartCriterion, GainsAreTheFallInWeightedImpurity) {
  // Parent (5, 3, 2) split into left (4, 1, 0) and right (1, 2, 2); the sums end with the weight
  // and the rows (here a row weighs 1).
  const std::vector<double> parent = {5, 3, 2, 10, 10}, left = {4, 1, 0, 5, 5}, right = {1, 2, 2, 5, 5};
  const auto classes = [](const std::vector<double>& sums) { return std::vector<double>(sums.begin(), sums.end() - 2); };
  const auto gain = [&](const SplitCriterion& criterion) {
    return criterion.score(left.data()) + criterion.score(right.data()) - criterion.score(parent.data());
  };
  const auto gini = CartCriterion::named("gini", 3, 1.0);
  EXPECT_NEAR(gain(*gini), weighted_gini(classes(parent)) - weighted_gini(classes(left)) - weighted_gini(classes(right)), 1e-12);
  const auto entropy = CartCriterion::named("entropy", 3, 1.0);
  EXPECT_NEAR(gain(*entropy),
              weighted_entropy(classes(parent)) - weighted_entropy(classes(left)) - weighted_entropy(classes(right)), 1e-12);
  float leaf[3];
  gini->leaf(left.data(), leaf);
  EXPECT_FLOAT_EQ(leaf[0], 0.8f);
  EXPECT_FLOAT_EQ(leaf[1], 0.2f);
  EXPECT_FLOAT_EQ(leaf[2], 0.0f);
  EXPECT_TRUE(gini->splittable(parent.data()));
  const std::vector<double> pure = {0, 4, 0, 4, 4};
  EXPECT_FALSE(gini->splittable(pure.data()));
  // mse over targets y = {1, 2, 6 | 10, 11}, centred on their mean 6: the fall in the sum of
  // squared errors, and leaves that add the mean back.
  const std::vector<double> low = {1, 2, 6}, high = {10, 11};
  const auto sse = [](const std::vector<double>& ys) {
    double mean = 0.0, total = 0.0;
    for (const double y : ys) mean += y / static_cast<double>(ys.size());
    for (const double y : ys) total += (y - mean) * (y - mean);
    return total;
  };
  const auto mse = CartCriterion::named("mse", 0, 1.0, 6.0);
  const std::vector<double> sums_low = {9 - 18, 3, 3}, sums_high = {21 - 12, 2, 2}, sums_all = {0, 5, 5};
  EXPECT_NEAR(mse->score(sums_low.data()) + mse->score(sums_high.data()) - mse->score(sums_all.data()),
              sse({1, 2, 6, 10, 11}) - sse(low) - sse(high), 1e-9);
  float value = 0.0f;
  mse->leaf(sums_high.data(), &value);
  EXPECT_FLOAT_EQ(value, 10.5f);
  // min_samples_leaf counts rows, not weight: a child of 5 rows that weigh 0.5 in all.
  const std::vector<double> light = {0.4, 0.1, 0.0, 0.5, 5};
  EXPECT_TRUE(gini->allowed_child(light.data()));
  EXPECT_FALSE(CartCriterion::named("gini", 3, 6.0)->allowed_child(light.data()));
}

TEST(RandomForest, BootstrapCountsArePoissonOne) {
  std::mt19937_64 generator(3);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const int draws = 200000;
  double sum = 0.0, squares = 0.0, zeros = 0.0;
  for (int i = 0; i < draws; ++i) {
    const auto count = static_cast<double>(poisson_one_count(uniform(generator)));
    sum += count;
    squares += count * count;
    zeros += count == 0.0 ? 1.0 : 0.0;
  }
  const double mean = sum / draws;
  EXPECT_NEAR(mean, 1.0, 0.01);
  EXPECT_NEAR(squares / draws - mean * mean, 1.0, 0.02);
  EXPECT_NEAR(zeros / draws, std::exp(-1.0), 0.005);
  EXPECT_EQ(poisson_one_count(0.0), 0);
  EXPECT_EQ(poisson_one_count(std::exp(-1.0) + 1e-9), 1);
}

TEST(CartHyperparameters, MaxFeaturesCountsAsScikitLearnDoes) {
  EXPECT_EQ(max_features_count("all", 64), 64);
  EXPECT_EQ(max_features_count("sqrt", 64), 8);
  EXPECT_EQ(max_features_count("sqrt", 30), 5);
  EXPECT_EQ(max_features_count("log2", 64), 6);
  EXPECT_EQ(max_features_count("0.5", 64), 32);
  EXPECT_EQ(max_features_count("1.0", 64), 64);
  EXPECT_EQ(max_features_count("0.001", 64), 1);
  EXPECT_EQ(max_features_count("3", 64), 3);
  EXPECT_EQ(max_features_count("100", 64), 64);
  EXPECT_THROW(max_features_count("0", 64), Error);
  EXPECT_THROW(max_features_count("half", 64), Error);
}

}  // namespace
}  // namespace tern
