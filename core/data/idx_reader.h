// read_idx: the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/),
// gzip-compressed (.gz) or raw; zlib's gzread reads both. An images file holds u8 [N, H, W]
// (magic 0x00000803), a labels file u8 [N] (magic 0x00000801), all header integers big-endian.
// Images become features f32 [N, H*W] with the raw pixel values 0..255 (scaling is a model's
// choice, not the reader's); labels become f32 [N].
#pragma once

#include <filesystem>

#include "core/data/dataset.h"

namespace tern {

Dataset read_idx(const std::filesystem::path& images_path, const std::filesystem::path& labels_path);

}  // namespace tern
