#!/usr/bin/env bash
# Builds Tern with CUDA here and packs it for a GPU machine that has the NVIDIA driver, CUDA
# (cuBLAS, NCCL) and Python with PyTorch but none of Tern's other dependencies and no package
# registry to fetch them from (a rented or sandboxed GPU box). Run it on Debian 12 with the
# dependencies (it installs them) and nvcc; then copy .gpu-bundle/ to the GPU machine's
# checkout and run scripts/gpu-validate.sh there, which finds the bundle and uses it.
#
# .gpu-bundle/tern-gpu.tar.xz holds /opt/tern-gpu:
#   src/      the checkout's files (the tests read cluster-configs/ from there)
#   build/    tern, the `gpu` tests, bench/mlp_throughput, bench/gpt_throughput and the CTest files
#   sysroot/  every shared library those load, except the C library's and CUDA's and NCCL's
#             (which the GPU machine has), and an Open MPI runtime (orterun, orted,
#             plugins), found there through OPAL_PREFIX
#   bin/mpiexec  the launcher the tests were built to call
# Programs find the libraries through their RPATH, so nothing else on that machine sees them.
# The build sits at the same absolute path on both machines, so the paths CMake compiled into
# the tests hold there. .gpu-bundle/fashion-mnist/ holds the data set's IDX files and
# .gpu-bundle/austen/ Jane Austen's text (exported here by prepare-data.sh), which gpu-validate
# converts and tokenizes there (the HDF5 files are larger).
# Usage: scripts/gpu-bundle.sh        (about 5 minutes on 2 cores; the bundle is about 55 MB)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=/opt/tern-gpu
bundle=$repo/.gpu-bundle
"$repo/scripts/install-deps.sh" --gpu-bundle
command -v nvcc >/dev/null || { echo "gpu-bundle: nvcc is not on PATH" >&2; exit 1; }

# The build folder is kept between runs (incremental); everything else is made afresh.
rm -rf "$prefix/src" "$prefix/sysroot" "$prefix/bin" "$bundle"
mkdir -p "$prefix/src" "$prefix/sysroot/lib" "$prefix/sysroot/usr/bin" "$prefix/bin" "$bundle"
(cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp -p --parents -t "$prefix/src")

# The Open MPI runtime, relocated: OPAL_PREFIX moves its plugin, binary and help-text folders;
# PMIx (Debian's Open MPI uses the external one) is pointed at its plugins by an MCA variable.
# One node only: the isolated launcher needs no ssh (a bare machine has none), and shared
# memory and TCP carry the messages (no UCX or libfabric probing of absent hardware).
libdir=/usr/lib/x86_64-linux-gnu
cp -L /usr/bin/orterun /usr/bin/orted /usr/bin/ompi_info "$prefix/sysroot/usr/bin/"
mkdir -p "$prefix/sysroot$libdir/pmix2" "$prefix/sysroot/usr/share"
cp -a "$libdir/openmpi" "$prefix/sysroot$libdir/"
cp -a "$libdir/pmix2/lib" "$libdir/pmix2/share" "$prefix/sysroot$libdir/pmix2/"
cp -a /usr/share/openmpi "$prefix/sysroot/usr/share/"
cat >"$prefix/bin/environment.sh" <<EOF
# Sourced by gpu-validate and bin/mpiexec: where the bundled Open MPI lives, and how it runs.
export OPAL_PREFIX=$prefix/sysroot/usr
export PATH=$prefix/sysroot/usr/bin:\$PATH
export PMIX_MCA_mca_base_component_path=$prefix/sysroot$libdir/pmix2/lib/pmix
export OMPI_MCA_plm=isolated OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_osc=^ucx OMPI_MCA_mtl=^ofi
export OMPI_MCA_btl_base_warn_component_unused=0
EOF
cat >"$prefix/bin/mpiexec" <<EOF
#!/bin/sh
. $prefix/bin/environment.sh
exec $prefix/sysroot/usr/bin/orterun "\$@"
EOF
chmod +x "$prefix/bin/mpiexec"

gpu_tests=$(cd "$repo/tests" && find . -name '*_gpu_test.cpp' -o -name '*_gpu_mpi_test.cpp' | sed 's|^\./||; s|\.cpp$||; s|/|_|g')
cmake -S "$prefix/src" -B "$prefix/build" -DCMAKE_BUILD_TYPE=Release -DTERN_CUDA=ON -DTERN_BUILD_BENCH=ON \
  -DMPIEXEC_EXECUTABLE="$prefix/bin/mpiexec" >/dev/null
# shellcheck disable=SC2086
cmake --build "$prefix/build" -j "$(getconf _NPROCESSORS_ONLN)" --target tern mlp_throughput gpt_throughput $gpu_tests

# Programs: the built ones and Open MPI's; every library they (and the plugins) load, minus the
# ones the GPU machine brings, goes to sysroot/lib.
mapfile -t programs < <(find "$prefix/build" -type f -perm -u+x \( -name tern -o -name mlp_throughput -o -name gpt_throughput \
  -o -name '*_gpu_test' -o -name '*_gpu_mpi_test' \); find "$prefix/sysroot/usr/bin" -type f)
mapfile -t plugins < <(find "$prefix/sysroot$libdir/openmpi" "$prefix/sysroot$libdir/pmix2" -name '*.so*' -type f)
brought_by_the_gpu_machine='/(libc|libm|libdl|libpthread|librt|libresolv|ld-linux-x86-64|libcuda|libcudart|libcublas|libcublasLt|libnccl)\.so'
for file in "${programs[@]}" "${plugins[@]}"; do
  ldd "$file" | awk '/=> \// { print $3 }'
done | sort -u | grep -Ev "$brought_by_the_gpu_machine" | xargs -r cp -L -t "$prefix/sysroot/lib/"

# DT_RPATH (not RUNPATH) so that it also serves the libraries' own dependencies and plugins.
# CUDA's and NCCL's folders differ between machines: gpu-validate finds them there.
for file in "${programs[@]}" "${plugins[@]}" "$prefix"/sysroot/lib/*; do
  patchelf --force-rpath --set-rpath "$prefix/sysroot/lib" "$file"
done

# The whole prefix but the build's objects, compressed.
tar -C / --exclude='*.o' --exclude='*.a' --exclude='*.d' -cJf "$bundle/tern-gpu.tar.xz" "${prefix#/}"
mkdir -p "$bundle/fashion-mnist"
cp /usr/share/datasets/fashion-mnist/*.gz "$bundle/fashion-mnist/"
mkdir -p "$bundle/austen"
"$repo/scripts/prepare-data.sh" "$prefix/build/launcher/tern" "$prefix/build/data" >/dev/null
cp "$prefix/build/data/austen/austen.txt" "$bundle/austen/"
du -sh "$bundle"/* >&2
echo "gpu-bundle: wrote $bundle; on the GPU machine run scripts/gpu-validate.sh from the checkout" >&2
