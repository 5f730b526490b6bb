#!/usr/bin/env bash
# Installs what Tern needs from Debian 12 packages. Shared by the README's commands, CI and
# docker/. Usage: scripts/install-deps.sh [--bench] [--gpu-bundle]
#   (default)     build tools, libraries, and the packages that ship the real data sets
#   --bench       also the peers the benchmarks compare against (PyTorch with OpenBLAS, FAISS,
#                 LIBLINEAR, XGBoost) and what fetches the gbdt benchmark's data (npm for the
#                 flights, ggplot2 for the diamonds) and measures peak memory (GNU time)
#   --gpu-bundle  also what scripts/gpu-bundle.sh packs with (patchelf, xz)
# Skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libopenmpi-dev openmpi-bin
  libeigen3-dev libdnnl-dev libhdf5-dev zlib1g-dev
  libboost-program-options-dev libgtest-dev nlohmann-json3-dev libsqlite3-dev libarchive-dev
  # a single-node Slurm cluster for the `slurm` test
  slurm-wlm munge
  # real data sets: Fashion-MNIST (IDX files); scikit-learn ships breast_cancer, diabetes, ...;
  # Jane Austen's novels (R data, exported with Rscript) for the language models; MovieLens
  # ratings (R data) for factorization machines
  dataset-fashion-mnist python3-sklearn python3-h5py r-base-core r-cran-janeaustenr r-cran-dslabs
)
for option in "$@"; do
  case $option in
    --bench)
      packages+=(python3-torch libopenblas0-openmp python3-faiss liblinear-tools python3-xgboost r-cran-ggplot2 time)
      command -v npm >/dev/null || packages+=(nodejs npm) ;;  # any npm will do: it only fetches
    --gpu-bundle) packages+=(patchelf xz-utils) ;;
    *) echo "install-deps: unknown option $option" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} == 0 )); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
