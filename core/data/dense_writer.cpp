#include "core/data/dense_writer.h"

#include "core/data/csv_writer.h"
#include "core/data/dense_format.h"
#include "core/data/hdf5_writer.h"

namespace tern {

void write_dataset(const Dataset& dataset, const std::filesystem::path& path) {
  switch (dense_format_of(path)) {
    case DenseFormat::hdf5: return write_hdf5(dataset, path);
    case DenseFormat::csv: return write_csv(dataset, path);
  }
}

}  // namespace tern
