# Sourced by the run-*-job.sh scripts: installs the dependencies, builds Tern and converts the
# real data sets from their Debian packages; sets `root` (the checkout) and `build_dir`
# (TERN_BUILD_DIR or build/, the data under $build_dir/data).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${TERN_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
TERN_BUILD_DIR=$build_dir "$root/scripts/build.sh"
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data"
