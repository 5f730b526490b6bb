// MpiEnvironment: MPI's lifetime in a Tern process. It initialises MPI with
// MPI_THREAD_MULTIPLE (the gradient synchronizer's communication thread issues collectives
// while the training thread may issue others), gives the world communicator, and ends the
// job: MPI_Finalize on success, MPI_Abort on failure so that every rank of the job goes down
// within seconds.
#pragma once

#include <memory>

#include "core/comm.h"

namespace tern {

class MpiEnvironment {
 public:
  MpiEnvironment(int* argc, char*** argv);
  ~MpiEnvironment();
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;

  // The communicator of all ranks; collectives wait at most watchdog_s for the other ranks.
  std::unique_ptr<Communicator> world(double watchdog_s) const;
  // This rank's place among the ranks that share its node (its memory, its GPUs).
  struct NodePlacement {
    int rank_on_node = 0;
    int ranks_on_node = 1;
  };
  NodePlacement node_placement() const;
  // Ends every rank of the job with `exit_code`.
  [[noreturn]] static void abort_job(int exit_code);
};

}  // namespace tern
