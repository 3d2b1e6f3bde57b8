"""Container wrappers: Vector (typed elements), List (any items) and Dict.

A Vector keeps its elements as storage values (``raw``) in a Python list, or,
when it came from the engine, as the engine's own vector (a RayRef) decoded
on first use, so numeric data reaches NumPy without a copy.
"""
import datetime as _dt
import struct
import uuid as _uuid

from ..errors import RayforceConversionError, RayforceIndexError
from .scalars import BY_CODE, B8, F64, GUID, I64, Date, Null, RayObject, Scalar, String, Symbol, Time, Timestamp

# element code -> struct format of one element on the wire
_FMT = {1: "B", 2: "B", 3: "h", 4: "i", 5: "q", 6: "f", 7: "d", 8: "i", 9: "i", 10: "q"}
_NUMPY = {1: "bool", 2: "uint8", 3: "int16", 4: "int32", 5: "int64", 6: "float32", 7: "float64"}
_EPOCH_DAYS_1970 = 10957  # 2000-01-01 - 1970-01-01
DTYPE_NAMES = {1: "B8", 2: "U8", 3: "I16", 4: "I32", 5: "I64", 6: "F32", 7: "F64", 8: "DATE", 9: "TIME",
               10: "TIMESTAMP", 11: "GUID", 12: "SYMBOL", 13: "STR", 0: "LIST"}


def element_class_for(value):
    """The scalar class a Python value or wrapper becomes as a vector element."""
    if isinstance(value, Scalar):
        return Symbol if isinstance(value, Symbol) else type(value)
    if isinstance(value, bool):
        return B8
    if isinstance(value, int):
        return I64
    if isinstance(value, float):
        return F64
    if isinstance(value, str):
        return Symbol
    if isinstance(value, _dt.datetime):
        return Timestamp
    if isinstance(value, _dt.date):
        return Date
    if isinstance(value, (_dt.time, _dt.timedelta)):
        return Time
    if isinstance(value, _uuid.UUID):
        return GUID
    raise RayforceConversionError(f"no vector element type for {value!r}")


