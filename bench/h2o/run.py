#!/usr/bin/env python3
"""H2O-style query benchmark: ours beside RayforceDB, DuckDB, Polars and chDB.

Every engine generates the same tables in-engine from one integer hash
(h = (i * 387420489 + 12345) % 2^32; every product stays below 2^53, where
RayforceDB's vector `%` is exact), runs the same eleven queries `--runs`
times each, and reports the median wall time of each query plus checksums
of its result (row count, column sums, order-sensitive sums for sorts).
Checksums are compared with DuckDB's. Each engine runs in its own child
process, and the peak memory of each query is that process's resident
high-water mark (VmHWM) over the query's runs, reset just before them
(Linux: writing 5 to /proc/PID/clear_refs; Rayfall engines do it through
`.sys.exec`, whose shell's parent is the engine), so it counts the tables
the process holds as well, in every engine alike.

    python bench/h2o/run.py [--rows N] [--runs 3] [--engines ours,rayforce,duckdb,polars,chdb]
                            [--ours target/release/rayforce] [--oracle ../shared/oracle/rayforce]
                            [--json out.json]

Tables (K3 = rows / 100, at least 1):
  x: id1 = h % 1000003 % 100, id2 = h % 1000033 % 100, id3 = h % 1000037 % K3,
     v1 = 1 + h % 1000039 % 5, v2 = 1 + h % 1000081 % 15, v3 = (h % 1000099 % 10000) / 100.0
  y: rows i = 0, 2, 4, .. below rows (every other row of x's keys),
     id1 id2 id3 as in x, v4 = h % 1000117 % 1000
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

QUERIES = ["q1", "q2", "q3", "q4", "q5", "q6", "filter", "xasc1", "xasc3", "inner", "left"]

LABELS = {
    "q1": "q1 `(select {from: x v1: (sum v1) by: id1})`",
    "q2": "q2 sum v1 by `{id1: id1 id2: id2}` (10k groups)",
    "q3": "q3 sum v1 + avg v3 by id3 (rows/100 groups)",
    "q4": "q4 avg v1, v2, v3 by id3",
    "q5": "q5 sum v1, v2, v3 by id3",
    "q6": "q6 `(- (max v1) (min v2))` by id3",
    "filter": "filter `where: (> v3 99.0)`",
    "xasc1": "`(xasc x [id1])`",
    "xasc3": "`(xasc x [id1 id2 id3])`",
    "inner": "`(inner-join [id1 id2 id3] x y)`",
    "left": "`(left-join [id1 id2 id3] x y)`",
}

# Which checksum positions come from float sums (compared with a tolerance).
FLOAT_CHECKS = {"q3": {2}, "q4": {1, 2, 3}, "q5": {3}, "filter": {2}}

ENGINE_NAMES = {"rayforce": "RayforceDB", "duckdb": "DuckDB", "polars": "Polars", "chdb": "chDB", "ours": "ours"}

def hash_of(i):
    """The row hash of row number expression `i` (SQL)."""
    return f"(({i}) * 387420489 + 12345) % 4294967296"


def k3(rows):
    return max(rows // 100, 1)


# ----------------------------------------------------------------- Rayfall

def reset_peak():
    """Resets this process's resident high-water mark (Linux 4.0+; a no-op elsewhere)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mb():
    """This process's resident high-water mark in MB (None where /proc has none)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rayfall_script(rows, runs):
    m = rows // 2
    head = f"""(set n {rows})
