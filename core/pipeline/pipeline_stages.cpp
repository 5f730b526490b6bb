#include "core/pipeline/pipeline_stages.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace tern {

namespace {
void check_stage_count(std::int64_t stages, std::int64_t layers) {
  TERN_CHECK(stages >= 1 && stages <= layers, "pp=", stages, " pipeline stages for ", layers,
             " layer(s): every stage needs at least one layer (pp must be at most n_layer)");
}
}  // namespace

// Dynamic programming over (stages used, blocks placed): best[s][l] is the smallest possible
// largest stage when the first s stages hold the first l blocks.
std::vector<StageLayers> balance_stages(const StageCosts& costs, std::int64_t stages) {
  check_stage_count(stages, costs.layers);
  const std::int64_t layers = costs.layers;
  const auto cost = [&](std::int64_t stage, std::int64_t first, std::int64_t end) {
    return (end - first) * costs.block_parameters + (stage == 0 ? costs.first_stage_extra : 0) +
           (stage == stages - 1 ? costs.last_stage_extra : 0);
  };
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  const auto width = static_cast<std::size_t>(layers + 1);
  std::vector<std::vector<std::int64_t>> best(static_cast<std::size_t>(stages + 1), std::vector<std::int64_t>(width, kNone));
  std::vector<std::vector<std::int64_t>> split(best.size(), std::vector<std::int64_t>(width, 0));
  best[0][0] = 0;
  for (std::int64_t s = 1; s <= stages; ++s) {
    for (std::int64_t l = s; l <= layers; ++l) {
      for (std::int64_t first = l - 1; first >= s - 1; --first) {  // the last stage holds [first, l)
        const std::int64_t before = best[static_cast<std::size_t>(s - 1)][static_cast<std::size_t>(first)];
        if (before == kNone) continue;
        const std::int64_t largest = std::max(before, cost(s - 1, first, l));
        auto& entry = best[static_cast<std::size_t>(s)][static_cast<std::size_t>(l)];
        if (largest < entry) {
          entry = largest;
          split[static_cast<std::size_t>(s)][static_cast<std::size_t>(l)] = first;
        }
      }
    }
  }
  std::vector<StageLayers> result(static_cast<std::size_t>(stages));
  for (std::int64_t s = stages, end = layers; s >= 1; --s) {
    const std::int64_t first = split[static_cast<std::size_t>(s)][static_cast<std::size_t>(end)];
    result[static_cast<std::size_t>(s - 1)] = {first, end};
    end = first;
  }
  return result;
}

std::vector<StageLayers> stages_from_counts(const std::vector<std::int64_t>& counts, std::int64_t layers,
                                            std::int64_t stages) {
  check_stage_count(stages, layers);
  TERN_CHECK(static_cast<std::int64_t>(counts.size()) == stages, "stage_layers gives ", counts.size(),
             " stage(s), the layout has pp=", stages);
  std::vector<StageLayers> result;
  std::int64_t first = 0;
  for (const std::int64_t count : counts) {
    TERN_CHECK(count >= 1, "stage_layers: every stage needs at least one layer, got ", count);
    result.push_back({first, first + count});
    first += count;
  }
  TERN_CHECK(first == layers, "stage_layers adds up to ", first, " layers, the model has n_layer=", layers);
  return result;
}

}  // namespace tern
