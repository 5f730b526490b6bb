#include "parallel/process_mesh.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tern {
namespace {

TEST(ProcessMesh, TensorParallelIndexVariesFastest) {
  const ProcessMesh mesh(8, 2, 2);
  EXPECT_EQ(mesh.dp(), 2);
  EXPECT_EQ(mesh.coordinates(0), (MeshCoordinates{0, 0, 0}));
  EXPECT_EQ(mesh.coordinates(1), (MeshCoordinates{0, 0, 1}));
  EXPECT_EQ(mesh.coordinates(2), (MeshCoordinates{0, 1, 0}));
  EXPECT_EQ(mesh.coordinates(5), (MeshCoordinates{1, 0, 1}));
  for (int rank = 0; rank < 8; ++rank) EXPECT_EQ(mesh.rank_of(mesh.coordinates(rank)), rank);
}

TEST(ProcessMesh, ImpossibleLayoutsAreClearErrors) {
  try {
    ProcessMesh(6, 4, 1);
    FAIL() << "6 ranks with tp=4 accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("impossible layout: 6 ranks"), std::string::npos) << error.what();
  }
  EXPECT_THROW(ProcessMesh(4, 0, 1), Error);
  EXPECT_THROW(ProcessMesh(4, 1, 1).coordinates(4), Error);
}

}  // namespace
}  // namespace tern
