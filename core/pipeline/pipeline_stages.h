// Which blocks each pipeline stage holds. Stages are contiguous ranges of blocks, at least one
// each; by default they are balanced by parameter count (the parameters are what a stage must
// store, with their gradients and optimizer state), counting the embeddings on the first stage
// and the final norm and head on the last: the split minimises the largest stage. A job may
// give the blocks per stage itself instead (hyperparameter `stage_layers`, say "3,5").
#pragma once

#include <cstdint>
#include <vector>

namespace tern {

struct StageLayers {
  std::int64_t first_layer = 0, end_layer = 0;  // blocks [first_layer, end_layer)
  bool operator==(const StageLayers&) const = default;
};

struct StageCosts {
  std::int64_t layers = 0;               // the model's blocks
  std::int64_t block_parameters = 0;     // parameters of one block
  std::int64_t first_stage_extra = 0;    // parameters only the first stage holds (embeddings)
  std::int64_t last_stage_extra = 0;     // parameters only the last stage holds (final norm, head)
};

// The contiguous split of costs.layers blocks over `stages` stages whose largest parameter
// count is smallest (ties: later stages take fewer blocks). Throws unless 1 ≤ stages ≤ layers.
std::vector<StageLayers> balance_stages(const StageCosts& costs, std::int64_t stages);

// The split given as blocks per stage; throws unless there are `stages` counts, each at least
// one, adding up to `layers`.
std::vector<StageLayers> stages_from_counts(const std::vector<std::int64_t>& counts, std::int64_t layers,
                                            std::int64_t stages);

}  // namespace tern
