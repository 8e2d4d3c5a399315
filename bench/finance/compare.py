#!/usr/bin/env python3
"""Side-by-side reference for the finance engine: times pandas.read_csv on the same CSV the
engine ingests, and NetworkX-based fan-in, fan-out and temporal cycles with the engine's default
parameters (5 counterparties in 30 days; cycles of 2..6 accounts, non-decreasing times, 30-day
span, each cycle once). Prints its times and hit counts, and the ratios against the engine's
figures given as arguments (as printed by finance_scan_bench).

  compare.py DIR [--ingest-only] [--cycle-budget SECONDS] [--ours-ingest S] [--ours-fan-in S]
             [--ours-fan-out S] [--ours-cycle S]
"""
import argparse
import bisect
import time

import networkx as nx
import pandas as pd

DAY = 86400
WINDOW = 30 * DAY


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def fan_hits(graph, inward, min_counterparties=5, window=WINDOW):
    """Accounts with at least min_counterparties distinct counterparties inside one window."""
    hits = 0
    for node in graph.nodes:
        edges = graph.in_edges(node, data=True) if inward else graph.out_edges(node, data=True)
        events = []
        for u, v, d in edges:
            other = u if inward else v
            if other != node:
                events.append((d["time"], d["order"], other))
        if len(events) < min_counterparties:
            continue
        events.sort()
        count, distinct, lo, best = {}, 0, 0, 0
        for hi in range(len(events)):
            other = events[hi][2]
            count[other] = count.get(other, 0) + 1
            if count[other] == 1:
                distinct += 1
            while events[hi][0] - events[lo][0] > window:
                gone = events[lo][2]
                count[gone] -= 1
                if count[gone] == 0:
                    distinct -= 1
                lo += 1
            best = max(best, distinct)
        if best >= min_counterparties:
            hits += 1
    return hits


def cycle_hits(graph, budget, max_length=6, window=WINDOW):
    """Bounded depth-first search for time-respecting cycles, the engine's rules restated in
    Python over the NetworkX adjacency. Stops after `budget` seconds; returns the hits, the
    share of start accounts done and the time."""
    out = {}
    for node in graph.nodes:
        lst = [(d["time"], d["order"], v) for _, v, d in graph.out_edges(node, data=True)]
        lst.sort()
        out[node] = ([t for t, _, _ in lst], [v for _, _, v in lst])
    found = set()
    starts = [n for n in graph.nodes if graph.out_degree(n) and graph.in_degree(n)]
    began = time.perf_counter()
    done = 0
    for start in starts:
        if time.perf_counter() - began > budget:
            break
        closes = {u for u, _ in graph.in_edges(start) if u != start}
        path, on_path = [start], {start}

        def visit(v, first, last):
            times, targets = out[v]
            k = 0 if last is None else bisect.bisect_left(times, last)
            seen = set()
            for k in range(k, len(times)):
                t, w = times[k], targets[k]
                if w == v:
                    continue
                if first is not None and t - first > window:
                    break
                if len(path) > 1:
                    if w in seen:
                        continue
                    seen.add(w)
                if w == start:
                    if len(path) >= 2:
                        i = path.index(min(path))
                        found.add(tuple(path[i:] + path[:i]))
                    continue
                if w in on_path or len(path) >= max_length:
                    continue
                if len(path) + 1 == max_length and w not in closes:
                    continue
                on_path.add(w)
                path.append(w)
                visit(w, t if first is None else first, t)
                path.pop()
                on_path.discard(w)

        visit(start, None, None)
        done += 1
    return len(found), done / max(1, len(starts)), time.perf_counter() - began


def ratio(theirs, ours):
    return f"{theirs / ours:.1f}x" if ours else "n/a"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--ingest-only", action="store_true")
    ap.add_argument("--cycle-budget", type=float, default=120.0)
    for name in ("ingest", "fan-in", "fan-out", "cycle"):
        ap.add_argument(f"--ours-{name}", type=lambda s: float(s or 0), default=0.0)
    a = ap.parse_args()
    path = f"{a.dir}/tx.csv"
    df, wall, cpu = timed(lambda: pd.read_csv(path, dtype={"mcc": "Int64"}, keep_default_na=False))
    rows = len(df)
    print(f"pandas {pd.__version__} read_csv: {rows} rows, {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({rows / cpu / 1e6:.2f} M rows per CPU second); parsing the times as well: ", end="")
    _, wall2, cpu2 = timed(lambda: pd.to_datetime(df["time"], format="%Y-%m-%d %H:%M:%S"))
    print(f"+{cpu2:.2f} s CPU")
    print(f"ratio ingest (pandas read_csv + to_datetime CPU / ours CPU): "
          f"{ratio(cpu + cpu2, a.ours_ingest)}")
    if a.ingest_only:
        return

    def build():
        g = nx.MultiDiGraph()
        t = (pd.to_datetime(df["time"], format="%Y-%m-%d %H:%M:%S").astype("int64") // 10**9)
        sender, receiver = df["from"].tolist(), df["to"].tolist()
        for i, (u, v, s) in enumerate(zip(sender, receiver, t.tolist())):
            if u and v:
                g.add_edge(u, v, time=s, order=i)
        return g

    graph, wall, cpu = timed(build)
    print(f"networkx {nx.__version__} MultiDiGraph: {graph.number_of_nodes()} nodes, "
          f"{graph.number_of_edges()} edges, {cpu:.1f} s CPU to build")
    for label, inward, ours in (("fan_in", True, a.ours_fan_in), ("fan_out", False, a.ours_fan_out)):
        hits, wall, cpu = timed(lambda: fan_hits(graph, inward))
        print(f"{label}: {hits} hits, {cpu:.2f} s CPU; ratio {ratio(cpu, ours)}")
    (hits, share, spent), wall, cpu = timed(lambda: cycle_hits(graph, a.cycle_budget))
    if share >= 1:
        print(f"cycle: {hits} hits, {cpu:.1f} s CPU; ratio {ratio(cpu, a.ours_cycle)}")
    else:
        whole = cpu / share
        print(f"cycle: stopped after {spent:.0f} s with {share:.1%} of the start accounts done "
              f"({hits} cycles so far); whole run extrapolated {whole:.0f} s CPU; "
              f"ratio about {ratio(whole, a.ours_cycle)}")


if __name__ == "__main__":
    main()
