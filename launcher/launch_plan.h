// tern-launch's plan: the command line that starts N ranks of a Tern command, built from the
// options and the environment, so that it can be printed (--dry-run), tested and run.
//
//   outside Slurm   mpirun -np N [--hostfile F] [--map-by ppr:K:node] --bind-to none
//                   [--oversubscribe] [--allow-run-as-root] -x OMP_NUM_THREADS=T -- COMMAND
//   inside Slurm    srun --mpi=pmix -n N [--ntasks-per-node K] --export=ALL,OMP_NUM_THREADS=T COMMAND
//                   (the allocation's SLURM_NTASKS when -np is not given)
//
// T, the OpenMP threads of each rank, is the node's cores divided by the ranks on a node
// (at least 1), so ranks never fight over cores.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tern {

struct LaunchRequest {
  int ranks = 0;                 // -np; 0 = from the allocation (Slurm) or 1
  std::string hostfile;          // --hostfile
  int ranks_per_node = 0;        // --ranks-per-node; 0 = derive
  std::vector<std::string> command;  // after --
};

// What the plan reads from the machine: cores per node, whether we are root, and the
// environment variables (SLURM_*).
struct LaunchHost {
  int cores = 1;
  bool is_root = false;
  std::map<std::string, std::string> environment;
};

struct LaunchPlan {
  std::vector<std::string> argv;  // the launcher's command line
  int ranks = 1;
  int threads_per_rank = 1;
  bool under_slurm = false;
};

LaunchPlan plan_launch(const LaunchRequest& request, const LaunchHost& host);

// The plan's command line as one shell-quoted string, for printing.
std::string shell_line(const std::vector<std::string>& argv);

}  // namespace tern
