#!/bin/sh
# Side by side on one generated file: the engine (finance_scan_bench) against pandas.read_csv
# and NetworkX-based fan-in/fan-out/cycles (compare.py), ratios as CPU time theirs / ours.
#   bench/finance/compare.sh BUILD_DIR DIR [ROWS] [--ingest-only]
# e.g. bench/finance/compare.sh build/finance-rel /tmp/finbench1m 1000000
#      bench/finance/compare.sh build/finance-rel /tmp/finbench10m 10000000 --ingest-only
# --ingest-only times the ingest alone on both sides (pandas at 10 M rows needs about 4 GB of
# memory). compare.py needs pandas and NetworkX: Debian's /usr/bin/python3 has both (python3-pandas,
# python3-networkx); set PYTHON to use another interpreter.
set -eu
build=$1
dir=$2
rows=${3:-1000000}
extra=${4:-}
python=${PYTHON:-/usr/bin/python3}
here=$(dirname "$0")
mkdir -p "$dir"
"$build/bench/finance/finance_scan_bench" "$dir" "$rows" $extra | tee "$dir/ours.txt"
cpu_of() { sed -n "s/^$1: .* s wall, \([0-9.e-]*\) s CPU.*/\1/p" "$dir/ours.txt" | head -1; }
ingest=$(sed -n 's/^ingest .* s wall, \([0-9.e-]*\) s CPU.*/\1/p' "$dir/ours.txt")
"$python" "$here/compare.py" "$dir" $extra --ours-ingest "${ingest:-0}" \
  --ours-fan-in "$(cpu_of fan_in)" --ours-fan-out "$(cpu_of fan_out)" \
  --ours-cycle "$(cpu_of cycle)"
