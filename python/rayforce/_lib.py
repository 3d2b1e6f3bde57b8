"""Loads librayforce.so through ctypes and declares the C signatures used.

The library is looked up in $RAYFORCE_LIB, then in a copy bundled with the
package (rayforce/lib/, put there by a wheel build), then in target/release/ of
the repository this package sits in, then by the system loader. No compiler
is needed: everything goes through the stable C ABI of rayforce.h.
"""
import ctypes
import os
import threading

from .errors import RayforceLibraryError

RAY_ATTR_SLICE = 0x10
RAY_ERROR = 127
RAY_NULL = 126


class RayT(ctypes.Structure):
    """The 32-byte ray_t header (offsets as in rayforce.h)."""

    _fields_ = [
        ("aux", ctypes.c_uint8 * 16),
        ("mmod", ctypes.c_uint8),
        ("order", ctypes.c_uint8),
        ("type", ctypes.c_int8),
        ("attrs", ctypes.c_uint8),
        ("rc", ctypes.c_uint32),
        ("val", ctypes.c_int64),
    ]


assert ctypes.sizeof(RayT) == 32

P = ctypes.POINTER(RayT)


def _candidates():
    env = os.environ.get("RAYFORCE_LIB")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "lib", "librayforce.so")
    repo = os.path.dirname(os.path.dirname(here))
    yield os.path.join(repo, "target", "release", "librayforce.so")
    yield "librayforce.so.2"
    yield "librayforce.so"


lib_path = None  # where librayforce was loaded from


def _load():
    global lib_path
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            lib_path = path
            return lib
        except OSError as e:  # try the next place
            errors.append(f"{path}: {e}")
    raise RayforceLibraryError("cannot load librayforce.so (set RAYFORCE_LIB): " + "; ".join(errors))


lib = _load()

_SIGS = {
    "ray_runtime_create": (ctypes.c_void_p, [ctypes.c_int, ctypes.c_void_p]),
    "ray_runtime_destroy": (None, [ctypes.c_void_p]),
    "ray_ipc_connect": (ctypes.c_int64, [ctypes.c_char_p, ctypes.c_uint16, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]),
    "ray_ipc_close": (None, [ctypes.c_int64]),
    "ray_ipc_cancel": (ctypes.c_int, [ctypes.c_int64]),
    "ray_ipc_set_timeout": (ctypes.c_int, [ctypes.c_int64, ctypes.c_int64]),
    "ray_ipc_send": (P, [ctypes.c_int64, P]),
    "ray_ipc_send_async": (ctypes.c_int, [ctypes.c_int64, P]),
    "ray_ipc_listen": (ctypes.c_int64, [ctypes.c_void_p, ctypes.c_uint16]),
    "ray_poll_create": (ctypes.c_void_p, []),
    "ray_poll_destroy": (None, [ctypes.c_void_p]),
    "ray_poll_run_for": (ctypes.c_int64, [ctypes.c_void_p, ctypes.c_int]),
    "ray_poll_exit": (None, [ctypes.c_void_p, ctypes.c_int64]),
    "ray_runtime_set_poll": (None, [ctypes.c_void_p]),
    "ray_str": (P, [ctypes.c_char_p, ctypes.c_size_t]),
    "ray_str_ptr": (ctypes.c_void_p, [P]),
    "ray_str_len": (ctypes.c_size_t, [P]),
    "ray_fmt": (P, [P, ctypes.c_int]),
    "ray_release": (None, [P]),
    "ray_error_free": (None, [P]),
    "ray_err_code": (ctypes.c_char_p, [P]),
    "ray_data_slice_path": (ctypes.c_void_p, [P]),
    "ray_sym_str": (P, [ctypes.c_int64]),
    "ray_eval_str": (P, [ctypes.c_char_p]),
    "ray_error_msg": (ctypes.c_char_p, []),
    "ray_retain": (None, [P]),
    "ray_obj_type": (ctypes.c_int8, [P]),
    "ray_serde_size": (ctypes.c_int64, [P]),
    "ray_ser_raw": (ctypes.c_int64, [ctypes.c_void_p, P]),
    "ray_de_raw": (P, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64)]),
    "ray_list_get": (P, [P, ctypes.c_int64]),
    "ray_dict_keys": (P, [P]),
    "ray_dict_vals": (P, [P]),
    "ray_table_ncols": (ctypes.c_int64, [P]),
    "ray_table_col_name": (ctypes.c_int64, [P, ctypes.c_int64]),
    "ray_table_get_col_idx": (P, [P, ctypes.c_int64]),
    "ray_ipc_listen_port": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int64]),
}

for _name, (_res, _args) in _SIGS.items():
    _fn = getattr(lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args

_runtime = None
_runtime_lock = threading.Lock()


def ensure_runtime():
    """Creates the process's single runtime on first use (never destroyed
    while the interpreter runs: objects handed out stay valid)."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = lib.ray_runtime_create(0, None)
            if not _runtime:
                raise RayforceLibraryError("ray_runtime_create failed")
    return _runtime
