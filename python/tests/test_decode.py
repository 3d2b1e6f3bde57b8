"""Decoding the reference server's replies (fixtures/oracle_replies.json,
captured by capture_oracle.py) into wrappers, without any server."""
import datetime as dt
import json
import math
import os
import uuid

import pytest

from rayforce import Null
from rayforce.types.convert import decode, encode

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "oracle_replies.json")) as f:
    REPLIES = {k: bytes.fromhex(v) for k, v in json.load(f).items()}

UTC = dt.timezone.utc
EXPECTED = {
    "(+ 1 2)": ("I64(3)", 3),
    "'AAPL": ("Symbol('AAPL')", "AAPL"),
    '"hi"': ("String('hi')", "hi"),
    "2024.01.15": ("Date(datetime.date(2024, 1, 15))", dt.date(2024, 1, 15)),
    "09:30:00.000": ("Time(datetime.time(9, 30))", dt.time(9, 30)),
    "2024.01.15D09:30:00.000": (None, dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)),
    "0Nl": ("I64(None)", None),
    "0Nd": ("Date(None)", None),
    "true": ("B8(True)", True),
    "0x2a": ("U8(42)", 42),
    "(as 'i32 7)": ("I32(7)", 7),
    "(as 'i16 7)": ("I16(7)", 7),
    "(as 'guid \"0f0e0d0c-0b0a-0908-0706-050403020100\")":
        (None, uuid.UUID("0f0e0d0c-0b0a-0908-0706-050403020100")),
}
LISTS = {
    "(til 5)": [0, 1, 2, 3, 4],
    "[1 0N 3]": [1, Null, 3],
    "[a b c]": ["a", "b", "c"],
    "[true false]": [1, 0],
    "[2024.01.15 0Nd]": [8780, Null],
    "(list \"ab\" \"c\")": ["ab", "c"],
}


@pytest.mark.parametrize("expr", sorted(EXPECTED))
def test_atoms(expr):
    r = decode(REPLIES[expr])
    rep, value = EXPECTED[expr]
    if rep is not None:
        assert repr(r) == rep
    assert r.to_python() == value


@pytest.mark.parametrize("expr", sorted(LISTS))
def test_vectors_and_lists(expr):
    assert decode(REPLIES[expr]).to_list() == LISTS[expr]


def test_floats_and_nan_null():
    assert decode(REPLIES["1.5"]) == 1.5
    assert math.isnan(decode(REPLIES["0Nf"]).value)


def test_containers_and_tables():
    assert repr(decode(REPLIES["(list 1 'a \"s\")"])) == "List([I64(1), Symbol('a'), String('s')])"
    assert decode(REPLIES["{a: 1 b: 2}"]).to_python() == {"a": 1, "b": 2}
    t = decode(REPLIES["trades"])
    assert t.dtypes == {"sym": "SYMBOL", "price": "F64", "qty": "I64", "time": "TIME"}
    assert t.to_dict()["qty"] == [100, 50, 200, 75, 120]
    g = decode(REPLIES["(select {n: (count sym) by: {sym: sym} from: trades})"])
    assert g.to_dict() == {"sym": ["AAPL", "GOOG", "MSFT"], "n": [2, 2, 1]}


@pytest.mark.parametrize("expr", sorted(REPLIES))
def test_reencoding_gives_the_same_bytes(expr):
    assert encode(decode(REPLIES[expr])) == REPLIES[expr]
