#include "launcher/launch_environment.h"

#include <cstdlib>

#include "core/error.h"

namespace tern {

namespace {
// The integer value of an environment variable, if it is set.
bool read_int(const char* name, int& value) {
  const char* text = std::getenv(name);
  if (text == nullptr) return false;
  char* end = nullptr;
  const long parsed = std::strtol(text, &end, 10);
  TERN_CHECK(end != text && *end == '\0' && parsed >= 0, "environment variable ", name, "='", text,
             "' is not a rank number");
  value = static_cast<int>(parsed);
  return true;
}

// Reads one launcher's triple; true when its rank variable is set.
bool read_launcher(const char* rank, const char* local_rank, const char* size, const char* name,
                   LaunchEnvironment& environment) {
  if (!read_int(rank, environment.rank)) return false;
  read_int(local_rank, environment.local_rank);
  read_int(size, environment.size);
  environment.launcher = name;
  TERN_CHECK(environment.rank < environment.size, name, " says rank ", environment.rank, " of ", environment.size);
  return true;
}
}  // namespace

LaunchEnvironment discover_launch_environment() {
  LaunchEnvironment environment;
  if (read_launcher("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_SIZE", "openmpi",
                    environment))
    return environment;
  if (read_launcher("SLURM_PROCID", "SLURM_LOCALID", "SLURM_NTASKS", "slurm", environment)) return environment;
  if (read_launcher("PMI_RANK", "MPI_LOCALRANKID", "PMI_SIZE", "pmi", environment)) {
    read_int("PMI_LOCAL_RANK", environment.local_rank);
    return environment;
  }
  return environment;
}

}  // namespace tern
