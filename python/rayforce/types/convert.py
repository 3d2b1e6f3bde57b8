"""Conversions: Python values to wrappers (python_to_ray), engine values to
wrappers (ray_to_python, from a RayRef or from wire bytes).

Wire layout as in wire.md §4: atoms are ``-code, flags, value``; vectors
``code, attrs, i64 count, data``; LIST/DICT/TABLE nest whole objects.
"""
import datetime as _dt
import struct
import uuid as _uuid

from ..errors import RayforceConversionError, RayforceTypeRegistryError, from_code
from .containers import Dict, List, Vector
from .scalars import (B8, BY_CODE, F64, GUID, I64, Date, Name, Null, RayObject, String, Symbol,
                      Time, Timestamp)

_ATOM_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 4, 7: 8, 8: 4, 9: 4, 10: 8, 11: 16}
_FMT = {1: "B", 2: "B", 3: "h", 4: "i", 5: "q", 6: "f", 7: "d", 8: "i", 9: "i", 10: "q"}


class Fn(RayObject):
    """A lambda or builtin received from the engine; sent back as it came."""

    __slots__ = ("payload", "name")

    def __init__(self, payload: bytes, name=None):
        self.payload, self.name = payload, name

    def _encode(self, out):
        out += self.payload

    def to_python(self):
        return self

    def __repr__(self):
        return f"Fn({self.name})" if self.name else "Fn(lambda)"


def python_to_ray(value):
    """A wrapper for a Python value (str becomes a symbol)."""
    from .operators import Operation
    if value is None or value is Null:
        return Null
    if isinstance(value, Operation):
        return Name(value.value)
    if isinstance(value, RayObject):
        return value
    if hasattr(value, "_as_operand"):
        return value._as_operand()
    if isinstance(value, bool):
        return B8(value)
    if isinstance(value, int):
        return I64(value)
    if isinstance(value, float):
        return F64(value)
    if isinstance(value, str):
        return Symbol(value)
    if isinstance(value, _dt.datetime):
        return Timestamp(value)
    if isinstance(value, _dt.date):
        return Date(value)
    if isinstance(value, (_dt.time, _dt.timedelta)):
        return Time(value)
    if isinstance(value, _uuid.UUID):
        return GUID(value)
    if isinstance(value, dict):
        return Dict(value)
    if isinstance(value, (list, tuple)):
        return List(value)
    raise RayforceConversionError(f"cannot convert {type(value).__name__} to a Rayforce value")


def encode(obj) -> bytes:
    out = bytearray()
    python_to_ray(obj)._encode(out)
    return bytes(out)


def ray_to_python(ref):
    """The wrapper for an engine value (a RayRef); numeric vectors stay in
    the engine's memory (no copy) until their items are read."""
    t = ref.type
    if 1 <= t <= 13:  # decoded on first use (numeric ones are viewed, not copied)
        return Vector.from_raw(BY_CODE[t], None, ref)
    if t == 0:
        return List.of([ray_to_python(ref.list_item(i)) for i in range(ref.length)])
    if t == 99:
        k, v = ref.dict_parts()
        return Dict.of(ray_to_python(k), ray_to_python(v))
    if t == 98:
        from .table import Table
        cols = ref.table_columns()
        return Table._from_columns([n for n, _ in cols], [ray_to_python(c) for _, c in cols], ref)
    return decode(ref.to_bytes())


def decode(payload: bytes):
    payload = bytes(payload)
    if payload[:1] == b"\x0c":  # a SYM vector alone: its names run to the end
        (n,) = struct.unpack_from("<q", payload, 2)
        names = payload[10:-1].decode("utf-8", "replace").split("\x00") if n else []
        if len(names) == n and payload[-1:] in (b"\x00", b""):
            return Vector.from_raw(Symbol, names)
    obj, end = _read(payload, 0)
    if end != len(payload):
        raise RayforceConversionError(f"{len(payload) - end} trailing bytes after the value")
    return obj


def _cstr(buf, pos):
    end = buf.index(b"\x00", pos)
    return buf[pos:end].decode("utf-8", "replace"), end + 1


def _read(buf, pos):
    tb = buf[pos]
    t = tb - 256 if tb >= 128 else tb
    pos += 1
    if t < 0 and -t in BY_CODE:
        code, flags = -t, buf[pos]
        pos += 1
        cls = BY_CODE[code]
        if code == 12:
            s, pos = _cstr(buf, pos)
            return Symbol(s), pos  # quoted or not, a reply symbol is data
        if code == 13:
            (n,) = struct.unpack_from("<q", buf, pos)
            return String(buf[pos + 8:pos + 8 + n].decode("utf-8", "replace")), pos + 8 + n
        size = _ATOM_SIZE[code]
        raw = buf[pos:pos + size] if code == 11 else struct.unpack_from("<" + _FMT[code], buf, pos)[0]
        x = cls.from_raw(raw)
        if flags & 1 and cls.null_raw is not None:
            x.raw = cls.null_raw
        return x, pos + size
    if 1 <= t <= 13:
        (n,) = struct.unpack_from("<q", buf, pos + 1)
        pos += 9
        cls = BY_CODE[t]
        if t in _FMT:
            size = _ATOM_SIZE[t]
            raw = list(struct.unpack_from(f"<{n}{_FMT[t]}", buf, pos))
            return Vector.from_raw(cls, raw), pos + n * size
        if t == 12:
            end = pos
            for _ in range(n):
                end = buf.index(b"\x00", end) + 1
            raw = buf[pos:end - 1].decode("utf-8", "replace").split("\x00") if n else []
            return Vector.from_raw(cls, raw), end
        raw = []
        for _ in range(n):
            if t == 11:
                raw.append(buf[pos:pos + 16])
                pos += 16
            elif t == 12:
                s, pos = _cstr(buf, pos)
                raw.append(s)
            else:
                (m,) = struct.unpack_from("<q", buf, pos)
                raw.append(buf[pos + 8:pos + 8 + m].decode("utf-8", "replace"))
                pos += 8 + m
        return Vector.from_raw(cls, raw), pos
    if t == 0:
        (n,) = struct.unpack_from("<q", buf, pos + 1)
        pos += 9
        items = []
        for _ in range(n):
            x, pos = _read(buf, pos)
            items.append(x)
        return List.of(items), pos
    if t in (98, 99):
        keys, pos = _read(buf, pos + 1)
        vals, pos = _read(buf, pos)
        if t == 99:
            return Dict.of(keys, vals), pos
        from .table import Table
        return Table._from_columns([str(k) for k in keys.raw], list(vals), None), pos
    if t == 126:
        return Null, pos
    if t == 127:
        code = buf[pos:pos + 8].split(b"\x00")[0].decode()
        return from_code(code), pos + 8
    if t in (101, 102, 103):
        name, end = _cstr(buf, pos)
        from .operators import Operation
        try:
            return Operation(name), end
        except ValueError:
            return Fn(buf[pos - 1:end], name), end
    if t == 100:
        start = pos - 1
        _, pos = _read(buf, pos + 1)
        _, pos = _read(buf, pos)
        return Fn(buf[start:pos]), pos
    raise RayforceTypeRegistryError(f"no wrapper for type {t}")
