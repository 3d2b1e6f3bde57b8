"""Run by hand: captures the reference server's replies (re-encoded by our
library as wire payloads) into fixtures/oracle_replies.json, which
test_decode.py reads. Tests never run the reference.

    REFERENCE_RAYFORCE -p 5999 python/tests/init.rfl &
    PYTHONPATH=python python3 python/tests/capture_oracle.py 5999
"""
import json
import os
import sys

from rayforce import _ref
from rayforce._lib import lib
from rayforce.types.scalars import String
from rayforce.types.convert import encode

EXPRS = [
    "(+ 1 2)", "'AAPL", '"hi"', "2024.01.15", "09:30:00.000", "2024.01.15D09:30:00.000", "0Nl", "0Nd", "0Nf",
    "1.5", "true", "0x2a", "(as 'i32 7)", "(as 'i16 7)", "(til 5)", "[1 0N 3]", "[a b c]", "[true false]",
    "[2024.01.15 0Nd]", "(list 1 'a \"s\")", "(list \"ab\" \"c\")", "{a: 1 b: 2}", "trades", "quotes",
    "(as 'guid \"0f0e0d0c-0b0a-0908-0706-050403020100\")", "(select {n: (count sym) by: {sym: sym} from: trades})",
]


def main(port):
    from rayforce import TCPClient
    c = TCPClient("127.0.0.1", port)
    out = {}
    for e in EXPRS:
        msg = _ref.from_bytes(encode(String(e)))
        reply = _ref.RayRef(lib.ray_ipc_send(c._handle, msg.ptr))
        out[e] = reply.to_bytes().hex()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "oracle_replies.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(int(sys.argv[1]))
