#!/usr/bin/env bash
# Fetches and converts the gbdt benchmark's real data into DATA_DIR/{flights,diamonds,shirts}:
# flights from npm (vega-datasets 3.2.1's flights-3m.parquet, read with hyparquet and fzstd),
# diamonds from Debian's r-cran-ggplot2 through Rscript, shirts from Fashion-MNIST (prepared by
# scripts/prepare-data.sh). Skips what is already there.
# usage: bench/gbdt_data.sh DATA_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=$1
work=$(mktemp -d /tmp/tern-gbdt-data-XXXXXX)
trap 'rm -rf "$work"' EXIT

if [[ ! -f $data/flights/test.h5 ]]; then
  (cd "$work" && for package in vega-datasets@3.2.1 hyparquet@1.31.5 fzstd@0.1.1; do
     npm pack --silent "$package" >/dev/null
     mkdir -p "${package%@*}" && tar xzf "${package%@*}"-*.tgz -C "${package%@*}" --strip-components 1
   done)
  node "$root/bench/flights_columns.mjs" "$work/hyparquet" "$work/fzstd" "$work/vega-datasets/data/flights-3m.parquet" \
    "$work/flights.f32"
  /usr/bin/python3 "$root/bench/gbdt_data.py" flights "$work/flights.f32" "$data/flights"
fi
if [[ ! -f $data/diamonds/test.h5 ]]; then
  Rscript -e 'd <- ggplot2::diamonds; write.csv(data.frame(price = d$price, carat = d$carat, cut = as.integer(d$cut),
    color = as.integer(d$color), clarity = as.integer(d$clarity), depth = d$depth, table = d$table, x = d$x,
    y = d$y, z = d$z), commandArgs(TRUE)[1], row.names = FALSE)' "$work/diamonds.csv"
  /usr/bin/python3 "$root/bench/gbdt_data.py" diamonds "$work/diamonds.csv" "$data/diamonds"
fi
if [[ ! -f $data/shirts/test.h5 ]]; then
  /usr/bin/python3 "$root/bench/gbdt_data.py" shirts "$data/fashion-mnist" "$data/shirts"
fi
