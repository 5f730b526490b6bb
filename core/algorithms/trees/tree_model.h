// What the tree algorithms share beyond the Algorithm interface: their trees, for
// `tern predict --output-margin` (the raw sums before the objective's transform) and
// `--pred-leaf` (the leaf each tree sends a row to), and the number of features a data file
// must have.
#pragma once

#include <cstdint>

#include "core/algorithms/trees/tree_ensemble.h"

namespace tern {

class TreeModel {
 public:
  virtual ~TreeModel() = default;
  virtual const TreeEnsemble& ensemble() const = 0;
  virtual std::int64_t tree_features() const = 0;
};

}  // namespace tern
