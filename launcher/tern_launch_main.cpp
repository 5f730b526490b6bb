// tern-launch: starts N ranks of a Tern command through mpirun, or srun inside a Slurm
// allocation, with OMP_NUM_THREADS set so the ranks of a node share its cores, and prints the
// line it runs. If the job fails without saying why (a rank was killed), it writes the job
// folder's `failure` itself.
//
// A SIGTERM, SIGINT or SIGHUP to tern-launch is passed on to every rank as SIGUSR1, which mpirun
// forwards (a SIGTERM to mpirun itself kills the ranks a second later, too soon to save a
// checkpoint); the ranks then stop gracefully (launcher/stop_signals.h). mpirun runs in a
// process group of its own, so that Ctrl-C in a terminal reaches it only this way.
//
//   tern-launch -np 4 [--hostfile hosts] [--ranks-per-node 2] [--dry-run] -- tern train ...
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "core/error.h"
#include "launcher/job_folder.h"
#include "launcher/launch_plan.h"
#include "launcher/options.h"

extern char** environ;

namespace tern {
namespace {

LaunchHost this_host() {
  LaunchHost host;
  host.cores = std::max(1u, std::thread::hardware_concurrency());
  host.is_root = geteuid() == 0;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const auto equals = text.find('=');
    if (equals != std::string::npos) host.environment[text.substr(0, equals)] = text.substr(equals + 1);
  }
  return host;
}

volatile pid_t launched_child = 0;

void forward_stop_signal(int) {
  constexpr const char kMessage[] = "tern-launch: stop requested; the ranks finish their step and save a checkpoint "
                                    "(signal again, a second later, to abort at once)\n";
  static_cast<void>(write(STDERR_FILENO, kMessage, sizeof kMessage - 1));
  if (launched_child > 0) kill(launched_child, SIGUSR1);
}

// Runs argv as a child process in a process group of its own, its standard input /dev/null,
// passing SIGTERM, SIGINT and SIGHUP on as SIGUSR1, and returns its exit code (128 + signal
// when killed). The stop signals are blocked from before the fork until the handlers know the
// child, so that none is lost or kills the launcher and leaves the child alone.
int run_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (const std::string& argument : argv) pointers.push_back(const_cast<char*>(argument.c_str()));
  pointers.push_back(nullptr);
  sigset_t stop_signals, previous_mask;
  sigemptyset(&stop_signals);
  for (const int signal_number : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop_signals, signal_number);
  sigprocmask(SIG_BLOCK, &stop_signals, &previous_mask);
  const pid_t child = fork();
  TERN_CHECK(child >= 0, "tern-launch: fork failed");
  if (child == 0) {
    setpgid(0, 0);
    sigprocmask(SIG_SETMASK, &previous_mask, nullptr);
    const int no_input = open("/dev/null", O_RDONLY);
    if (no_input >= 0) dup2(no_input, STDIN_FILENO);  // srun would read a terminal from the background
    execvp(pointers[0], pointers.data());
    std::cerr << "tern-launch: cannot run " << argv[0] << ": " << std::strerror(errno) << std::endl;
    _exit(127);
  }
  setpgid(child, child);  // as the child does: whichever runs first, no terminal signal reaches it
  launched_child = child;
  struct sigaction action {};
  action.sa_handler = forward_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal_number : {SIGTERM, SIGINT, SIGHUP}) sigaction(signal_number, &action, nullptr);
  sigprocmask(SIG_SETMASK, &previous_mask, nullptr);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  launched_child = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The job folder named by the command's --output-dir, if any.
std::filesystem::path output_dir_of(const std::vector<std::string>& command) {
  for (std::size_t i = 0; i + 1 < command.size(); ++i) {
    if (command[i] == "--output-dir") return command[i + 1];
    if (command[i].rfind("--output-dir=", 0) == 0) return command[i].substr(13);
  }
  return {};
}

int launch(const Arguments& arguments) {
  const auto separator = std::find(arguments.begin(), arguments.end(), "--");
  LaunchRequest request;
  request.command.assign(separator == arguments.end() ? arguments.end() : separator + 1, arguments.end());
  po::options_description options("tern-launch [options] -- COMMAND");
  options.add_options()
      ("np,n", po::value<int>(&request.ranks)->default_value(0), "ranks to start (default: the Slurm allocation, or 1)")
      ("hostfile", po::value<std::string>(&request.hostfile), "Open MPI hostfile of the nodes")
      ("ranks-per-node", po::value<int>(&request.ranks_per_node)->default_value(0), "ranks on each node")
      ("dry-run", "print the command line only");
  // mpirun spells it -np; Boost.Program_options wants --np.
  Arguments launcher_options(arguments.begin(), separator);
  std::replace(launcher_options.begin(), launcher_options.end(), std::string("-np"), std::string("--np"));
  const auto values = parse_options("launch", options, launcher_options);
  if (!values) return 0;
  const LaunchPlan plan = plan_launch(request, this_host());
  const std::string line = shell_line(plan.argv);
  if (values->count("dry-run")) {
    std::cout << line << std::endl;
    return 0;
  }
  std::cerr << "tern-launch: " << line << std::endl;
  const int exit_code = run_and_wait(plan.argv);
  const std::filesystem::path job = output_dir_of(request.command);
  if (exit_code != 0 && exit_code != kStoppedExitCode && !job.empty() && std::filesystem::exists(job / "job.json") &&
      !std::filesystem::exists(job / "failure")) {
    JobFolder::open_existing(job).write_failure("the job ended with exit code " + std::to_string(exit_code) +
                                                " before any rank reported a cause (a rank was killed or exited); "
                                                "see the launcher's output and logs/");
  }
  return exit_code;
}

}  // namespace
}  // namespace tern

int main(int argc, char** argv) {
  const tern::Arguments arguments(argv + 1, argv + argc);
  return tern::run_reporting_errors("launch", [&] { return tern::launch(arguments); });
}
