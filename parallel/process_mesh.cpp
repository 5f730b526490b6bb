#include "parallel/process_mesh.h"

#include "core/error.h"

namespace tern {

ProcessMesh::ProcessMesh(int world_size, int tp, int pp) : pp_(pp), tp_(tp) {
  TERN_CHECK(tp >= 1 && pp >= 1, "tp and pp must be at least 1, got tp=", tp, " pp=", pp);
  TERN_CHECK(world_size % (tp * pp) == 0, "impossible layout: ", world_size, " ranks cannot be split into tp=", tp,
             " x pp=", pp, " groups (the world size must be a multiple of tp*pp=", tp * pp, ")");
  dp_ = world_size / (tp * pp);
}

MeshCoordinates ProcessMesh::coordinates(int rank) const {
  TERN_CHECK(rank >= 0 && rank < world_size(), "rank ", rank, " outside a mesh of ", world_size(), " ranks");
  return {rank / (pp_ * tp_), (rank / tp_) % pp_, rank % tp_};
}

int ProcessMesh::rank_of(const MeshCoordinates& at) const { return (at.dp * pp_ + at.pp) * tp_ + at.tp; }

MeshGroups split_mesh_groups(Communicator& world, const ProcessMesh& mesh) {
  TERN_CHECK(world.size() == mesh.world_size(), "the mesh has ", mesh.world_size(), " ranks, the world ", world.size());
  const MeshCoordinates at = mesh.coordinates(world.rank());
  // A group's color is the rank's coordinates with the group's own axis left out.
  MeshGroups groups;
  groups.dp = world.split(at.pp * mesh.tp() + at.tp, at.dp);
  groups.pp = world.split(at.dp * mesh.tp() + at.tp, at.pp);
  groups.tp = world.split(at.dp * mesh.pp() + at.pp, at.tp);
  groups.replica = world.split(at.dp, at.pp * mesh.tp() + at.tp);
  return groups;
}

}  // namespace tern
