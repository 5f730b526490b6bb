#include "parallel/mpi_environment.h"

#include <mpi.h>

#include <cstdlib>

#include "core/error.h"
#include "parallel/mpi_communicator.h"

namespace tern {

MpiEnvironment::MpiEnvironment(int* argc, char*** argv) {
  int provided = MPI_THREAD_SINGLE;
  TERN_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) == MPI_SUCCESS, "MPI_Init_thread failed");
  TERN_CHECK(provided >= MPI_THREAD_MULTIPLE, "this MPI library does not support MPI_THREAD_MULTIPLE (provided level ",
             provided, "), which the communication thread needs");
}

MpiEnvironment::~MpiEnvironment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

std::unique_ptr<Communicator> MpiEnvironment::world(double watchdog_s) const {
  return std::make_unique<MpiCommunicator>(MPI_COMM_WORLD, false, watchdog_s);
}

MpiEnvironment::NodePlacement MpiEnvironment::node_placement() const {
  MPI_Comm node;
  TERN_CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS,
             "MPI_Comm_split_type (the ranks of this node) failed");
  NodePlacement placement;
  MPI_Comm_rank(node, &placement.rank_on_node);
  MPI_Comm_size(node, &placement.ranks_on_node);
  MPI_Comm_free(&node);
  return placement;
}

void MpiEnvironment::abort_job(int exit_code) {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

}  // namespace tern
