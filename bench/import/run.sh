#!/usr/bin/env bash
# Throughput of `ctis case import`: synthetic CTDC rows (gen_ctdc.py, fixed seed, nothing from
# the shared data) into a fresh SQLite data folder, with everything an import does: every row
# validated, identifiers encrypted, three blind indexes, one audit entry per case, one
# transaction, synchronous=FULL. Timed with /usr/bin/time -v; the figure is rows per second
# of wall-clock time for the whole command (start-up, reading, checking, writing, commit).
#
#   bench/import/run.sh [rows]        (default 100000)
#
# Uses the release build (scripts/setup.sh release) unless $CTIS_BIN names a binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-100000}"
ctis="${CTIS_BIN:-build/release/src/cli/ctis}"
[ -x "$ctis" ] || scripts/setup.sh release >/dev/null
[ -x /usr/bin/time ] || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq time >/dev/null
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/import/gen_ctdc.py "$rows" >"$work/cases.csv"
echo "a bench password 123" | "$ctis" user add bench --role coordinator --org Bench \
  --password-stdin --data "$work/data" >/dev/null 2>&1

/usr/bin/time -v "$ctis" case import "$work/cases.csv" --data "$work/data" 2>"$work/time.txt" ||
  { cat "$work/time.txt" >&2; exit 1; }

field() { grep -F "$1" "$work/time.txt" | sed 's/.*: //'; }
wall=$(field "Elapsed (wall clock)")
seconds=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
echo "rows:            $rows ($(du -h "$work/cases.csv" | cut -f1) of CSV)"
echo "ctis says:       $(grep -F 'ctis: imported' "$work/time.txt" | sed 's/^ctis: //')"
echo "wall clock:      ${seconds} s"
echo "throughput:      $(awk -v n="$rows" -v s="$seconds" 'BEGIN { printf "%d", n / s }') rows/s"
echo "user / system:   $(field "User time") s / $(field "System time") s"
echo "max RSS:         $(field "Maximum resident set size") KiB"
echo "database:        $(du -h "$work/data/ctis.db" | cut -f1)"
"$ctis" audit verify --data "$work/data" | sed 's/, last hash.*//'
