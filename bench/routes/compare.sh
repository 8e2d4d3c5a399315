#!/usr/bin/env bash
# Surveillance over every route x nationality series of the Frontex file, ours against the R
# package `surveillance` on the same series with the same parameters: times both, compares
# bounds and alarms, prints the speed ratio.
#
#   bench/routes/compare.sh [BUILD_DIR] [SERIES]   (default build/release, all series)
#
# Needs the Release build of routes_bench and R's surveillance package:
#   cmake --build build/release --target routes_bench
#   apt-get install --no-install-recommends r-cran-surveillance
# (--no-install-recommends matters: the recommended packages pull in an older Boost that
# replaces the one CTIS builds with.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build/release}
series=${2:-0}
data=${CTIS_SHARED_DATA:-$here/../../../shared/data}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$build/bench/routes/routes_bench" --data "$data" --out "$out" --series "$series" | tee "$out/ours.txt"
Rscript "$here/surveillance.R" "$out" 2>/dev/null | tee "$out/r.txt"
/usr/bin/python3 "$here/compare.py" "$out/ours.csv" "$out/r.csv" || status=$?
# CPU seconds on both sides: a busy machine stretches wall times, not CPU time.
ours=$(sed -n 's/^surveillance: .* (\([0-9.]*\) s CPU.*/\1/p' "$out/ours.txt")
theirs=$(sed -n 's/^R surveillance .* (\([0-9.]*\) s CPU)$/\1/p' "$out/r.txt")
awk -v a="$ours" -v b="$theirs" \
  'BEGIN { printf "CPU: ours %.3f s, R %.3f s: %.0fx faster\n", a, b, b / a }'
exit "${status:-0}"
