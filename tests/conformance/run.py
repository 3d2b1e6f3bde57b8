#!/usr/bin/env python3
"""Conformance runner: our `rayforce` binary against the reference corpus.

For each case of tests/fixtures/conformance/cases.jsonl (a copy of the
reference corpus kept in the repository; `make sync-corpus` refreshes it):

* bytes: start `rayforce -p PORT [init.rfl]`, wait until it listens, do the
  handshake (03 00 -> 03 00), send the query as a sync frame whose payload is
  a STR atom, read the response frame, decompress it when flagged (wire.md
  5.3) and compare the payload with `payload_hex`;
* text: run `rayforce -i [init.rfl]` with the query on stdin and compare what
  it prints (stdout and stderr together, trailing newlines ignored) with
  `text`.

It prints pass counts per feature for bytes and for text, then the failing
ids. The exit code is 1 when a case listed in tests/conformance/must_pass.txt
fails (a ratchet: `--update-must-pass` adds every case that passes now), 0
otherwise, 2 on a usage error. Every process it starts is killed before it
exits, also on failure or Ctrl-C.

Python 3 standard library only.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "tests", "fixtures", "conformance")
CORPUS = os.path.join(FIXTURES, "cases.jsonl")
INIT_DIR = os.path.join(FIXTURES, "init")
MUST_PASS = os.path.join(HERE, "must_pass.txt")

MAGIC = b"\xfa\xde\xfa\xce"
MAX_FRAME = 256 << 20


# ----- wire -----------------------------------------------------------------

def str_atom(text):
    """A STR atom payload: f3 00, i64 length, the bytes."""
    data = text.encode("utf-8")
    return b"\xf3\x00" + struct.pack("<q", len(data)) + data


def sync_frame(payload):
    """A 16-byte header (version 3, flags 0, endian 0, msgtype 1) + payload."""
    return MAGIC + bytes([3, 0, 0, 1]) + struct.pack("<q", len(payload)) + payload


def decompress(body):
    """Undo the delta+RLE of wire.md 5.3: u32 size, then the stream."""
    if len(body) < 4:
        raise ValueError("compressed body shorter than its size prefix")
    size = struct.unpack_from("<I", body)[0]
    if not 1 <= size <= MAX_FRAME:
        raise ValueError("bad uncompressed size %d" % size)
    out = bytearray()
    i, n = 4, len(body)
    while len(out) < size:
        if i >= n:
            raise ValueError("stream ends at %d of %d bytes" % (len(out), size))
        c = body[i] - 256 if body[i] > 127 else body[i]
        if c > 0:
            if i + 1 >= n:
                raise ValueError("run without a value")
            out.extend(bytes([body[i + 1]]) * c)
            i += 2
        else:
            take = -c
            if i + 1 + take > n:
                raise ValueError("literal block past the end")
            out.extend(body[i + 1:i + 1 + take])
            i += 1 + take
    if len(out) != size:
        raise ValueError("decoded %d bytes, announced %d" % (len(out), size))
    for k in range(1, size):
        out[k] = (out[k] + out[k - 1]) & 0xFF
    return bytes(out)


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("peer closed after %d of %d bytes" % (len(buf), n))
        buf.extend(chunk)
    return bytes(buf)


def read_response(sock):
    """Reads one response frame; returns the (decompressed) payload."""
    header = recv_exact(sock, 16)
    if header[:4] != MAGIC or header[4] != 3 or header[6] != 0:
        raise ValueError("bad frame header %s" % header.hex())
    flags, msgtype = header[5], header[7]
    size = struct.unpack_from("<q", header, 8)[0]
    if msgtype != 2:
        raise ValueError("msgtype %d, expected a response (2)" % msgtype)
    if not 0 < size <= MAX_FRAME:
        raise ValueError("bad frame size %d" % size)
    body = recv_exact(sock, size)
    return decompress(body) if flags & 1 else body


# ----- processes --------------------------------------------------------------

class Processes:
    """Every child we start, so that all of them die at the end."""

    def __init__(self):
        self.lock = threading.Lock()
        self.live = set()

    def start(self, argv, **kw):
        p = subprocess.Popen(argv, start_new_session=True, **kw)
        with self.lock:
            self.live.add(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                p.wait()
        with self.lock:
            self.live.discard(p)

    def stop_all(self):
        with self.lock:
            live = list(self.live)
        for p in live:
            self.stop(p)


def init_args(case):
    return [os.path.join(INIT_DIR, case["init"] + ".rfl")] if case.get("init") else []


def tail(path, limit=400):
    try:
        with open(path, "rb") as f:
            data = f.read()
        return data[-limit:].decode("utf-8", "replace").strip()
    except OSError:
        return ""


def listening_port(server, deadline):
    """Reads the server's stdout until it says `listening on port N`; returns
    N (the server binds port 0, so no other process can take its port). The
    rest of its output is drained in the background."""
    prefix = b"listening on port "
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("server did not say it listens")
        ready, _, _ = select.select([server.stdout], [], [], remaining)
        if not ready:
            continue
        line = server.stdout.readline()
        if not line:
            raise RuntimeError("server exited with %s before listening" % server.wait())
        if line.startswith(prefix):
            threading.Thread(target=lambda: server.stdout.read(), daemon=True).start()
            return int(line[len(prefix):].strip())


def run_bytes(case, opts, procs):
    """Returns (ok, detail)."""
    with tempfile.TemporaryFile() as errf:
        server = procs.start([opts.bin, "-p", "0"] + init_args(case),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
        try:
            deadline = time.monotonic() + opts.timeout
            try:
                port = listening_port(server, deadline)
            except RuntimeError as e:
                errf.seek(0)
                return False, "%s %s" % (e, errf.read()[-300:].decode("utf-8", "replace").strip())
            with socket.create_connection(("127.0.0.1", port), timeout=max(0.1, deadline - time.monotonic())) as sock:
                sock.sendall(b"\x03\x00")
                greeting = recv_exact(sock, 2)
                if greeting != b"\x03\x00":
                    return False, "handshake answered %s" % greeting.hex()
                sock.sendall(sync_frame(str_atom(case["query"])))
                got = read_response(sock)
            want = bytes.fromhex(case["payload_hex"])
            if got == want:
                return True, ""
            return False, "got %s" % got.hex()[:160]
        except (OSError, ValueError, TimeoutError, ConnectionError) as e:
            return False, "%s: %s" % (type(e).__name__, e)
        finally:
            procs.stop(server)


def communicate(argv, stdin_text, opts, procs):
    """Runs `argv` with `stdin_text`; returns its stdout+stderr, or None on timeout."""
    p = procs.start(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = p.communicate(stdin_text.encode("utf-8"), timeout=opts.timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        procs.stop(p)
    return out.decode("utf-8", "replace")


INIT_OUTPUT = {}


def run_text(case, opts, procs):
    """Returns (ok, detail). A script prints its last value (as RayforceDB's
    `rayforce init.rfl` does): what the init prints alone is not the query's
    text, so it is cut from the front."""
    init = init_args(case)
    prefix = ""
    if init:
        if init[0] not in INIT_OUTPUT:
            INIT_OUTPUT[init[0]] = communicate([opts.bin] + init, "", opts, procs)
        prefix = INIT_OUTPUT[init[0]]
        if prefix is None:
            return False, "init timeout after %ss" % opts.timeout
    out = communicate([opts.bin, "-i"] + init, case["query"] + "\n", opts, procs)
    if out is None:
        return False, "timeout after %ss" % opts.timeout
    if out.startswith(prefix):
        out = out[len(prefix):]
    got = out.rstrip("\n")
    want = case["text"].rstrip("\n")
    if got == want:
        return True, ""
    return False, "got %r" % got[:300]


# ----- driver -----------------------------------------------------------------

def load_cases(filters, ids):
    with open(CORPUS, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    if filters:
        cases = [c for c in cases if c["feature"] in filters]
    if ids:
        cases = [c for c in cases if c["id"] in ids]
    return cases


def read_must_pass():
    """{id: {"bytes", "text"}}; a bare id means both."""
    must = {}
    if not os.path.exists(MUST_PASS):
        return must
    with open(MUST_PASS, encoding="utf-8") as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if words:
                kinds = set(words[1:]) or {"bytes", "text"}
                must.setdefault(words[0], set()).update(kinds & {"bytes", "text"})
    return must


def write_must_pass(must):
    with open(MUST_PASS, "w", encoding="utf-8") as f:
        f.write("# Conformance cases that must keep passing (ratchet; `run.py --update-must-pass`).\n")
        f.write("# `ID` = bytes and text, `ID bytes` or `ID text` = only that check.\n")
        for cid in sorted(must):
            kinds = must[cid]
            f.write(cid + ("" if kinds == {"bytes", "text"} else " " + " ".join(sorted(kinds))) + "\n")


def self_test():
    """Checks the wire helpers on the captures of wire.md (2.1 and 5.4)."""
    assert sync_frame(str_atom("(+ 1 2)")).hex() == (
        "fadeface030000011100000000000000" "f3000700000000000000282b20312032 29".replace(" ", ""))
    stream = bytes.fromhex("d1070000" "fbf30dc740f9" "0500" "ff61" + "7f00" * 15 + "5500")
    got = decompress(stream)
    assert got == b"\xf3\x00" + struct.pack("<q", 1991) + b"a" * 1991, got[:20].hex()
    for bad in (b"", b"\x05\x00\x00\x00\x7f", b"\x00\x00\x00\x00"):
        try:
            decompress(bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % bad)
    print("self-test: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--filter", action="append", default=[], metavar="FEATURE",
                    help="only cases of this feature (repeatable, or comma-separated)")
    ap.add_argument("--id", action="append", default=[], help="only this case id (repeatable)")
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "rayforce"))
    ap.add_argument("-j", type=int, default=2, help="cases run in parallel (default 2)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per step (default 30: generous for loaded CI machines)")
    ap.add_argument("--no-bytes", action="store_true", help="skip the server (bytes) check")
    ap.add_argument("--no-text", action="store_true", help="skip the REPL (text) check")
    ap.add_argument("-v", "--verbose", action="store_true", help="show what each failure got")
    ap.add_argument("--update-must-pass", action="store_true",
                    help="add every passing check to must_pass.txt")
    ap.add_argument("--self-test", action="store_true", help="check the wire helpers and exit")
    opts = ap.parse_args()
    if opts.self_test:
        self_test()
        return 0
    filters = {f for arg in opts.filter for f in arg.split(",") if f}
    must = read_must_pass()
    if not os.path.exists(CORPUS):
        print("conformance: corpus not found at %s" % CORPUS, file=sys.stderr)
        return 2
    if not (os.path.isfile(opts.bin) and os.access(opts.bin, os.X_OK)):
        print("conformance: skipped, no binary at %s (build it with `make`)" % opts.bin)
        return 1 if must else 0
    cases = load_cases(filters, set(opts.id))
    procs = Processes()
    results = {}

    def run_case(case):
        b = (None, "") if opts.no_bytes else run_bytes(case, opts, procs)
        t = (None, "") if opts.no_text else run_text(case, opts, procs)
        return case, b, t

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.j)) as pool:
            for case, b, t in pool.map(run_case, cases):
                results[case["id"]] = (case, b, t)
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()

    per_feature = collections.OrderedDict()
    failing = {"bytes": [], "text": []}
    for case in cases:
        _, b, t = results[case["id"]]
        row = per_feature.setdefault(case["feature"], [0, 0, 0])
        row[2] += 1
        for k, (ok, detail) in (("bytes", b), ("text", t)):
            if ok is None:
                continue
            if ok:
                row[0 if k == "bytes" else 1] += 1
            else:
                failing[k].append(case["id"])
                if opts.verbose or k in must.get(case["id"], ()):
                    print("%-15s %-5s %s" % (case["id"], k, detail))
    print("%-12s %9s %9s" % ("feature", "bytes", "text"))
    tb = tt = 0
    for feature, (pb, pt, n) in per_feature.items():
        tb, tt = tb + pb, tt + pt
        print("%-12s %5d/%-3d %5d/%-3d" % (feature, pb, n, pt, n))
    print("%-12s %5d/%-3d %5d/%-3d" % ("total", tb, len(cases), tt, len(cases)))
    for k in ("bytes", "text"):
        if failing[k]:
            print("failing %s: %s" % (k, " ".join(failing[k])))

    regressed = []
    for cid, kinds in sorted(must.items()):
        if cid not in results:
            continue
        _, b, t = results[cid]
        for k, (ok, _) in (("bytes", b), ("text", t)):
            if k in kinds and ok is False:
                regressed.append("%s:%s" % (cid, k))
    if opts.update_must_pass:
        for cid, (_, b, t) in results.items():
            for k, (ok, _) in (("bytes", b), ("text", t)):
                if ok:
                    must.setdefault(cid, set()).add(k)
        write_must_pass(must)
        print("must_pass.txt: %d cases" % len(must))
    if regressed:
        print("REGRESSED (listed in must_pass.txt): %s" % " ".join(regressed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
