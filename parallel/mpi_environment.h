// MpiEnvironment: MPI's lifetime in a Tern process. It initialises MPI with
// MPI_THREAD_MULTIPLE (the gradient synchronizer's communication thread issues collectives
// while the training thread may issue others), gives the world communicator, the node-local
// rank (which picks the GPU), and ends the job: MPI_Finalize on success, MPI_Abort on failure
// so that every rank of the job goes down within seconds.
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
  // This rank's index among the ranks of its node.
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }

  // Ends every rank of the job with `exit_code`.
  [[noreturn]] static void abort_job(int exit_code);

 private:
  int local_rank_ = 0, local_size_ = 1;
};

}  // namespace tern
