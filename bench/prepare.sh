# Sourced by the bench/run_*.sh scripts: installs the peers (python3-torch with OpenBLAS) and
# builds Tern if needed, then sets `root` (the checkout), `build_dir` (TERN_BUILD_DIR or build/)
# and the variables that let Open MPI run as root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${TERN_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh" --bench
TERN_BUILD_DIR=$build_dir "$root/scripts/build.sh" >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
