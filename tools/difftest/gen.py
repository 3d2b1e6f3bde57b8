#!/usr/bin/env python3
"""Differential test generator: many small, well-typed random Rayfall
expressions over the builtins, answered by the reference binary (the
oracle), stored as fixtures that `tests/difftest.rs` checks our engine
against. Run by hand; the tests never start the oracle.

    python3 tools/difftest/gen.py --oracle ../shared/oracle/rayforce
    python3 tools/difftest/gen.py --oracle ../shared/oracle/rayforce \
        --seed 777 --out tests/fixtures/difftest/seed777

The second command writes the second fixture set (tests/difftest.rs reads
both directories and checks a case whose id is already in the first set
only once).

For every expression it records the response payload over IPC (hex, the
exact bytes) and the REPL text, into tests/fixtures/difftest/<family>.jsonl (or --out <dir>/<family>.jsonl)
({"id", "query", "payload_hex", "text"}). Ids are a hash of the query, so
regenerating with the same seed gives the same ids (the ratchet of known
failures, tests/difftest_fail.txt, stays valid). Expressions the oracle
crashes or hangs on are left out and counted.

Python 3 standard library only; a fixed seed (--seed) makes it repeatable.
"""

import argparse
import hashlib
import json
import os
import random
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "conformance"))
import run as wire  # noqa: E402  (frame helpers of the conformance runner)

OUT = os.path.join(REPO, "tests", "fixtures", "difftest")

# ----- values -------------------------------------------------------------

ATOMS = [
    "0", "1", "-3", "7", "0Nl", "2i", "-5i", "0Ni", "3h", "0Nh", "0x05", "0x00",
    "true", "false", "1.5", "-2.25", "0.0", "-0.0", "0Nf", "0.1",
    "2024.01.15", "0Nd", "10:30:00.000", "0Nt", "2024.01.15D10:30:00.000000000", "0Np",
    "'a", "'xyz", "\"s\"", "\"hello\"", "\"\"",
]

FIXED_COLLECTIONS = [
    "[]", "(list)", "[1 2 3]", "[3 1 2 0Nl 5]", "[0Nl 0Nl]", "[1i 0Ni 3i]", "[1h 2h 0Nh]",
    "[0x01 0x02 0x00]", "[true false true]", "[1.5 0Nf -2.5 4.0]", "[0.1 0.2 0.3]",
    "[2024.01.01 0Nd 2024.03.01]", "[10:00:00.000 0Nt 09:00:00.000]",
    "[2024.01.01D00:00:00.000000000 0Np]", "[a b a c]", "[\"x\" \"y\" \"x\"]",
    "(list 1 2.5 0Nl)", "(list 1 'a \"s\")", "(list [1 2] [3])", "(list 1 2 3)",
    "{a: 1 b: 2}", "{a: [1 2] b: [3 4]}", "(table [x y] (list [1 2 3] [a b c]))",
]

FUNCS = ["+", "-", "*", "<", ">", "==", "!=", "<=", ">=", "concat", "max", "min",
         "(fn [x y] (+ x y))", "(fn [x y] (list x y))"]
UNARY_FUNCS = ["neg", "count", "(fn [x] (* x 2))", "first", "til", "not", "string"]


def rand_vector(rng):
    """A random short typed vector, nulls sprinkled in."""
    n = rng.choice([0, 1, 2, 3, 4, 5, 6])
    kind = rng.choice(["i64", "i64", "f64", "f64", "i32", "i16", "u8", "b8", "date", "time", "ts", "sym", "str"])
    items = []
    for _ in range(n):
        null = rng.random() < 0.2
        if kind == "i64":
            items.append("0Nl" if null else str(rng.randint(-9, 20)))
        elif kind == "f64":
            items.append("0Nf" if null else rng.choice(["%d.%d" % (rng.randint(-9, 20), rng.randint(0, 9)), "%.2f" % rng.uniform(-5, 5)]))
        elif kind == "i32":
            items.append("0Ni" if null else "%di" % rng.randint(-9, 20))
        elif kind == "i16":
            items.append("0Nh" if null else "%dh" % rng.randint(-9, 20))
        elif kind == "u8":
            items.append("0x%02x" % rng.randint(0, 30))
        elif kind == "b8":
            items.append(rng.choice(["true", "false"]))
        elif kind == "date":
            items.append("0Nd" if null else "2024.%02d.%02d" % (rng.randint(1, 12), rng.randint(1, 28)))
        elif kind == "time":
            items.append("0Nt" if null else "%02d:%02d:00.000" % (rng.randint(0, 23), rng.randint(0, 59)))
        elif kind == "ts":
            items.append("0Np" if null else "2024.01.%02dD%02d:00:00.000000000" % (rng.randint(1, 28), rng.randint(0, 23)))
        elif kind == "sym":
            items.append(rng.choice(["a", "b", "c", "xy"]))
        else:
            items.append('"%s"' % rng.choice(["a", "b", "cd", ""]))
    if n == 0:
        return "[]"
    if kind in ("i64", "f64") and rng.random() < 0.15:
        return "(list %s)" % " ".join(items)
    return "[%s]" % " ".join(items)


