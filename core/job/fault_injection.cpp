#include "core/job/fault_injection.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "core/error.h"

namespace tern {

FaultInjection FaultInjection::parse(const std::string& text, int this_rank) {
  FaultInjection injection;
  if (text.empty()) return injection;
  std::istringstream fields(text);
  std::string rank, step, action;
  const bool complete = std::getline(fields, rank, ':') && std::getline(fields, step, ':') && std::getline(fields, action);
  TERN_CHECK(complete && (action == "throw" || action == "exit" || action == "kill" || action == "term" ||
                            action == "hang"),
             "TERN_FAULT_INJECTION must be RANK:STEP:ACTION with ACTION throw, exit, kill, term or hang, got '", text,
             "'");
  if (std::stoi(rank) != this_rank) return injection;
  injection.rank_ = this_rank;
  injection.step_ = std::stoll(step);
  injection.action_ = action == "throw"  ? Action::throw_error
                      : action == "exit" ? Action::exit_process
                      : action == "kill" ? Action::kill_process
                      : action == "term" ? Action::terminate_request
                                         : Action::hang;
  return injection;
}

void FaultInjection::at_step(std::int64_t step) const {
  if (!step_ || *step_ != step) return;
  switch (action_) {
    case Action::throw_error:
      throw Error("fault injected at step " + std::to_string(step) + " on rank " + std::to_string(rank_));
    case Action::exit_process: std::_Exit(3);
    case Action::kill_process: std::raise(SIGKILL); return;
    case Action::terminate_request: std::raise(SIGTERM); return;
    case Action::hang:
      while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace tern
