// RowShard: this rank's contiguous share of a dense file's rows (rank_rows), for algorithms
// that pass over their rows several times and add up what each rank finds (pca, kmeans). In
// file mode the share is read into memory once; in pipe mode each pass reads it again from the
// file in chunks, so memory holds one chunk. Its rows are checked on opening: finite features
// and labels, and for classification tasks, labels in range.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/comm.h"
#include "core/data/batch_stream.h"
#include "core/data/dense_reader.h"
#include "core/data/distribution.h"
#include "core/data/in_memory_reader.h"
#include "core/data/validation.h"

namespace tern {

class RowShard {
 public:
  // `task` (and num_classes, for multiclass) decides which label checks apply (finiteness only,
  // for regression, projection and clustering).
  RowShard(const std::filesystem::path& path, const Communicator& comm, IngestionMode mode, std::int64_t chunk_rows,
           TaskKind task, const std::string& channel, int num_classes = 1);

  std::int64_t total_rows() const { return file_->num_rows(); }
  std::int64_t num_features() const { return file_->num_features(); }
  const std::string& source() const { return file_->source(); }
  RowRange rows() const { return own_; }  // in the file's numbering

  // Calls visit(chunk) for each chunk of this rank's rows, in order; chunk.first_row is the
  // chunk's first row in the file.
  void for_each_chunk(const std::function<void(const Dataset&)>& visit) const;

 private:
  std::unique_ptr<DenseReader> file_;
  mutable std::optional<InMemoryReader> memory_;  // file mode: the rows, numbered from 0 (reads change nothing)
  RowRange own_;
  std::int64_t chunk_rows_;
};

}  // namespace tern
