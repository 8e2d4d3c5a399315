"""Compares our bounds and alarms (ours.csv) with the R package's (r.csv), period by period:
the same alarms, NA in the same places, bounds within 1e-6 relative. Bounds that are both
below 0.001 count as equal but are reported: they come from a baseline of (almost) only zeros,
where the fitted mean tends to 0 and its value depends on the iteration at which the GLM's
convergence test happens to stop. Prints a summary per method and the first differences;
exits 1 when any differ."""
import csv
import sys
from collections import defaultdict

def load(path):
    with open(path, newline="") as f:
        return {(r["series"], r["method"], r["t"]): r for r in csv.DictReader(f)}

ours, theirs = load(sys.argv[1]), load(sys.argv[2])
diff = defaultdict(int)
near_zero = defaultdict(int)
total = defaultdict(int)
shown = 0
for key, r in theirs.items():
    method = key[1]
    total[method] += 1
    o = ours.get(key)
    why = None
    if o is None:
        why = "missing in ours"
    elif int(float(o["alarm"])) != int(float(r["alarm"] if r["alarm"] != "NA" else 0)):
        why = f"alarm {o['alarm']} vs {r['alarm']}"
    elif (o["upper_bound"] == "NA") != (r["upper_bound"] == "NA"):
        why = f"bound {o['upper_bound']} vs {r['upper_bound']}"
    elif o["upper_bound"] != "NA":
        a, b = float(o["upper_bound"]), float(r["upper_bound"])
        if abs(a - b) > 1e-6 * max(abs(b), 1e-3):
            if max(abs(a), abs(b)) < 1e-3:
                near_zero[method] += 1
            else:
                why = f"bound {a!r} vs {b!r}"
    if why:
        diff[method] += 1
        if shown < 10:
            print(f"  series {key[0]} {method} t={key[2]}: {why}")
            shown += 1
for method in sorted(total):
    print(f"{method:11s} {total[method]:6d} periods, {diff[method]:5d} differ"
          + (f" ({near_zero[method]} bounds both below 0.001)" if near_zero[method] else ""))
sys.exit(1 if any(diff.values()) else 0)