class Vector(RayObject):
    """``Vector(items, ray_type=None)``: a typed vector. ``ray_type`` is a scalar
    class (``I64``, ``Symbol``...) and defaults to the first item's type."""

    __slots__ = ("_cls", "_raw", "_ref")

    def __init__(self, items=None, ray_type=None, length=None):
        items = list(items) if items is not None else [None] * (length or 0)
        if ray_type is None:
            first = next((x for x in items if x is not None and x is not Null), None)
            if first is None:
                raise RayforceConversionError("Vector needs ray_type when it has no non-null item")
            ray_type = element_class_for(first)
        if isinstance(ray_type, int):
            ray_type = BY_CODE[ray_type]
        self._cls = Symbol if issubclass(ray_type, Symbol) else ray_type
        self._ref = None
        self._raw = [self._cls(None if x is Null else x).raw for x in items]

    @classmethod
    def from_raw(cls, elem_cls, raw, ref=None):
        v = cls.__new__(cls)
        v._cls, v._raw, v._ref = elem_cls, raw, ref
        return v

    @property
    def code(self) -> int:
        return self._cls.code

    @property
    def ray_type(self):
        return self._cls

    @property
    def raw(self) -> list:
        if self._raw is None:
            if self.code in _FMT:
                self._raw = self._ref.buffer().tolist()
            else:
                from .convert import decode
                self._raw = decode(self._ref.to_bytes()).raw
        return self._raw

    def __len__(self):
        return len(self._raw) if self._raw is not None else self._ref.length

    def _wrap(self, raw):
        x = self._cls.from_raw(raw)
        return Null if x.is_null else x

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Vector.from_raw(self._cls, self.raw[i])
        n = len(self)
        if not -n <= i < n:
            raise RayforceIndexError(f"index {i} out of range for a vector of {n}", code="index")
        return self._wrap(self.raw[i])

    def __iter__(self):
        return (self._wrap(r) for r in self.raw)

    def to_python(self):
        return list(self)

    def to_list(self):
        """Storage values: SYM gives str, B8 0/1, temporals raw ints, a null Null."""
        null = self._cls.null_raw
        if null is None or self._cls is GUID:
            return [(_uuid.UUID(bytes=r) if r != null else Null) for r in self.raw] if self._cls is GUID else list(self.raw)
        return [Null if r == null else r for r in self.raw]

    def to_numpy(self):
        """A NumPy array; numeric vectors from the engine are not copied."""
        import numpy as np
        code = self.code
        if code in _NUMPY:
            if self._ref is not None and self._raw is None:
                return np.frombuffer(self._ref.buffer(), dtype=_NUMPY[code])
            return np.array(self.raw, dtype=_NUMPY[code])
        if code in (8, 9, 10):
            base = np.frombuffer(self._ref.buffer(), dtype="int32" if code != 10 else "int64") \
                if self._ref is not None and self._raw is None else np.array(self.raw, dtype="int64")
            null = base == self._cls.null_raw
            if code == 8:
                out = (base.astype("int64") + _EPOCH_DAYS_1970).astype("datetime64[D]")
            elif code == 9:
                out = base.astype("int64").astype("timedelta64[ms]")
            else:
                out = (base.astype("int64") + _EPOCH_DAYS_1970 * 86_400 * 10**9).astype("datetime64[ns]")
            out[null] = np.datetime64("NaT") if code != 9 else np.timedelta64("NaT")
            return out
        return np.array([x.to_python() if x is not Null else None for x in self], dtype=object)

    def __buffer__(self, flags):  # Python 3.12+: memoryview(v)
        return self.buffer()

    def buffer(self):
        """A zero-copy memoryview of a numeric vector that came from the engine."""
        if self._ref is None:
            raise TypeError("only vectors received from the engine expose their buffer")
        return self._ref.buffer()

    def __eq__(self, other):
        if isinstance(other, Vector):
            other = other.to_python()
        if isinstance(other, (list, tuple)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"Vector({list(self)!r})"

    def __str__(self):
        return str([x.to_python() if x is not Null else None for x in self])

    def _encode(self, out):
        code, raw = self.code, self.raw
        null = self._cls.null_raw
        has_null = null is not None and code not in (11, 12, 13) and any(r == null for r in raw)
        out += bytes((code, 0x40 if has_null else 0)) + struct.pack("<q", len(raw))
        if code in _FMT:
            out += struct.pack(f"<{len(raw)}{_FMT[code]}", *raw)
        elif code == 11:
            out += b"".join(raw)
        elif code == 12:
            for r in raw:
                out += r.encode() + b"\x00"
        elif code == 13:
            for r in raw:
                b = r.encode()
                out += struct.pack("<q", len(b)) + b

    def _rayfall(self):
        if not self.raw:
            return f"(as '{DTYPE_NAMES[self.code].lower()} [])" if self.code != 12 else "(as 'symbol [])"
        if self.code == 12:
            if all(r and r.replace("_", "a").replace(".", "a").isalnum() for r in self.raw):
                return "[" + " ".join(self.raw) + "]"
            return "(list " + " ".join("(as 'symbol " + String(r)._literal() + ")" for r in self.raw) + ")"
        if self.code == 13:
            return "(list " + " ".join(String(r)._literal() for r in self.raw) + ")"
        return "[" + " ".join(self._cls.from_raw(r)._rayfall() for r in self.raw) + "]"


class List(RayObject):
    """A list of any wrappers; Python items are converted with python_to_ray."""

    __slots__ = ("items",)

    def __init__(self, items=()):
        from .convert import python_to_ray
        self.items = [python_to_ray(x) for x in items]

    @classmethod
    def of(cls, items):
        obj = cls.__new__(cls)
        obj.items = list(items)
        return obj

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return List.of(self.items[i])
        try:
            return self.items[i]
        except IndexError:
            raise RayforceIndexError(f"index {i} out of range for a list of {len(self.items)}", code="index") from None

    def __iter__(self):
        return iter(self.items)

    def to_python(self):
        return list(self.items)

    def to_list(self):
        return [deep_python(x) for x in self.items]

    def __eq__(self, other):
        if isinstance(other, List):
            other = other.items
        if isinstance(other, (list, tuple)):
            return len(other) == len(self.items) and all(a == b for a, b in zip(self.items, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"List({self.items!r})"

    def _encode(self, out):
        out += b"\x00\x00" + struct.pack("<q", len(self.items))
        for x in self.items:
            x._encode(out)

    def _rayfall(self):
        return "(list" + "".join(" " + x._rayfall() for x in self.items) + ")"


class Dict(RayObject):
    """``Dict({"a": 1})``: keys (a Vector) and values (a List or Vector)."""

    __slots__ = ("_keys", "_values")

    def __init__(self, mapping=None):
        from .convert import python_to_ray
        mapping = dict(mapping or {})
        keys = list(mapping)
        if keys and all(isinstance(k, str) for k in keys):
            self._keys = Vector(keys, ray_type=Symbol)
        elif keys:
            self._keys = Vector(keys)
        else:
            self._keys = Vector([], ray_type=Symbol)
        self._values = List.of([python_to_ray(v) for v in mapping.values()])

    @classmethod
    def of(cls, keys, values):
        obj = cls.__new__(cls)
        obj._keys, obj._values = keys, values
        return obj

    def keys(self):
        return self._keys

    def values(self):
        return self._values

    def items(self):
        return list(zip(self._keys, self._values))

    def __len__(self):
        return len(self._keys)

    def __getitem__(self, key):
        for k, v in zip(self._keys, self._values):
            if k == key:
                return v
        return Null

    def to_python(self):
        return {deep_python(k): deep_python(v) for k, v in zip(self._keys, self._values)}

    to_dict = to_python

    def __eq__(self, other):
        if isinstance(other, Dict):
            other = other.to_python()
        if isinstance(other, dict):
            return self.to_python() == other
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"Dict({self.to_python()!r})"

    def _encode(self, out):
        out += b"\x63\x00"
        self._keys._encode(out)
        self._values._encode(out)

    def _rayfall(self):
        if self._keys.code == 12 and isinstance(self._values, List):
            return "{" + " ".join(f"{k}: {v._rayfall()}" for k, v in zip(self._keys.raw, self._values.items)) + "}"
        return f"(dict {self._keys._rayfall()} {self._values._rayfall()})"


def deep_python(x):
    """Plain Python for any wrapper, recursively (vectors become lists of values)."""
    if x is Null:
        return None
    if isinstance(x, Scalar):
        return x.to_python()
    if isinstance(x, (Vector, List)):
        return [deep_python(e) for e in x]
    if isinstance(x, Dict):
        return x.to_python()
    if hasattr(x, "to_dict"):
        return x.to_dict()
    return x
