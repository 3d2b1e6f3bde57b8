#!/usr/bin/env python3
"""CSV loading benchmark: ours beside RayforceDB, DuckDB and Polars.

Generates the H2O groupby file once (Polars writes it; cached under
target/bench-csv): `rows` rows, 9 columns: id1 id2 = id001..id100,
id3 = id0000000001..id(rows/100), id4 id5 = 1..100, id6 = 1..rows/100,
v1 = 1..5, v2 = 1..15, v3 = uniform 0..100 with 6 decimals (about 51
bytes a row: 509 MB at 10M rows). Then every engine loads it with type
inference in its own child process, `--runs` times, and the best wall
time and the peak resident set are reported, with ratios to the best
baseline.

    python bench/csv/run.py [--rows 10000000] [--runs 3]
                            [--ours target/release/rayforce]
                            [--oracle ../shared/oracle/rayforce]
                            [--engines ours,rayforce,duckdb,polars]

ours and RayforceDB are timed as whole processes reading
`(count (set t (.csv.read FILE)))` from stdin, minus the same process's
time on `0` (start-up); DuckDB (`CREATE TABLE t AS FROM read_csv(FILE)`)
and Polars (`pl.read_csv(FILE)`) are timed around the load call alone.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def generate(rows, path):
    import numpy as np
    import polars as pl

    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = np.random.default_rng(108)
    k, big = 100, max(rows // 100, 1)
    ids = lambda n, width: pl.format("id{}", pl.lit(rng.integers(1, n + 1, rows)).cast(pl.Utf8).str.zfill(width))
    df = pl.select(
        id1=ids(k, 3),
        id2=ids(k, 3),
        id3=ids(big, 10),
        id4=pl.lit(rng.integers(1, k + 1, rows)),
        id5=pl.lit(rng.integers(1, k + 1, rows)),
        id6=pl.lit(rng.integers(1, big + 1, rows)),
        v1=pl.lit(rng.integers(1, 6, rows)),
        v2=pl.lit(rng.integers(1, 16, rows)),
        v3=pl.lit(np.round(rng.uniform(0, 100, rows), 6)),
    )
    tmp = path + ".tmp"
    df.write_csv(tmp, float_precision=6)
    os.replace(tmp, path)


def run_child(argv, stdin_text=None):
    """Wall seconds, peak RSS (MiB) and stdout of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(stdin_text)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({p.returncode}): {err.strip()[:300]}")
    return wall, out, err


def time_rayforce(binary, path):
    """(load seconds, peak MiB, row count) of a rayforce binary."""
    base, _, _ = run_child(["/usr/bin/time", "-f", "%M", binary], "0\n")
    wall, out, err = run_child(["/usr/bin/time", "-f", "%M", binary], f'(count (set t (.csv.read "{path}")))\n')
    rss_kb = int(err.strip().splitlines()[-1])
    count = next((l.strip() for l in out.splitlines() if l.strip().isdigit()), "?")
    return max(wall - base, 0.0), rss_kb / 1024, count


CHILD = {
    "duckdb": """
import duckdb, time, sys
con = duckdb.connect()
t0 = time.perf_counter()
con.execute("CREATE TABLE t AS FROM read_csv(?)", [sys.argv[1]])
dt = time.perf_counter() - t0
print(dt, con.execute("SELECT count(*) FROM t").fetchone()[0])
""",
    "polars": """
import polars as pl, time, sys
t0 = time.perf_counter()
df = pl.read_csv(sys.argv[1])
dt = time.perf_counter() - t0
print(dt, df.height)
""",
}


def time_python(engine, path):
    wall, out, err = run_child(["/usr/bin/time", "-f", "%M", sys.executable, "-c", CHILD[engine], path])
    dt, count = out.strip().splitlines()[-1].split()
    return float(dt), int(err.strip().splitlines()[-1]) / 1024, count


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ours", default=os.path.join(ROOT, "target/release/rayforce"))
    ap.add_argument("--oracle", default=os.environ.get("RAYFORCE_ORACLE", os.path.join(ROOT, "../shared/oracle/rayforce")))
    ap.add_argument("--engines", default="ours,rayforce,duckdb,polars")
    ap.add_argument("--file", help="load this CSV instead of generating one")
    a = ap.parse_args()

    path = a.file or os.path.join(ROOT, f"target/bench-csv/h2o_{a.rows}.csv")
    if not a.file:
        t0 = time.perf_counter()
        generate(a.rows, path)
        print(f"file {path}: {os.path.getsize(path) / 1e6:.0f} MB (ready in {time.perf_counter() - t0:.1f} s)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; best of {a.runs} runs")

    results = {}
    for engine in a.engines.split(","):
        if engine == "rayforce" and not os.path.exists(a.oracle):
            print(f"{engine}: skipped ({a.oracle} not found)")
            continue
        runs = []
        for _ in range(a.runs):
            try:
                if engine in ("ours", "rayforce"):
                    runs.append(time_rayforce(a.ours if engine == "ours" else a.oracle, path))
                else:
                    runs.append(time_python(engine, path))
            except Exception as e:  # an engine missing or failing must not stop the others
                print(f"{engine}: {e}")
                break
        if runs:
            best = min(runs)
            results[engine] = {"secs": best[0], "peak_mib": max(r[1] for r in runs), "rows": best[2]}

    baselines = [r["secs"] for e, r in results.items() if e in ("duckdb", "polars")]
    best_base = min(baselines) if baselines else None
    print(f"{'engine':10} {'load s':>8} {'peak MiB':>9} {'rows':>10} {'/ best of DuckDB,Polars':>24}")
    for e, r in results.items():
        ratio = f"{r['secs'] / best_base:.2f}x" if best_base else "-"
        print(f"{e:10} {r['secs']:8.2f} {r['peak_mib']:9.0f} {r['rows']:>10} {ratio:>24}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
