// ProcessMesh: the layout of the world's ranks as dp × pp × tp (data-, pipeline- and
// tensor-parallel degrees), tp varying fastest so that a tensor-parallel group stays inside a
// node: rank = (dp_index · pp + pp_index) · tp + tp_index.
// The layout comes from the hyperparameters tp and pp (default 1); dp = world / (tp · pp).
#pragma once

#include <memory>

#include "core/comm.h"

namespace tern {

struct MeshCoordinates {
  int dp = 0, pp = 0, tp = 0;
  bool operator==(const MeshCoordinates&) const = default;
};

class ProcessMesh {
 public:
  // Throws, naming the sizes, unless world_size = dp · pp · tp for a whole dp >= 1.
  ProcessMesh(int world_size, int tp, int pp);

  int world_size() const { return dp_ * pp_ * tp_; }
  int dp() const { return dp_; }
  int pp() const { return pp_; }
  int tp() const { return tp_; }
  MeshCoordinates coordinates(int rank) const;
  int rank_of(const MeshCoordinates& coordinates) const;

 private:
  int dp_, pp_, tp_;
};

// The communicators of one rank's groups: the ranks that differ from it only in dp, pp or tp,
// and its model replica, the tp · pp ranks that share its dp index (rank = pp_index · tp + tp_index).
struct MeshGroups {
  std::unique_ptr<Communicator> dp, pp, tp, replica;
};
MeshGroups split_mesh_groups(Communicator& world, const ProcessMesh& mesh);

}  // namespace tern
