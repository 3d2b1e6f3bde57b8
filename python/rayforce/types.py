"""RayObject: an owned ray_t* with Python conversions.

``str(obj)`` is the REPL's text (``ray_fmt``). Numeric vectors expose their
elements without a copy through ``memoryview(obj)`` / ``obj.buffer()``.
"""
import ctypes
import struct

from . import _lib
from ._lib import lib

# vector type -> (ctypes element, struct format of the memoryview)
_VEC = {
    1: (ctypes.c_uint8, "B"),    # BOOL
    2: (ctypes.c_uint8, "B"),    # U8
    3: (ctypes.c_int16, "h"),    # I16
    4: (ctypes.c_int32, "i"),    # I32
    5: (ctypes.c_int64, "q"),    # I64
    6: (ctypes.c_float, "f"),    # F32
    7: (ctypes.c_double, "d"),   # F64
    8: (ctypes.c_int32, "i"),    # DATE
    9: (ctypes.c_int32, "i"),    # TIME
    10: (ctypes.c_int64, "q"),   # TIMESTAMP
}

TYPE_NAMES = {
    0: "LIST", 1: "B8", 2: "U8", 3: "I16", 4: "I32", 5: "I64", 6: "F32", 7: "F64",
    8: "DATE", 9: "TIME", 10: "TIMESTAMP", 11: "GUID", 12: "SYM", 13: "STR",
    98: "TABLE", 99: "DICT", 100: "LAMBDA", 101: "UNARY", 102: "BINARY", 103: "VARY",
    126: "NULL", 127: "ERROR",
}


class RayObject:
    """Owns one reference to a ray_t (released when collected)."""

    __slots__ = ("_ptr", "__weakref__")

    def __init__(self, ptr):
        if not ptr:
            raise ValueError("NULL ray_t pointer")
        self._ptr = ptr

    @property
    def header(self):
        return self._ptr.contents

    @property
    def type(self) -> int:
        return self.header.type

    @property
    def type_name(self) -> str:
        t = self.type
        if t < 0:
            return TYPE_NAMES.get(-t, "?").lower()
        return TYPE_NAMES.get(t, "?")

    def __len__(self):
        t = self.type
        if 0 <= t < 14 or t in (98, 99):
            return int(self.header.val) if t not in (98, 99) else _table_or_dict_len(self)
        return 1

    def __str__(self):
        s = lib.ray_fmt(self._ptr, 1)
        if not s:
            return ""
        try:
            n = lib.ray_str_len(s)
            p = lib.ray_str_ptr(s)
            return ctypes.string_at(p, n).decode("utf-8", "replace") if p else ""
        finally:
            lib.ray_release(s)

    def __repr__(self):
        return f"RayObject({self.type_name}: {self})"

    def data_address(self) -> int:
        """Address of the first element (ray_data)."""
        h = self.header
        if h.attrs & _lib.RAY_ATTR_SLICE:
            return lib.ray_data_slice_path(self._ptr)
        return ctypes.addressof(h) + 32

    def buffer(self):
        """A zero-copy memoryview over a numeric vector's elements."""
        spec = _VEC.get(self.type)
        if spec is None:
            raise TypeError(f"{self.type_name} has no numeric buffer")
        ctype, fmt = spec
        arr = (ctype * int(self.header.val)).from_address(self.data_address())
        arr._owner = self  # keeps the ray_t alive as long as the view's array
        # ctypes reports '<q'-style formats, which memoryview cannot index:
        # re-view the same bytes with the native format (still no copy).
        return memoryview(arr).cast("B").cast(fmt)

    def __buffer__(self, flags):  # Python 3.12+: memoryview(obj) works directly
        return self.buffer()

    def to_python(self):
        """Converts atoms to Python scalars and vectors to lists."""
        t, h = self.type, self.header
        raw = struct.pack("<q", h.val)
        if t == -5 or t == -10:
            return h.val
        if t in (-3, -4, -8, -9):
            return struct.unpack("<i", raw[:4])[0] if t != -3 else struct.unpack("<h", raw[:2])[0]
        if t in (-6, -7):
            return struct.unpack("<d", raw)[0]
        if t in (-1, -2):
            return bool(raw[0]) if t == -1 else raw[0]
        if t == -13:
            return ctypes.string_at(lib.ray_str_ptr(self._ptr), lib.ray_str_len(self._ptr)).decode("utf-8", "replace")
        if t == -12:
            s = lib.ray_sym_str(h.val)
            return ctypes.string_at(lib.ray_str_ptr(s), lib.ray_str_len(s)).decode("utf-8", "replace") if s else ""
        if t == _lib.RAY_NULL:
            return None
        if t in _VEC:
            return self.buffer().tolist()
        return str(self)

    def __del__(self):
        p, self._ptr = self._ptr, None
        if p:
            if p.contents.type == _lib.RAY_ERROR:
                lib.ray_error_free(p)
            else:
                lib.ray_release(p)


def _table_or_dict_len(obj):
    slots = ctypes.cast(ctypes.addressof(obj.header) + 32, ctypes.POINTER(_lib.P))
    if obj.type == 99:  # dict: number of keys
        keys = slots[0]
        return int(keys.contents.val) if keys else 0
    cols = slots[1]  # table: rows = first column's length
    if not cols or cols.contents.val == 0:
        return 0
    first = ctypes.cast(ctypes.addressof(cols.contents) + 32, ctypes.POINTER(_lib.P))[0]
    return int(first.contents.val) if first else 0
