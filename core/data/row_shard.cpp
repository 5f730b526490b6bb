#include "core/data/row_shard.h"

#include <algorithm>

namespace tern {

RowShard::RowShard(const std::filesystem::path& path, const Communicator& comm, IngestionMode mode,
                   std::int64_t chunk_rows, TaskKind task, const std::string& channel, int num_classes)
    : file_(open_dense_reader(path)),
      own_(rank_rows(file_->num_rows(), comm.rank(), comm.size())),
      chunk_rows_(chunk_rows) {
  TERN_CHECK(chunk_rows >= 1, "chunk of ", chunk_rows, " rows");
  TERN_CHECK(file_->num_rows() > 0, channel, " channel '", file_->source(), "' is empty (no rows)");
  if (mode == IngestionMode::file) memory_.emplace(read_dataset(*file_, own_.begin, own_.end));
  for_each_chunk([&](const Dataset& chunk) { validate_dataset(chunk, task, num_classes, channel); });
}

void RowShard::for_each_chunk(const std::function<void(const Dataset&)>& visit) const {
  DenseReader& source = memory_ ? static_cast<DenseReader&>(*memory_) : *file_;
  const std::int64_t offset = memory_ ? own_.begin : 0;  // file row = source row + offset
  for (std::int64_t begin = own_.begin; begin < own_.end; begin += chunk_rows_) {
    Dataset chunk = read_dataset(source, begin - offset, std::min(own_.end, begin + chunk_rows_) - offset);
    chunk.first_row = begin;
    visit(chunk);
  }
}

}  // namespace tern