def value(rng):
    r = rng.random()
    if r < 0.3:
        return rng.choice(ATOMS)
    if r < 0.55:
        return rng.choice(FIXED_COLLECTIONS)
    return rand_vector(rng)


def count_value(rng):
    return rng.choice(["1", "2", "3", "0", "-1", "2i", "true", "0x02", "2h", "2.0", "0Nl", "'a", "[2]", "10"])


def prob_value(rng):
    return rng.choice(["0.5", "0.25", "0", "1", "0.9", "1.5", "-0.1", "0Nf", "50", "[0.5]", "true", "'a"])


def numeric_vector(rng):
    for _ in range(20):
        v = rand_vector(rng)
        if not any(c in v for c in "\"abcxD:"):
            return v
    return "[1 2 3]"


# ----- builtins -------------------------------------------------------------
# family -> list of (name, argument generators)

V, N, P, F, U, NV = value, count_value, prob_value, None, None, numeric_vector


def fn(rng):
    return rng.choice(FUNCS)


def ufn(rng):
    return rng.choice(UNARY_FUNCS)


FAMILIES = {
    "window": [(f, [N, V]) for f in "msum mavg mmin mmax mcount mvar mdev".split()]
              + [(f, [V]) for f in "lag lead ratios avgs prds differ".split()],
    "stats": [(f, [V, V]) for f in "cov scov pearson_corr wsum wavg".split()]
             + [(f, [NV, NV]) for f in "cov scov pearson_corr wsum wavg".split()]
             + [(f, [V]) for f in "stddev_pop dev_pop".split()]
             + [(f, [V, P]) for f in "quantile percentile".split()],
    "math": [(f, [V]) for f in "sin cos tan asin acos atan reciprocal signum".split()]
            + [(f, [V, V]) for f in "bin binr".split()]
            + [(f, [NV, V]) for f in "bin binr".split()],
    "listfn": [(f, [V, N]) for f in "top bot".split()] + [("xrank", [N, V])]
              + [(f, [V, V]) for f in "cross".split()] + [("diverse", [V])]
              + [(f, [fn, V]) for f in "prior scan-left scan-right".split()]
              + [("pmap", [ufn, V]), ("pmap", [fn, V, V])],
    "arith": [(f, [V, V]) for f in "+ - * / % div xbar".split()]
             + [(f, [V]) for f in "neg abs sqrt log exp round floor ceil".split()],
    "cmp": [(f, [V, V]) for f in "> < >= <= == != like".split()] + [("not", [V])],
    "agg": [(f, [V]) for f in "sum avg min max count first last med mode dev stddev var var_pop prod all any".split()],
    "collection": [(f, [V]) for f in "distinct reverse asc desc iasc idesc rank where enlist raze group sums deltas maxs mins fills til".split()]
                  + [(f, [V, V]) for f in "take drop at find in concat except union sect rotate cut within".split()],
    "higher": [(f, [fn, V]) for f in "fold scan map filter".split()] + [(f, [ufn, V]) for f in "map".split()]
              + [(f, [fn, V, V]) for f in "map-left map-right fold".split()],
    "types": [(f, [V]) for f in "type nil? key value string count".split()]
             + [(f, [V, V]) for f in "as".split()],
}


def expression(rng, name, gens):
    args = [g(rng) for g in gens]
    return "(%s %s)" % (name, " ".join(args))


QUERY_TABLE = ("(table [k x y d] (list [a b a b a b] [1 0Nl 3 4 5 6] "
               "[1.5 2.5 0Nf 4.5 5.5 0.5] [2024.01.01 2024.01.02 0Nd 2024.01.04 2024.01.05 2024.01.06]))")


