# Sourced by the bench/run_*.sh scripts: installs the peers (python3-torch with OpenBLAS) and
# builds Tern if needed, then sets `root` (the checkout), `build_dir` (TERN_BUILD_DIR or build/)
# the variables that let Open MPI run as root, and `peer_env`: the command prefix that runs an
# OpenBLAS peer (PyTorch, numpy, scikit-learn, FAISS) on the CPU's best kernels.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${TERN_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh" --bench
TERN_BUILD_DIR=$build_dir "$root/scripts/build.sh" >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# OpenBLAS picks its kernels from the CPU model. These VMs either pin it to AVX2 with
# OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE), or report a model it does not know, and then it falls
# back to SSE3 ("Prescott", measured here: 33 GFLOP/s for a 4096² sgemm on 2 threads against
# 204 with SkylakeX's kernels). So the peers run with the kernels the CPU's flags allow.
peer_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
if grep -qw avx512f /proc/cpuinfo; then
  peer_env+=(OPENBLAS_CORETYPE=SkylakeX)
elif grep -qw avx2 /proc/cpuinfo; then
  peer_env+=(OPENBLAS_CORETYPE=Haswell)
fi
