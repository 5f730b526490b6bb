#include "core/algorithms/trees/tree_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "core/data/dense_reader.h"
#include "core/data/distribution.h"
#include "core/data/sparse_reader.h"
#include "core/error.h"

namespace tern {

namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

// A rank's share of a dense or sparse file, read a range of rows at a time into dense buffers.
class TreeRowSource {
 public:
  TreeRowSource(const std::filesystem::path& path, RowRange own) : own_(own) {
    if (is_sparse_file(path)) {
      sparse_ = load_sparse(path, own.begin, own.end);
      features_ = sparse_->num_features;
      source_ = sparse_->source;
      return;
    }
    dense_ = open_dense_reader(path);
    features_ = dense_->num_features();
    source_ = dense_->source();
    if (dense_->has_weights()) {
      weights_.resize(static_cast<std::size_t>(own.size()));
      dense_->read_weights(own.begin, own.end, weights_.data());
    }
  }

  std::int64_t features() const { return features_; }
  const std::string& source() const { return source_; }

  // Rows [begin, end) (file numbering, inside the share) into features, labels and weights.
  void read_range(std::int64_t begin, std::int64_t end, float* features, float* labels, float* weights) {
    const std::int64_t count = end - begin, local = begin - own_.begin;
    if (weights_.empty()) std::fill_n(weights, count, 1.0f);
    else std::copy_n(weights_.data() + local, count, weights);
    if (dense_) {
      dense_->read_rows(begin, end, features, labels);
      return;
    }
    std::fill_n(features, count * features_, kMissing);
    for (std::int64_t i = 0; i < count; ++i) {
      const auto indices = sparse_->row_indices(local + i);
      const auto values = sparse_->row_values(local + i);
      for (std::size_t j = 0; j < indices.size(); ++j) features[i * features_ + indices[j]] = values[j];
      labels[i] = sparse_->labels[static_cast<std::size_t>(local + i)];
    }
  }

 private:
  RowRange own_;
  std::unique_ptr<DenseReader> dense_;
  std::optional<SparseRows> sparse_;
  std::vector<float> weights_;  // the share's, when the file has them
  std::int64_t features_ = 0;
  std::string source_;
};

void check_values(const float* values, const float* weights, std::int64_t rows, std::int64_t features,
                  const std::string& source, std::int64_t first_row) {
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t f = 0; f < features; ++f)
      TERN_CHECK(!std::isinf(values[r * features + f]), source, " row ", first_row + r, " feature ", f, ": value ",
                 values[r * features + f], " is infinite (a missing value is NaN or an empty field)");
    if (weights != nullptr)
      TERN_CHECK(std::isfinite(weights[r]) && weights[r] >= 0.0f, source, " row ", first_row + r, ": weight ",
                 weights[r], " must be a finite number >= 0");
  }
}

}  // namespace

TreeDataShape tree_data_shape(const std::filesystem::path& path) {
  if (is_sparse_file(path)) {
    const SparseShape shape = sparse_file_shape(path);
    return {shape.rows, shape.features};
  }
  const auto reader = open_dense_reader(path);
  return {reader->num_rows(), reader->num_features()};
}

BinnedShard load_binned_shard(const std::filesystem::path& path, Communicator& comm, const BinningConfig& config) {
  const TreeDataShape shape = tree_data_shape(path);
  const RowRange own = rank_rows(shape.rows, comm.rank(), comm.size());
  TreeRowSource source(path, own);
  const std::int64_t features = source.features();

  // The cut points, from the sample rows of every rank, gathered in file order. The share is
  // read in chunks twice, for the sample and then for the bins, never whole.
  const std::vector<std::int64_t> sample = quantile_sample_rows(own, shape.rows, config.sample_rows, config.seed);
  const auto sampled = static_cast<std::int64_t>(sample.size());
  const std::int64_t chunk_rows = std::min(config.chunk_rows, std::max<std::int64_t>(own.size(), 1));
  std::vector<float> chunk(static_cast<std::size_t>(chunk_rows * features)), chunk_labels(static_cast<std::size_t>(chunk_rows)),
      chunk_weights(static_cast<std::size_t>(chunk_rows));
  std::vector<float> values, weights;
  values.reserve(static_cast<std::size_t>(sampled * features));
  auto next = sample.begin();
  for (std::int64_t begin = own.begin; begin < own.end && next != sample.end(); begin += chunk_rows) {
    const std::int64_t end = std::min(own.end, begin + chunk_rows);
    source.read_range(begin, end, chunk.data(), chunk_labels.data(), chunk_weights.data());
    for (; next != sample.end() && *next < end; ++next) {
      const float* row = chunk.data() + (*next - begin) * features;
      values.insert(values.end(), row, row + features);
      weights.push_back(chunk_weights[static_cast<std::size_t>(*next - begin)]);
    }
  }
  std::vector<std::int64_t> counts(static_cast<std::size_t>(comm.size()));
  comm.allgather(&sampled, 1, CommType::i64, counts.data());
  std::int64_t all_sampled = 0;
  for (const std::int64_t count : counts) all_sampled += count;
  std::vector<float> all_weights(static_cast<std::size_t>(all_sampled)), all_values(static_cast<std::size_t>(all_sampled * features));
  comm.allgatherv(weights.data(), counts, CommType::f32, all_weights.data());
  for (std::int64_t& count : counts) count *= features;
  comm.allgatherv(values.data(), counts, CommType::f32, all_values.data());
  const QuantileCuts cuts = QuantileCuts::from_sample(all_values, all_weights, features, config.max_bin);

  BinnedShard shard{BinnedMatrix(cuts, own.size()), std::vector<float>(static_cast<std::size_t>(own.size())),
                    std::vector<float>(static_cast<std::size_t>(own.size())), own.begin, shape.rows, source.source()};
  for (std::int64_t begin = own.begin; begin < own.end; begin += chunk_rows) {
    const std::int64_t end = std::min(own.end, begin + chunk_rows), local = begin - own.begin;
    source.read_range(begin, end, chunk.data(), shard.labels.data() + local, shard.weights.data() + local);
    check_values(chunk.data(), shard.weights.data() + local, end - begin, features, source.source(), begin);
    shard.matrix.set_rows(local, end - begin, chunk.data());
  }
  return shard;
}

Dataset load_with_missing(const std::filesystem::path& path, std::int64_t features) {
  Dataset data;
  if (is_sparse_file(path)) {
    const SparseRows rows = load_sparse(path, 0, -1, features);
    data = allocate_dataset(rows.rows(), rows.num_features, rows.source);
    std::fill_n(data.features.data<float>(), data.features.numel(), kMissing);
    for (std::int64_t r = 0; r < rows.rows(); ++r) {
      const auto indices = rows.row_indices(r);
      const auto values = rows.row_values(r);
      for (std::size_t j = 0; j < indices.size(); ++j) data.features.data<float>()[r * rows.num_features + indices[j]] = values[j];
      data.labels.data<float>()[r] = rows.labels[static_cast<std::size_t>(r)];
    }
  } else {
    data = load_dataset(path);
  }
  check_values(data.features.data<float>(), nullptr, data.rows(), data.num_features(), data.source, 0);
  return data;
}

}  // namespace tern
