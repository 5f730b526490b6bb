#include "launcher/launch_plan.h"

#include <algorithm>
#include <fstream>

#include "core/error.h"

namespace tern {

namespace {

std::string value_of(const LaunchHost& host, const std::string& name) {
  const auto found = host.environment.find(name);
  return found == host.environment.end() ? "" : found->second;
}

// Hosts named in an Open MPI hostfile (one a line, comments and blank lines skipped).
int count_hosts(const std::string& hostfile) {
  std::ifstream in(hostfile);
  TERN_CHECK(in.good(), "no such hostfile: ", hostfile);
  int hosts = 0;
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] != '#') ++hosts;
  }
  TERN_CHECK(hosts > 0, "hostfile ", hostfile, " names no host");
  return hosts;
}

}  // namespace

LaunchPlan plan_launch(const LaunchRequest& request, const LaunchHost& host) {
  TERN_CHECK(!request.command.empty(), "tern-launch needs a command after --, e.g. tern-launch -np 2 -- tern train ...");
  TERN_CHECK(request.ranks >= 0 && request.ranks_per_node >= 0, "rank counts must not be negative");
  LaunchPlan plan;
  plan.under_slurm = !value_of(host, "SLURM_JOB_ID").empty();
  if (plan.under_slurm) {
    const std::string allocated = value_of(host, "SLURM_NTASKS");
    plan.ranks = request.ranks > 0 ? request.ranks : (allocated.empty() ? 1 : std::stoi(allocated));
    const std::string nodes_text = value_of(host, "SLURM_JOB_NUM_NODES");
    const int nodes = nodes_text.empty() ? 1 : std::max(1, std::stoi(nodes_text));
    const int per_node = request.ranks_per_node > 0 ? request.ranks_per_node : (plan.ranks + nodes - 1) / nodes;
    plan.threads_per_rank = std::max(1, host.cores / per_node);
    plan.argv = {"srun", "--mpi=pmix", "-n", std::to_string(plan.ranks)};
    if (request.ranks_per_node > 0) {
      plan.argv.push_back("--ntasks-per-node");
      plan.argv.push_back(std::to_string(request.ranks_per_node));
    }
    plan.argv.push_back("--export=ALL,OMP_NUM_THREADS=" + std::to_string(plan.threads_per_rank));
  } else {
    plan.ranks = request.ranks > 0 ? request.ranks : 1;
    const int hosts = request.hostfile.empty() ? 1 : count_hosts(request.hostfile);
    const int per_node = request.ranks_per_node > 0 ? request.ranks_per_node : (plan.ranks + hosts - 1) / hosts;
    plan.threads_per_rank = std::max(1, host.cores / per_node);
    plan.argv = {"mpirun", "-np", std::to_string(plan.ranks)};
    if (!request.hostfile.empty()) {
      plan.argv.push_back("--hostfile");
      plan.argv.push_back(request.hostfile);
    }
    if (request.ranks_per_node > 0) {
      plan.argv.push_back("--map-by");
      plan.argv.push_back("ppr:" + std::to_string(request.ranks_per_node) + ":node");
    }
    plan.argv.push_back("--bind-to");
    plan.argv.push_back("none");
    if (per_node > host.cores) plan.argv.push_back("--oversubscribe");
    if (host.is_root) plan.argv.push_back("--allow-run-as-root");
    plan.argv.push_back("-x");
    plan.argv.push_back("OMP_NUM_THREADS=" + std::to_string(plan.threads_per_rank));
    plan.argv.push_back("--");
  }
  plan.argv.insert(plan.argv.end(), request.command.begin(), request.command.end());
  return plan;
}

std::string shell_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& argument : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !argument.empty() && argument.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                       "0123456789-_=./:,+@%") == std::string::npos;
    if (plain) {
      line += argument;
      continue;
    }
    line += '\'';
    for (char c : argument) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

}  // namespace tern
