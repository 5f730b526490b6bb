// The stop signals of a training rank: SIGTERM (a scheduler taking capacity back, Slurm's
// scancel), SIGINT (Ctrl-C) and SIGUSR1 (what tern-launch sends through mpirun, which would
// otherwise kill the ranks a second after a SIGTERM of its own). The first one asks the job to
// stop gracefully (core/job/stop_request.h: finish the step, save a checkpoint, status
// Stopped); a second one, a second or more later, ends the process at once. (Copies of one
// request arriving together, as when Slurm signals both the ranks and their launcher, count
// as one.)
#pragma once

#include <csignal>

namespace tern {

// Installs the handlers; returns the variable they set to the first signal's number.
const volatile std::sig_atomic_t* install_stop_signal_handlers();

}  // namespace tern
