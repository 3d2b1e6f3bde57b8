"""TCPClient: a connection to a RayforceDB (or librayforce-rs) server."""
from . import _lib
from ._lib import lib
from .errors import RayforceEvalError, RayforceTCPError
from .types import RayObject

_CONNECT_ERRORS = {
    -1: "connection refused or failed",
    -2: "authentication required",
    -3: "authentication failed",
    -4: "wire version mismatch",
    -5: "connect timed out",
}


class TCPClient:
    """``TCPClient(host="localhost", port=5000, user=None, password=None, timeout_ms=5000)``.

    ``execute(query)`` sends a Rayfall string and returns the server's value as a
    ``RayObject`` (``str()`` of it is the REPL's text). Errors raise
    ``RayforceEvalError`` (server error object) or ``RayforceTCPError``
    (transport). Usable as a context manager; ``close()`` is idempotent.
    """

    def __init__(self, host="localhost", port=5000, user=None, password=None, timeout_ms=5000):
        _lib.ensure_runtime()
        self.host, self.port = host, port
        h = lib.ray_ipc_connect(
            host.encode(), port,
            user.encode() if user else None,
            password.encode() if password is not None else None,
            int(timeout_ms),
        )
        if h < 0:
            raise RayforceTCPError(f"{host}:{port}: {_CONNECT_ERRORS.get(h, 'error')} ({h})")
        self._handle = h

    @property
    def alive(self) -> bool:
        return self._handle is not None

    def execute(self, query: str) -> RayObject:
        if self._handle is None:
            raise RayforceTCPError("connection is closed")
        data = query.encode()
        msg = lib.ray_str(data, len(data))
        try:
            res = lib.ray_ipc_send(self._handle, msg)
        finally:
            lib.ray_release(msg)
        if not res:
            raise RayforceTCPError("no reply")
        obj = RayObject(res)
        if obj.type == _lib.RAY_ERROR:
            code = (lib.ray_err_code(res) or b"").decode()
            if code == "io":
                self.close()
                raise RayforceTCPError("connection lost (io)")
            raise RayforceEvalError(code)
        return obj

    def cancel(self):
        """Asks the server to cancel the query this connection waits for.

        Call it from another thread: the ``execute`` waiting there raises
        ``RayforceEvalError`` with code ``cancel``; the connection stays usable.
        """
        h = self._handle
        if h is None or lib.ray_ipc_cancel(h) != 0:
            raise RayforceTCPError("connection is closed")

    def close(self):
        h, self._handle = getattr(self, "_handle", None), None
        if h is not None:
            lib.ray_ipc_close(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        self.close()

    def __repr__(self):
        return f"TCPClient({self.host}:{self.port}) - alive: {self.alive}"
