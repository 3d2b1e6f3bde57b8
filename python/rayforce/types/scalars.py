"""Scalar wrappers (one Rayforce atom each) and the Null value.

A scalar holds its storage value (``raw``: the int/float/str the engine keeps,
e.g. days since 2000-01-01 for a Date) and shows the Python value through
``value``/``to_python()``. ``==`` and ``hash`` use the Python value. Each class
knows its wire type code and how to write itself (``_encode``); reading replies
is _wire's job.
"""
import datetime as _dt
import math
import struct
import uuid as _uuid

from ..errors import RayforceConversionError

EPOCH_DATE = _dt.date(2000, 1, 1)
EPOCH_DATETIME = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
MS_PER_DAY = 86_400_000


class _NullMeta(type):
    def __repr__(cls):
        return "Null"

    __str__ = __repr__

    def __eq__(cls, other):
        return other is None or other is cls

    def __ne__(cls, other):
        return not cls.__eq__(other)

    def __hash__(cls):
        return hash(None)

    def __bool__(cls):
        return False


class Null(metaclass=_NullMeta):
    """The untyped null (wire 0x7e). The class itself is the value:
    ``Null == None`` and ``bool(Null)`` is false."""

    value = None

    def __new__(cls, *args, **kwargs):
        return cls

    @staticmethod
    def to_python():
        return None

    @staticmethod
    def _encode(out):
        out.append(0x7E)

    @staticmethod
    def _rayfall():
        return "0N"


class RayObject:
    """Base of every wrapper that is a Rayforce value."""

    __slots__ = ()

    def to_python(self):
        raise NotImplementedError

    def _encode(self, out: bytearray):
        raise NotImplementedError

    def _rayfall(self) -> str:
        raise NotImplementedError


class Scalar(RayObject):
    """An atom. Subclasses set ``code`` (the positive type code), ``fmt``
    (struct format of the value bytes) and ``null_raw`` (the sentinel)."""

    __slots__ = ("raw",)
    code = 0
    fmt = ""
    null_raw = None

    def __init__(self, value=None):
        if isinstance(value, Scalar):
            if type(value) is type(self):
                self.raw = value.raw
                return
            value = value.to_python()
        self.raw = self.null_raw if value is None else self._to_raw(value)

    @classmethod
    def from_raw(cls, raw):
        obj = cls.__new__(cls)
        obj.raw = raw
        return obj

    def _to_raw(self, value):
        return value

    def _from_raw(self, raw):
        return raw

    @property
    def is_null(self) -> bool:
        return self.null_raw is not None and self.raw == self.null_raw

    @property
    def value(self):
        return None if self.is_null else self._from_raw(self.raw)

    def to_python(self):
        return self.value

    def __repr__(self):
        return f"{type(self).__name__}({self.value!r})"

    def __str__(self):
        return str(self.to_python())

    def __eq__(self, other):
        if isinstance(other, Scalar):
            other = other.to_python()
        return self.to_python() == other

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.to_python())

    def _encode(self, out):
        out.append((-self.code) & 0xFF)
        out.append(0x01 if self.is_null else 0x00)
        out += struct.pack("<" + self.fmt, self.raw)

    def _rayfall(self):
        return self._literal() if not self.is_null else self.null_literal

    def _literal(self):
        return str(self.raw)


