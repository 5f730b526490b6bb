#include "core/data/csv_writer.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "core/data/float_text.h"
#include "core/io/atomic_file.h"

namespace tern {

namespace {
constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
}  // namespace

void write_csv(const Dataset& dataset, const std::filesystem::path& path) {
  check_dataset_shape(dataset);
  produce_file_atomically(path, [&](const std::filesystem::path& temporary) {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    TERN_CHECK(out.is_open(), "cannot create ", temporary.string(), ": ", std::strerror(errno));
    const float* features = dataset.features.data<float>();
    const float* labels = dataset.labels.data<float>();
    const std::int64_t num_features = dataset.num_features();
    std::string text;
    for (std::int64_t row = 0; row < dataset.rows(); ++row) {
      append_float(text, labels[row]);
      for (std::int64_t column = 0; column < num_features; ++column) {
        text += ',';
        append_float(text, features[row * num_features + column]);
      }
      text += '\n';
      if (text.size() >= kFlushBytes || row + 1 == dataset.rows()) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        text.clear();
      }
    }
    out.close();
    TERN_CHECK(out.good(), "writing ", temporary.string(), " failed: ", std::strerror(errno));
  });
}

}  // namespace tern