def query_cases(rng):
    """Our builtins inside select, with and without by: and where:."""
    calls = ["(msum 2 x)", "(mavg 2 y)", "(mmin 2 d)", "(mcount 3 y)", "(mvar 2 x)", "(mdev 3 y)",
             "(lag x)", "(lead y)", "(ratios x)", "(avgs y)", "(prds x)", "(differ k)",
             "(cov x y)", "(scov x y)", "(pearson_corr x y)", "(wsum x y)", "(wavg x y)",
             "(stddev_pop y)", "(dev_pop x)", "(quantile y 0.5)", "(percentile x 90)",
             "(sin y)", "(signum x)", "(reciprocal y)", "(sums x)", "(deltas x)",
             "(sum (msum 2 x))", "(+ 1 (lag x))", "(top x 2)", "(bot y 2)"]
    out = []
    for c in calls:
        out.append("(select {from: %s s: %s})" % (QUERY_TABLE, c))
        out.append("(select {from: %s by: k s: %s})" % (QUERY_TABLE, c))
        out.append("(select {from: %s where: (> x 2) s: %s})" % (QUERY_TABLE, c))
        out.append("(update {from: %s where: (> x 2) x: %s})" % (QUERY_TABLE, c))
    return out


def generate(seed, per_builtin):
    rng = random.Random(seed)
    fams = {}
    for fam, rows in FAMILIES.items():
        qs = []
        for name, gens in rows:
            seen = set()
            for _ in range(per_builtin * 3):
                if len(seen) >= per_builtin:
                    break
                q = expression(rng, name, gens)
                if q not in seen:
                    seen.add(q)
                    qs.append(q)
        fams[fam] = qs
    fams["query"] = query_cases(rng)
    return fams


# ----- the oracle -------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Oracle:
    """One `rayforce -p PORT` server; restarted after a crash or a hang."""

    def __init__(self, binary, timeout):
        self.binary, self.timeout = binary, timeout
        self.proc = self.sock = None

    def start(self):
        port = free_port()
        self.proc = subprocess.Popen([self.binary, "-p", str(port)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=self.timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.sendall(b"\x03\x00")
        if wire.recv_exact(self.sock, 2) != b"\x03\x00":
            raise RuntimeError("handshake failed")

    def stop(self):
        if self.sock:
            self.sock.close()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = self.sock = None

    def bytes_of(self, query):
        if self.proc is None:
            self.start()
        try:
            self.sock.sendall(wire.sync_frame(wire.str_atom(query)))
            return wire.read_response(self.sock).hex()
        except (OSError, ValueError, ConnectionError):
            self.stop()
            return None

    def text_of(self, query):
        try:
            p = subprocess.run([self.binary], input=query + "\n", capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return None
        if p.returncode != 0:
            return None
        return (p.stdout + p.stderr).rstrip("\n")

    def texts_of(self, queries):
        """REPL text of many queries in one session, split at a marker."""
        marker = '"@@difftest@@"'
        src = "".join(q + "\n" + marker + "\n" for q in queries)
        try:
            p = subprocess.run([self.binary], input=src, capture_output=True, text=True, timeout=self.timeout * 20)
            parts = p.stdout.split(marker + "\n")
        except subprocess.TimeoutExpired:
            parts = []
        if len(parts) != len(queries) + 1:
            return [self.text_of(q) for q in queries]
        return [x.rstrip("\n") for x in parts[:-1]]


def case_id(family, query):
    return "%s-%s" % (family, hashlib.sha1(query.encode()).hexdigest()[:10])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--oracle", default=os.path.join(REPO, "..", "shared", "oracle", "rayforce"))
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--per-builtin", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--family", action="append", help="only these families")
    ap.add_argument("--out", default=OUT, help="directory of the <family>.jsonl files")
    opts = ap.parse_args()
    fams = generate(opts.seed, opts.per_builtin)
    out_dir = opts.out
    os.makedirs(out_dir, exist_ok=True)
    oracle = Oracle(opts.oracle, opts.timeout)
    try:
        for fam, queries in fams.items():
            if opts.family and fam not in opts.family:
                continue
            texts = []
            for i in range(0, len(queries), 100):
                texts.extend(oracle.texts_of(queries[i:i + 100]))
            kept, dropped = [], 0
            for q, text in zip(queries, texts):
                hexed = oracle.bytes_of(q)
                if hexed is None or text is None:
                    dropped += 1
                    continue
                kept.append({"id": case_id(fam, q), "query": q, "payload_hex": hexed, "text": text})
            with open(os.path.join(out_dir, fam + ".jsonl"), "w") as f:
                for c in kept:
                    f.write(json.dumps(c, ensure_ascii=False) + "\n")
            print("%-11s %5d cases (%d dropped: oracle crash or hang)" % (fam, len(kept), dropped))
    finally:
        oracle.stop()


if __name__ == "__main__":
    main()
