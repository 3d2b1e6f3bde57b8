"""TCPClient and TCPServer: IPC over librayforce's C API.

The client turns what ``execute`` accepts into one payload (a STR for text,
the built call of a query object), sends it and converts the reply; server
error codes raise the mapped class of errors.py.
"""

from .. import _lib, _ref
from .._lib import lib
from ..errors import RayforceConnectionError, RayforceTCPError, RayforceValueError
from ..types.containers import List
from ..types.convert import encode, ray_to_python
from ..types.scalars import String

_CONNECT_ERRORS = {
    -1: "connection refused or failed",
    -2: "authentication required",
    -3: "authentication failed",
    -4: "wire version mismatch",
    -5: "connect timed out",
}


def _check_port(port):
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise RayforceValueError(f"Invalid port: {port}. Must be between 1 and 65535")


def _payload(data):
    """The wire payload for what ``execute``/``send_async`` accept."""
    from ..plugins.sql import SQLQuery
    from ..types.operators import Expression
    from ..types.query import (AsofJoin, InnerJoin, InsertQuery, LeftJoin, SelectQuery, UpdateQuery,
                               UpsertQuery, WindowJoin)
    if isinstance(data, str):
        data = String(data)
    if isinstance(data, String):
        return encode(data)
    if isinstance(data, List):
        return encode(data)
    if isinstance(data, Expression):
        return encode(data._as_operand())
    if isinstance(data, (SelectQuery, UpdateQuery, InsertQuery, LeftJoin, InnerJoin, AsofJoin, WindowJoin,
                         SQLQuery)):
        if isinstance(data, SelectQuery) and data._ungroup:
            raise RayforceTCPError(f"Unsupported IPC data to send: {type(data)} (ungroup)")
        return encode(data.ipc)
    raise RayforceTCPError(f"Unsupported IPC data to send: {type(data)}")


class _ClosesOnExit:
    """Context manager: ``__exit__`` closes and lets exceptions propagate."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class TCPClient(_ClosesOnExit):
    """``TCPClient(host, port, *, user="", password="")``: one connection,
    opened at construction. ``execute(data)`` returns the reply's wrapper and
    waits as long as the server takes. Extensions: ``timeout_ms`` bounds the
    connect and handshake; ``request_timeout_ms`` bounds each reply wait."""

    def __init__(self, host="localhost", port=None, *, user="", password="", timeout_ms=5000,
                 request_timeout_ms=None):
        if port is None and isinstance(host, str) and ":" in host:
            host, _, p = host.rpartition(":")
            port = int(p) if p.isdigit() else p
        _check_port(port)
        _lib.ensure_runtime()
        self.host, self.port = host, port
        self._handle = None
        h = lib.ray_ipc_connect(host.encode(), port, user.encode() if user else None,
                                password.encode() if (user or password) else None, int(timeout_ms))
        if h < 0:
            raise RayforceConnectionError(f"ipc: connect to {host}:{port} failed: {_CONNECT_ERRORS.get(h, 'error')}")
        self._handle = h
        lib.ray_ipc_set_timeout(h, int(request_timeout_ms or 0))  # 0: wait forever

    @property
    def url(self) -> str:
        return f"{self.host}:{self.port}"

    def _live_handle(self):
        if self._handle is None:
            raise RayforceTCPError("Cannot use a closed connection")
        return self._handle

    def execute(self, data):
        payload = _payload(data)
        h = self._live_handle()
        msg = _ref.from_bytes(payload)
        res = lib.ray_ipc_send(h, msg.ptr)
        if not res:
            raise RayforceTCPError("no reply")
        reply = _ref.RayRef(res)
        if reply.type == _ref.RAY_ERROR:
            code = _ref.error_code(reply)
            if code == "io":
                raise RayforceTCPError("io: connection lost")
            raise _ref.error_exception(reply)
        if reply.type == 126:
            from ..types.scalars import Null
            return Null
        return ray_to_python(reply)

    def send_async(self, data):
        """Sends without waiting for a reply; returns None."""
        payload = _payload(data)
        h = self._live_handle()
        msg = _ref.from_bytes(payload)
        if lib.ray_ipc_send_async(h, msg.ptr) != 0:
            raise RayforceTCPError("io: send failed")

    def cancel(self):
        """Asks the server to cancel the query this connection waits for (call
        it from another thread; that ``execute`` raises code ``cancel``)."""
        h = self._handle
        if h is None or lib.ray_ipc_cancel(h) != 0:
            raise RayforceTCPError("Cannot cancel on a closed connection")

    def close(self):
        h, self._handle = getattr(self, "_handle", None), None
        if h is not None:
            lib.ray_ipc_close(h)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return f"TCPClient({self.host}:{self.port}) - alive: {self._handle is not None}"


class TCPServer(_ClosesOnExit):
    """``TCPServer(port)``: ``listen()`` serves this process's globals until
    ``stop()``, Ctrl-C (re-raised after the port is closed) or ``close()``."""

    def __init__(self, port=5000):
        _check_port(port)
        _lib.ensure_runtime()
        self.port = port
        self._poll = None
        self._stopping = False
        self._listening = False

    def listen(self, *, poll_interval_ms: int = 100):
        if self._listening:
            raise RayforceTCPError("Server already listening")
        poll = lib.ray_poll_create()
        if not poll:
            raise RayforceConnectionError("ipc: cannot create a poller")
        self._poll, self._listening, self._stopping = poll, True, False
        try:
            lid = lib.ray_ipc_listen(poll, self.port)
            if lid < 0:
                raise RayforceConnectionError(f"ipc: server bind on :{self.port} failed")
            print(f"Rayforce IPC Server listening on {self.port} (id:{lid})", flush=True)
            lib.ray_runtime_set_poll(poll)
            while not self._stopping:
                if lib.ray_poll_run_for(poll, int(poll_interval_ms)) != 0:
                    break
        finally:
            lib.ray_runtime_set_poll(None)
            lib.ray_poll_destroy(poll)
            self._poll, self._listening = None, False

    def stop(self):
        """Signal-safe: ``listen`` returns within one poll interval."""
        self._stopping = True

    def close(self):
        self._stopping = True

    def __del__(self):
        self._stopping = True

    def __repr__(self):
        return f"TCPServer(port={self.port})"


__all__ = ["TCPClient", "TCPServer"]
