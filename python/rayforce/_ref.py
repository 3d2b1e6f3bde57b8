"""RayRef: one owned reference to a ray_t, plus the few raw moves between
ray_t and bytes/text. The only module (with _lib) that touches pointers.

It must not know the Python wrapper classes: it hands out bytes, text and
zero-copy memoryviews, and converting them is _wire's and types' job.
"""
import ctypes

from . import _lib
from ._lib import lib
from .errors import RayforceConversionError, from_code

RAY_ATTR_SLICE = 0x10
RAY_ERROR = 127

# vector type -> (ctypes element, memoryview format)
_BUFFER = {
    1: (ctypes.c_uint8, "B"), 2: (ctypes.c_uint8, "B"), 3: (ctypes.c_int16, "h"),
    4: (ctypes.c_int32, "i"), 5: (ctypes.c_int64, "q"), 6: (ctypes.c_float, "f"),
    7: (ctypes.c_double, "d"), 8: (ctypes.c_int32, "i"), 9: (ctypes.c_int32, "i"),
    10: (ctypes.c_int64, "q"),
}


class RayRef:
    """Owns one reference to a ray_t (released when collected)."""

    __slots__ = ("_ptr", "__weakref__")

    def __init__(self, ptr, borrowed=False):
        if not ptr:
            raise RayforceConversionError("NULL ray_t pointer")
        if borrowed:
            lib.ray_retain(ptr)
        self._ptr = ptr

    @property
    def ptr(self):
        return self._ptr

    @property
    def type(self) -> int:
        return self._ptr.contents.type

    @property
    def length(self) -> int:
        return int(self._ptr.contents.val)

    def to_bytes(self) -> bytes:
        """The wire payload of this value (no frame header)."""
        n = lib.ray_serde_size(self._ptr)
        if n <= 0:
            raise RayforceConversionError(f"value of type {self.type} cannot be serialized")
        buf = ctypes.create_string_buffer(n)
        if lib.ray_ser_raw(buf, self._ptr) != n:
            raise RayforceConversionError("serialization failed")
        return buf.raw

    def text(self) -> str:
        """The engine's own rendering (the REPL's text)."""
        s = lib.ray_fmt(self._ptr, 1)
        if not s:
            return ""
        try:
            return ctypes.string_at(lib.ray_str_ptr(s), lib.ray_str_len(s)).decode("utf-8", "replace")
        finally:
            lib.ray_release(s)

    def buffer(self):
        """A zero-copy memoryview over a numeric vector's elements; it keeps this ref alive."""
        spec = _BUFFER.get(self.type)
        if spec is None:
            raise TypeError(f"type {self.type} has no numeric buffer")
        ctype, fmt = spec
        h = self._ptr.contents
        addr = lib.ray_data_slice_path(self._ptr) if h.attrs & RAY_ATTR_SLICE else ctypes.addressof(h) + 32
        arr = (ctype * self.length).from_address(addr)
        arr._owner = self
        # ctypes reports '<q'-style formats that memoryview cannot index:
        # re-view the same bytes with the native format (still no copy).
        return memoryview(arr).cast("B").cast(fmt)

    def data_address(self) -> int:
        h = self._ptr.contents
        return lib.ray_data_slice_path(self._ptr) if h.attrs & RAY_ATTR_SLICE else ctypes.addressof(h) + 32

    # children (each a new owned RayRef)
    def list_item(self, i):
        return RayRef(lib.ray_list_get(self._ptr, i), borrowed=True)

    def dict_parts(self):
        return RayRef(lib.ray_dict_keys(self._ptr), True), RayRef(lib.ray_dict_vals(self._ptr), True)

    def table_columns(self):
        """[(name, RayRef)] of a table."""
        out = []
        for i in range(lib.ray_table_ncols(self._ptr)):
            name = sym_name(lib.ray_table_col_name(self._ptr, i))
            out.append((name, RayRef(lib.ray_table_get_col_idx(self._ptr, i), borrowed=True)))
        return out

    def __del__(self):
        p, self._ptr = self._ptr, None
        if p:
            if p.contents.type == RAY_ERROR:
                lib.ray_error_free(p)
            else:
                lib.ray_release(p)


def sym_name(sym_id) -> str:
    s = lib.ray_sym_str(sym_id)
    return ctypes.string_at(lib.ray_str_ptr(s), lib.ray_str_len(s)).decode("utf-8", "replace") if s else ""


def from_bytes(payload: bytes) -> RayRef:
    """Decodes one wire payload into a new ray_t; errors raise RayforceConversionError."""
    _lib.ensure_runtime()
    buf = ctypes.create_string_buffer(payload, len(payload))
    n = ctypes.c_int64(len(payload))
    p = lib.ray_de_raw(buf, ctypes.byref(n))
    if not p:
        raise RayforceConversionError("cannot decode an empty payload")
    ref = RayRef(p)
    if ref.type == RAY_ERROR:
        raise RayforceConversionError(f"payload does not decode: {error_code(ref)}")
    return ref


def error_code(ref: RayRef) -> str:
    return (lib.ray_err_code(ref.ptr) or b"").decode()


def error_exception(ref: RayRef, local=False):
    """The exception for an error object: the mapped class (server) or
    RayforceEvaluationError (local, with the thread's message text)."""
    code = error_code(ref)
    if local:
        from .errors import RayforceEvaluationError
        msg = lib.ray_error_msg()
        text = msg.decode("utf-8", "replace") if msg else ""
        return RayforceEvaluationError(f"{code}: {text}" if text else code, code=code)
    return from_code(code)


def eval_text(source: str) -> RayRef:
    """Evaluates Rayfall text in this process's global environment."""
    _lib.ensure_runtime()
    p = lib.ray_eval_str(source.encode())
    if not p:
        return None
    ref = RayRef(p)
    if ref.type == RAY_ERROR:
        raise error_exception(ref, local=True)
    return ref
