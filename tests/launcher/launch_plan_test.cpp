// tern-launch's command lines for the ways it is used: a workstation, a hostfile cluster, as
// root, and inside a Slurm allocation.
#include "launcher/launch_plan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace tern {
namespace {

const std::vector<std::string> kCommand = {"tern", "train", "--hp", "hidden_sizes=[64,32]"};

TEST(LaunchPlan, OneNodeSharesItsCoresAmongTheRanks) {
  const LaunchPlan plan = plan_launch({.ranks = 4, .command = kCommand}, {.cores = 16});
  EXPECT_EQ(plan.threads_per_rank, 4);
  EXPECT_EQ(shell_line(plan.argv),
            "mpirun -np 4 --bind-to none -x OMP_NUM_THREADS=4 -- tern train --hp 'hidden_sizes=[64,32]'");
}

TEST(LaunchPlan, MoreRanksThanCoresOversubscribesAndRootIsAllowed) {
  const LaunchPlan plan = plan_launch({.ranks = 3, .command = kCommand}, {.cores = 2, .is_root = true});
  EXPECT_EQ(plan.threads_per_rank, 1);
  EXPECT_EQ(shell_line(plan.argv), "mpirun -np 3 --bind-to none --oversubscribe --allow-run-as-root "
                                   "-x OMP_NUM_THREADS=1 -- tern train --hp 'hidden_sizes=[64,32]'");
}

TEST(LaunchPlan, HostfileSpreadsRanksOverItsNodes) {
  const auto hostfile = std::filesystem::temp_directory_path() / ("hosts-" + std::to_string(getpid()));
  std::ofstream(hostfile) << "# two nodes\nnode1 slots=8\n\nnode2 slots=8\n";
  const LaunchPlan plan = plan_launch({.ranks = 8, .hostfile = hostfile.string(), .command = kCommand}, {.cores = 8});
  EXPECT_EQ(plan.threads_per_rank, 2);  // 4 ranks on each 8-core node
  const LaunchPlan pinned =
      plan_launch({.ranks = 8, .hostfile = hostfile.string(), .ranks_per_node = 2, .command = kCommand}, {.cores = 8});
  EXPECT_EQ(pinned.threads_per_rank, 4);
  EXPECT_NE(shell_line(pinned.argv).find("--map-by ppr:2:node"), std::string::npos);
  std::filesystem::remove(hostfile);
  EXPECT_THROW(plan_launch({.ranks = 2, .hostfile = hostfile.string(), .command = kCommand}, {.cores = 8}), Error);
}

TEST(LaunchPlan, InsideSlurmUsesSrunWithTheAllocation) {
  const LaunchHost host{.cores = 32, .environment = {{"SLURM_JOB_ID", "41"}, {"SLURM_NTASKS", "8"},
                                                     {"SLURM_JOB_NUM_NODES", "2"}}};
  const LaunchPlan plan = plan_launch({.command = kCommand}, host);
  EXPECT_TRUE(plan.under_slurm);
  EXPECT_EQ(plan.ranks, 8);
  EXPECT_EQ(plan.threads_per_rank, 8);
  EXPECT_EQ(shell_line(plan.argv),
            "srun --mpi=pmix -n 8 --export=ALL,OMP_NUM_THREADS=8 tern train --hp 'hidden_sizes=[64,32]'");
}

TEST(LaunchPlan, ACommandIsRequired) { EXPECT_THROW(plan_launch({.ranks = 2}, {.cores = 2}), Error); }

}  // namespace
}  // namespace tern