def _int(cls_name, code, fmt, bits, suffix):
    lo = -(1 << (bits - 1))

    def to_raw(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise RayforceConversionError(f"{cls_name} needs an int, not {value!r}") from None
        if not lo < value < -lo:
            raise RayforceConversionError(f"{value} does not fit {cls_name}")
        return value

    def literal(self):
        return f"{self.raw}{suffix}"

    return type(cls_name, (Scalar,), {
        "__slots__": (), "code": code, "fmt": fmt, "null_raw": lo, "_to_raw": to_raw,
        "_literal": literal, "null_literal": f"0N{suffix or 'l'}", "__int__": lambda s: int(s.raw),
        "__index__": lambda s: int(s.raw),
    })


I16 = _int("I16", 3, "h", 16, "h")
I32 = _int("I32", 4, "i", 32, "i")
I64 = _int("I64", 5, "q", 64, "")


class U8(Scalar):
    __slots__ = ()
    code, fmt = 2, "B"

    def _to_raw(self, value):
        value = int(value)
        if not 0 <= value <= 255:
            raise RayforceConversionError(f"{value} does not fit U8")
        return value

    def _literal(self):
        return f"0x{self.raw:02x}"


class B8(Scalar):
    __slots__ = ()
    code, fmt = 1, "B"

    def _to_raw(self, value):
        return 1 if value else 0

    def _from_raw(self, raw):
        return bool(raw)

    def _literal(self):
        return "true" if self.raw else "false"

    def __bool__(self):
        return bool(self.raw)


class _Float(Scalar):
    __slots__ = ()

    def _to_raw(self, value):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise RayforceConversionError(f"{type(self).__name__} needs a float, not {value!r}") from None

    @property
    def is_null(self):
        return False  # NaN is the null and stays a float

    def _literal(self):
        if math.isnan(self.raw):
            return "0Nf"
        r = repr(float(self.raw))
        return r if ("." in r or "e" in r or "n" in r) else r + ".0"

    def __float__(self):
        return float(self.raw)

    def _encode(self, out):  # NaN is the null: flagged as one on the wire
        out += struct.pack("<bB" + self.fmt, -self.code, 1 if math.isnan(self.raw) else 0, self.raw)


class F64(_Float):
    __slots__ = ()
    code, fmt, null_raw = 7, "d", None


class F32(_Float):
    __slots__ = ()
    code, fmt, null_raw = 6, "f", None


class Symbol(Scalar):
    """A symbol; sent as a quoted symbol (data, never a name lookup)."""

    __slots__ = ()
    code = 12
    quoted = True

    def _to_raw(self, value):
        if not isinstance(value, str):
            raise RayforceConversionError(f"Symbol needs a str, not {value!r}")
        return value

    def _encode(self, out):
        out += b"\xf4" + (b"\x20" if self.quoted else b"\x00") + self.raw.encode() + b"\x00"

    def _literal(self):
        return ("'" if self.quoted else "") + self.raw

    def __repr__(self):
        return f"Symbol({self.raw!r})"


class QuotedSymbol(Symbol):
    """A quoted symbol (the same encoding as Symbol)."""

    __slots__ = ()


class Name(Symbol):
    """A name reference: an unquoted symbol the server looks up."""

    __slots__ = ()
    quoted = False

    def __repr__(self):
        return f"Name({self.raw!r})"


class String(Scalar):
    """A string atom; ``len``, indexing and iteration give 1-char Strings."""

    __slots__ = ()
    code = 13

    def _to_raw(self, value):
        if isinstance(value, bytes):
            value = value.decode()
        if not isinstance(value, str):
            raise RayforceConversionError(f"String needs a str, not {value!r}")
        return value

    def _encode(self, out):
        b = self.raw.encode()
        out += b"\xf3\x00" + struct.pack("<q", len(b)) + b

    def _literal(self):
        return '"' + self.raw.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    def __len__(self):
        return len(self.raw)

    def __getitem__(self, i):
        return String(self.raw[i])

    def __iter__(self):
        return (String(ch) for ch in self.raw)


class Date(Scalar):
    """Days since 2000-01-01; the value is a ``datetime.date``."""

    __slots__ = ()
    code, fmt, null_raw, null_literal = 8, "i", -(1 << 31), "0Nd"

    def _to_raw(self, value):
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return (value - EPOCH_DATE).days
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise RayforceConversionError(f"Date needs a date, not {value!r}")

    def _from_raw(self, raw):
        return EPOCH_DATE + _dt.timedelta(days=raw)

    def to_days(self):
        return self.raw

    def _literal(self):
        return self.value.strftime("%Y.%m.%d")


class Time(Scalar):
    """Milliseconds since midnight; the value is a ``datetime.time``."""

    __slots__ = ()
    code, fmt, null_raw, null_literal = 9, "i", -(1 << 31), "0Nt"

    def _to_raw(self, value):
        if isinstance(value, _dt.time):
            return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000
        if isinstance(value, _dt.timedelta):
            return int(value / _dt.timedelta(milliseconds=1))
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise RayforceConversionError(f"Time needs a time, not {value!r}")

    def _from_raw(self, raw):
        if not 0 <= raw < MS_PER_DAY:
            return _dt.timedelta(milliseconds=raw)
        s, ms = divmod(raw, 1000)
        m, s = divmod(s, 60)
        h, m = divmod(m, 60)
        return _dt.time(h, m, s, ms * 1000)

    def to_millis(self):
        return self.raw

    def _literal(self):
        raw = self.raw
        sign = "-" if raw < 0 else ""
        s, ms = divmod(abs(raw), 1000)
        m, s = divmod(s, 60)
        h, m = divmod(m, 60)
        return f"{sign}{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


class Timestamp(Scalar):
    """Nanoseconds since 2000-01-01 UTC; the value is an aware UTC datetime
    (truncated to microseconds). ``to_millis()`` returns the nanoseconds, as
    rayforce-py does."""

    __slots__ = ()
    code, fmt, null_raw, null_literal = 10, "q", -(1 << 63), "0Np"

    def _to_raw(self, value):
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=_dt.timezone.utc)
            d = value - EPOCH_DATETIME
            return (d.days * 86_400 + d.seconds) * 1_000_000_000 + d.microseconds * 1000
        if isinstance(value, _dt.date):
            return (value - EPOCH_DATE).days * 86_400 * 1_000_000_000
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise RayforceConversionError(f"Timestamp needs a datetime, not {value!r}")

    def _from_raw(self, raw):
        return EPOCH_DATETIME + _dt.timedelta(microseconds=raw // 1000)

    def to_millis(self):
        return self.raw

    def _literal(self):
        d = EPOCH_DATETIME + _dt.timedelta(microseconds=self.raw // 1000)
        return d.strftime("%Y.%m.%dD%H:%M:%S.") + f"{self.raw % 1_000_000_000:09d}"


class GUID(Scalar):
    """A 16-byte GUID; the value is a ``uuid.UUID``."""

    __slots__ = ()
    code, null_raw = 11, b"\x00" * 16

    def _to_raw(self, value):
        if isinstance(value, _uuid.UUID):
            return value.bytes
        if isinstance(value, (bytes, bytearray)) and len(value) == 16:
            return bytes(value)
        if isinstance(value, str):
            return _uuid.UUID(value).bytes
        raise RayforceConversionError(f"GUID needs a UUID, not {value!r}")

    def _from_raw(self, raw):
        return _uuid.UUID(bytes=raw)

    def _encode(self, out):
        out += b"\xf5" + (b"\x01" if self.is_null else b"\x00") + self.raw

    def _literal(self):
        return f'(as \'guid "{self.value}")'


# element type code -> scalar class
BY_CODE = {c.code: c for c in (B8, U8, I16, I32, I64, F32, F64, Date, Time, Timestamp, GUID, Symbol, String)}
