// Which launcher started this process, and this process's place in the job, read from the
// variables each launcher sets before MPI starts:
//   Open MPI  OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_LOCAL_RANK, OMPI_COMM_WORLD_SIZE
//   Slurm     SLURM_PROCID, SLURM_LOCALID, SLURM_NTASKS
//   PMI       PMI_RANK, MPI_LOCALRANKID (or PMI_LOCAL_RANK), PMI_SIZE   (MPICH, Intel MPI)
// With none of them the process is a single rank. The job runtime checks these against MPI's
// own view and records them in job.json; the local rank picks the GPU.
#pragma once

#include <string>

namespace tern {

struct LaunchEnvironment {
  std::string launcher = "none";  // "openmpi", "slurm", "pmi" or "none"
  int rank = 0;
  int local_rank = 0;
  int size = 1;
};

LaunchEnvironment discover_launch_environment();

}  // namespace tern
