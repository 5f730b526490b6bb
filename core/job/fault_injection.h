// Fault injection for the fail-fast tests: TERN_FAULT_INJECTION="RANK:STEP:ACTION" makes rank
// RANK fail when it reaches training step STEP, by throwing an error (ACTION = throw), exiting
// with code 3 (exit), killing itself with SIGKILL (kill), sending itself SIGTERM (term: a
// graceful stop request, as a scheduler sends) or stopping forever without dying (hang, which
// the other ranks' collective watchdog must catch). The launcher parses the
// variable; the training loop calls at_step() every step.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tern {

class FaultInjection {
 public:
  enum class Action { throw_error, exit_process, kill_process, terminate_request, hang };

  FaultInjection() = default;
  // Parses "RANK:STEP:ACTION"; an empty text injects nothing.
  static FaultInjection parse(const std::string& text, int this_rank);

  void at_step(std::int64_t step) const;

 private:
  std::optional<std::int64_t> step_;
  Action action_ = Action::throw_error;
  int rank_ = 0;
};

}  // namespace tern
