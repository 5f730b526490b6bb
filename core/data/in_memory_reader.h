// InMemoryReader: a DenseReader over rows already in memory (a Dataset). File-mode ingestion
// loads its row range once and gathers every epoch's batches from here; the same gather code
// as pipe mode then yields the same batches. The Dataset's tensors are shared, not copied.
#pragma once

#include <string>

#include "core/data/dense_reader.h"

namespace tern {

class InMemoryReader final : public DenseReader {
 public:
  // Row i here is row i of `dataset` (not dataset.first_row + i).
  explicit InMemoryReader(Dataset dataset);

  std::int64_t num_rows() const override { return dataset_.rows(); }
  std::int64_t num_features() const override { return dataset_.num_features(); }
  const std::string& source() const override { return dataset_.source; }
  const Dataset& dataset() const { return dataset_; }

 protected:
  void read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) override;
  void gather_rows(std::span<const std::int64_t> rows, float* features, float* labels) override;

 private:
  Dataset dataset_;
};

}  // namespace tern