(set i (til n))
(set h (% (+ (* i 387420489) 12345) 4294967296))
(set x (table [id1 id2 id3 v1 v2 v3] (list (% (% h 1000003) 100) (% (% h 1000033) 100) (% (% h 1000037) {k3(rows)}) (+ 1 (% (% h 1000039) 5)) (+ 1 (% (% h 1000081) 15)) (/ (% (% h 1000099) 10000) 100.0))))
(set i (* 2 (til {m})))
(set h (% (+ (* i 387420489) 12345) 4294967296))
(set y (table [id1 id2 id3 v4] (list (% (% h 1000003) 100) (% (% h 1000033) 100) (% (% h 1000037) {k3(rows)}) (% (% h 1000117) 1000))))
(set i 0)
(set h 0)
(println "READY" (count x) (count y))
"""
    col = lambda c: f"(at r '{c})"
    fsum = lambda c: f"(as 'i64 (* 1000 (sum {col(c)})))"
    pos = lambda c: f"(sum (* (% (til (count r)) 1009) {col(c)}))"
    queries = {
        "q1": ("(select {from: x v1: (sum v1) by: id1})", [f"(sum {col('v1')})"]),
        "q2": ("(select {from: x v1: (sum v1) by: {id1: id1 id2: id2}})", [f"(sum {col('v1')})"]),
        "q3": ("(select {from: x v1: (sum v1) v3: (avg v3) by: id3})", [f"(sum {col('v1')})", fsum("v3")]),
        "q4": ("(select {from: x v1: (avg v1) v2: (avg v2) v3: (avg v3) by: id3})", [fsum("v1"), fsum("v2"), fsum("v3")]),
        "q5": ("(select {from: x v1: (sum v1) v2: (sum v2) v3: (sum v3) by: id3})", [f"(sum {col('v1')})", f"(sum {col('v2')})", fsum("v3")]),
        "q6": ("(select {from: x r: (- (max v1) (min v2)) by: id3})", [f"(sum {col('r')})"]),
        "filter": ("(select {from: x where: (> v3 99.0)})", [f"(sum {col('v1')})", fsum("v3")]),
        "xasc1": ("(xasc x [id1])", [pos("id1")]),
        "xasc3": ("(xasc x [id1 id2 id3])", [pos("id1"), pos("id2"), pos("id3")]),
        "inner": ("(inner-join [id1 id2 id3] x y)", [f"(sum {col('v1')})", f"(sum {col('v4')})"]),
        "left": ("(left-join [id1 id2 id3] x y)", [f"(sum {col('v1')})", f"(sum {col('v4')})"]),
    }
    body = []
    for q in QUERIES:
        expr, checks = queries[q]
        times = []
        body.append('(.sys.exec "echo 5 > /proc/$PPID/clear_refs 2>/dev/null")')
        for k in range(runs):
            body.append(f"(set t{k} (timeit {expr}))")
            times.append(f"(as 'i64 (* 1000 t{k}))")
        body.append(f"(set r {expr})")
        body.append(f'(println "RES" "{q}" {" ".join(times)} (count r) {" ".join(checks)})')
        body.append("(set r 0)")
        body.append(f'(.sys.exec "echo HWM {q} $(grep VmHWM /proc/$PPID/status | tr -dc 0-9)")')
    return head + "\n".join(body) + "\n"


def run_rayfall(binary, rows, runs, extra_args):
    with tempfile.NamedTemporaryFile("w", suffix=".rfl", delete=False) as f:
        f.write(rayfall_script(rows, runs))
        path = f.name
    try:
        out, rss = run_child([binary, *extra_args, path])
    finally:
        os.unlink(path)
    res = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] == ["RES"]:
            q = parts[1]
            nums = [int(p) for p in parts[2:]]
            res[q] = {"ms": [t / 1000 for t in nums[:runs]], "check": nums[runs:]}
        elif parts[:1] == ["HWM"] and len(parts) == 3 and parts[1] in res and parts[2].isdigit():
            res[parts[1]]["peak_mb"] = int(parts[2]) / 1024
    return res, rss


# ----------------------------------------------------------------- SQL engines

def sql_queries():
    keys = " AND ".join(f"x.{k} = y.{k}" for k in ("id1", "id2", "id3"))
    return {
        "q1": "SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1",
        "q2": "SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2",
        "q3": "SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3",
        "q4": "SELECT id3, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id3",
        "q5": "SELECT id3, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id3",
        "q6": "SELECT id3, max(v1) - min(v2) AS r FROM x GROUP BY id3",
        "filter": "SELECT * FROM x WHERE v3 > 99.0",
        "xasc1": "SELECT * FROM x ORDER BY id1",
        "xasc3": "SELECT * FROM x ORDER BY id1, id2, id3",
        "inner": f"SELECT x.*, y.v4 FROM x INNER JOIN y ON {keys}",
        "left": f"SELECT x.*, y.v4 FROM x LEFT JOIN y ON {keys}",
    }


def sql_checks(pos):
    """Checksum SELECTs over the result table `ans`; `pos` is the row position expression."""
    p = lambda c: f"sum(({pos} % 1009) * {c})"
    return {
        "q1": "sum(v1)", "q2": "sum(v1)", "q3": "sum(v1), sum(v3)",
        "q4": "sum(v1), sum(v2), sum(v3)", "q5": "sum(v1), sum(v2), sum(v3)", "q6": "sum(r)",
        "filter": "sum(v1), sum(v3)", "xasc1": p("id1"), "xasc3": f"{p('id1')}, {p('id2')}, {p('id3')}",
        "inner": "sum(v1), sum(v4)", "left": "sum(v1), sum(v4)",
    }


def norm_check(q, vals):
    """Checksums as integers: float sums scaled by 1000 and truncated (as Rayfall's `as 'i64`)."""
    out = []
    for k, v in enumerate(vals):
        k += 1
        v = 0 if v is None else v
        out.append(int(float(v) * 1000) if k in FLOAT_CHECKS.get(q, ()) else int(v))
    return out


def gen_sql(rows, cast):
    x = (f"SELECT {cast('h % 1000003 % 100')} AS id1, {cast('h % 1000033 % 100')} AS id2, "
         f"{cast(f'h % 1000037 % {k3(rows)}')} AS id3, {cast('1 + h % 1000039 % 5')} AS v1, "
         f"{cast('1 + h % 1000081 % 15')} AS v2, CAST(h % 1000099 % 10000 AS DOUBLE) / 100.0 AS v3")
    y = (f"SELECT {cast('h % 1000003 % 100')} AS id1, {cast('h % 1000033 % 100')} AS id2, "
         f"{cast(f'h % 1000037 % {k3(rows)}')} AS id3, {cast('h % 1000117 % 1000')} AS v4")
    return x, y


def engine_duckdb(rows, runs):
    import duckdb
    con = duckdb.connect()
    x, y = gen_sql(rows, lambda e: f"CAST({e} AS BIGINT)")
    con.execute(f"CREATE TABLE x AS {x} FROM (SELECT {hash_of('r')} AS h FROM range({rows}) t(r))")
    con.execute(f"CREATE TABLE y AS {y} FROM (SELECT {hash_of('2 * r')} AS h FROM range({rows // 2}) t(r))")
    checks = sql_checks("rowid")
    res = {}
    for q, sql in sql_queries().items():
        ms = []
        reset_peak()
        for _ in range(runs):
            t = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TABLE ans AS {sql}")
            ms.append((time.perf_counter() - t) * 1000)
        vals = con.execute(f"SELECT count(*), {checks[q]} FROM ans").fetchone()
        res[q] = {"ms": ms, "check": [int(vals[0])] + norm_check(q, vals[1:]), "peak_mb": peak_mb()}
        con.execute("DROP TABLE ans")
    return res


def engine_chdb(rows, runs):
    from chdb import session
    s = session.Session()
    s.query("CREATE DATABASE IF NOT EXISTS b")
    x, y = gen_sql(rows, lambda e: f"toInt64({e})")
    s.query(f"CREATE TABLE b.x ENGINE = Memory AS {x} FROM (SELECT {hash_of('number')} AS h FROM numbers({rows}))")
    s.query(f"CREATE TABLE b.y ENGINE = Memory AS {y} FROM (SELECT {hash_of('2 * number')} AS h FROM numbers({rows // 2}))")
    checks = sql_checks("rowNumberInAllBlocks()")
    res = {}
    for q, sql in sql_queries().items():
        sql = sql.replace("FROM x", "FROM b.x").replace("JOIN y", "JOIN b.y")
        ms = []
        reset_peak()
        for _ in range(runs):
            s.query("DROP TABLE IF EXISTS b.ans")
            t = time.perf_counter()
            s.query(f"CREATE TABLE b.ans ENGINE = Memory AS {sql} SETTINGS join_use_nulls = 1")
            ms.append((time.perf_counter() - t) * 1000)
        src = "b.ans"
        if q.startswith("xasc"):
            # A Memory table does not keep the order rows were inserted in:
            # the order checksums read the sorted query itself, on one thread.
            src = f"({sql})"
        out = s.query(f"SELECT count(), {checks[q]} FROM {src} SETTINGS max_threads = 1", "CSV")
        vals = [None if v in ("\\N", "") else float(v) if "." in v or "e" in v else int(v) for v in str(out).strip().split(",")]
        res[q] = {"ms": ms, "check": [int(vals[0])] + norm_check(q, vals[1:]), "peak_mb": peak_mb()}
        s.query("DROP TABLE IF EXISTS b.ans")
    return res


def engine_polars(rows, runs):
    import polars as pl
    c = pl.col

    def table(i, with_v):
        h = (i * 387420489 + 12345) % 4294967296
        cols = [(h % 1000003 % 100).alias("id1"), (h % 1000033 % 100).alias("id2"), (h % 1000037 % k3(rows)).alias("id3")]
        if with_v:
            cols += [(1 + h % 1000039 % 5).alias("v1"), (1 + h % 1000081 % 15).alias("v2"),
                     ((h % 1000099 % 10000).cast(pl.Float64) / 100.0).alias("v3")]
        else:
            cols.append((h % 1000117 % 1000).alias("v4"))
        return pl.select(cols)

    x = table(pl.int_range(0, rows, dtype=pl.Int64), True)
    y = table(pl.int_range(0, rows // 2, dtype=pl.Int64) * 2, False)
    k = ["id1", "id2", "id3"]
    queries = {
        "q1": lambda: x.group_by("id1").agg(c.v1.sum()),
        "q2": lambda: x.group_by(["id1", "id2"]).agg(c.v1.sum()),
        "q3": lambda: x.group_by("id3").agg(c.v1.sum(), c.v3.mean()),
        "q4": lambda: x.group_by("id3").agg(c.v1.mean(), c.v2.mean(), c.v3.mean()),
        "q5": lambda: x.group_by("id3").agg(c.v1.sum(), c.v2.sum(), c.v3.sum()),
        "q6": lambda: x.group_by("id3").agg((c.v1.max() - c.v2.min()).alias("r")),
        "filter": lambda: x.filter(c.v3 > 99.0),
        "xasc1": lambda: x.sort("id1"),
        "xasc3": lambda: x.sort(k),
        "inner": lambda: x.join(y, on=k, how="inner"),
        "left": lambda: x.join(y, on=k, how="left"),
    }
    sums = {"q1": ["v1"], "q2": ["v1"], "q3": ["v1", "v3"], "q4": ["v1", "v2", "v3"], "q5": ["v1", "v2", "v3"],
            "q6": ["r"], "filter": ["v1", "v3"], "inner": ["v1", "v4"], "left": ["v1", "v4"]}
    res = {}
    for q, f in queries.items():
        ms = []
        reset_peak()
        for _ in range(runs):
            t = time.perf_counter()
            r = f()
            ms.append((time.perf_counter() - t) * 1000)
        if q in sums:
            vals = [r[col].sum() for col in sums[q]]
        else:
            p = pl.int_range(0, r.height, dtype=pl.Int64, eager=True) % 1009
            vals = [(p * r[col]).sum() for col in (["id1"] if q == "xasc1" else k)]
        res[q] = {"ms": ms, "check": [r.height] + norm_check(q, vals), "peak_mb": peak_mb()}
        del r
    return res


PY_ENGINES = {"duckdb": engine_duckdb, "polars": engine_polars, "chdb": engine_chdb}


# ----------------------------------------------------------------- driver

def run_child(argv):
    """Runs argv, returns (stdout, peak RSS in MB); stderr passes through."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        print(f"h2o: {argv[0]} exited with {p.returncode}", file=sys.stderr)
    return out, ru.ru_maxrss / 1024


def run_engine(name, a):
    if name == "ours":
        return run_rayfall(a.ours, a.rows, a.runs, [])
    if name == "rayforce":
        return run_rayfall(a.oracle, a.rows, a.runs, [])
    out, rss = run_child([sys.executable, __file__, "--engine", name, "--rows", str(a.rows), "--runs", str(a.runs)])
    lines = out.strip().splitlines()
    return (json.loads(lines[-1]) if lines else {}), rss


def checks_equal(q, got, want):
    if len(got) != len(want):
        return False
    floats = FLOAT_CHECKS.get(q, set())
    for k, (g, w) in enumerate(zip(got, want)):
        tol = max(2, abs(w) * 1e-9) if k in floats else 0
        if abs(g - w) > tol:
            return False
    return True


def fmt(ms):
    if ms is None:
        return "-"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2] if s else None


def report(results, rss, engines, a):
    peers = [e for e in ("rayforce", "duckdb", "polars", "chdb") if e in engines]
    cols = [ENGINE_NAMES[e] for e in peers] + (["ours", "ours / best"] if "ours" in engines else [])
    print(f"\nH2O-style benchmark: {a.rows:,} rows, median of {a.runs}, milliseconds "
          f"({os.cpu_count()} cores; checks against DuckDB's row counts and checksums)\n")
    print("| query | " + " | ".join(cols) + " | check |")
    print("|---|" + "---:|" * len(cols) + "---|")
    ratios = []
    for q in QUERIES:
        med = {e: median(results.get(e, {}).get(q, {}).get("ms", [])) for e in engines}
        cells = [fmt(med[e]) for e in peers]
        bad = []
        ref = results.get("duckdb", {}).get(q, {}).get("check")
        for e in engines:
            got = results.get(e, {}).get(q, {}).get("check")
            if got is None:
                bad.append(f"{ENGINE_NAMES[e]} missing")
            elif ref is not None and not checks_equal(q, got, ref):
                bad.append(f"{ENGINE_NAMES[e]} {got} != {ref}")
        if "ours" in engines:
            cells.append(fmt(med["ours"]))
            best = min((med[e] for e in peers if med[e] is not None), default=None)
            if best and med["ours"] is not None:
                ratios.append(med["ours"] / best)
                cells.append(f"{med['ours'] / best:.2f}")
            else:
                cells.append("-")
        print(f"| {LABELS[q]} | " + " | ".join(cells) + f" | {'ok' if not bad else '; '.join(bad)} |")
    print("| peak RSS of the run (MB) | " + " | ".join(f"{rss[e]:,.0f}" for e in peers)
          + (f" | {rss['ours']:,.0f} | |" if "ours" in engines else "") + " |")
    if ratios:
        gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"\nGeometric mean of ours / best: {gm:.2f}; worst: {max(ratios):.2f}")


def report_memory(results, engines):
    """Each query's peak RSS per engine, and ours as a multiple of DuckDB's."""
    order = [e for e in ("rayforce", "duckdb", "polars", "chdb", "ours") if e in engines]
    ratio = "ours" in engines and "duckdb" in engines
    print("\nPeak RSS (MB) of each engine's process while it runs the query (its tables included)\n")
    print("| query | " + " | ".join(ENGINE_NAMES[e] for e in order) + (" | ours / DuckDB |" if ratio else " |"))
    print("|---|" + "---:|" * (len(order) + ratio))
    ratios = []
    for q in QUERIES:
        peak = {e: results.get(e, {}).get(q, {}).get("peak_mb") for e in order}
        cells = ["-" if peak[e] is None else f"{peak[e]:,.0f}" for e in order]
        if ratio:
            if peak["ours"] and peak["duckdb"]:
                ratios.append(peak["ours"] / peak["duckdb"])
                cells.append(f"{ratios[-1]:.2f}")
            else:
                cells.append("-")
        print(f"| {LABELS[q]} | " + " | ".join(cells) + " |")
    if ratios:
        print(f"\nPeak memory of ours / DuckDB: worst {max(ratios):.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--engines", default="rayforce,duckdb,polars,chdb,ours")
    ap.add_argument("--ours", default=os.path.join(root, "target/release/rayforce"))
    oracle = [os.path.join(root, up, "shared/oracle/rayforce") for up in ("..", "../..")]
    oracle = next((p for p in oracle if os.path.exists(p)), oracle[0])
    ap.add_argument("--oracle", default=os.environ.get("RAYFORCE_ORACLE", oracle),
                    help="the reference binary (default: ../shared/oracle/rayforce beside the repository or its worktree parent)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.rows * 387420489 + 12345 >= 2**53 or a.rows < 2:
        sys.exit("h2o: --rows must be at least 2 and keep rows * 387420489 below 2^53 (about 23M)")
    if a.engine:
        print(json.dumps(PY_ENGINES[a.engine](a.rows, a.runs)))
        return
    engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    if "rayforce" in engines and not os.path.exists(a.oracle):
        print(f"h2o: no reference binary at {a.oracle}; skipping RayforceDB", file=sys.stderr)
        engines.remove("rayforce")
    results, rss = {}, {}
    for e in engines:
        print(f"h2o: running {ENGINE_NAMES[e]} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        results[e], rss[e] = run_engine(e, a)
        print(f"h2o: {ENGINE_NAMES[e]} done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rows": a.rows, "runs": a.runs, "results": results, "rss_mb": rss}, f, indent=1)
    report(results, rss, engines, a)
    report_memory(results, engines)


if __name__ == "__main__":
    main()
