"""TCPServer: serve Rayfall over IPC from this Python process."""
from . import _lib
from ._lib import lib
from .errors import RayforceTCPError


class TCPServer:
    """``TCPServer(port=5000)``; ``listen()`` serves until interrupted (Ctrl-C)
    or until ``stop()`` is called from another thread."""

    def __init__(self, port=5000):
        _lib.ensure_runtime()
        self.port = port
        self._poll = None
        self._stopping = False

    def listen(self, tick_ms=100):
        poll = lib.ray_poll_create()
        if not poll:
            raise RayforceTCPError("ray_poll_create failed")
        self._poll = poll
        try:
            if lib.ray_ipc_listen(poll, self.port) < 0:
                raise RayforceTCPError(f"cannot listen on port {self.port}")
            lib.ray_runtime_set_poll(poll)
            # Short bounded waits so Python can deliver KeyboardInterrupt.
            while not self._stopping:
                if lib.ray_poll_run_for(poll, tick_ms) not in (0,):
                    break
        except KeyboardInterrupt:
            pass
        finally:
            lib.ray_runtime_set_poll(None)
            lib.ray_poll_destroy(poll)
            self._poll = None

    def stop(self):
        self._stopping = True

    def __repr__(self):
        return f"TCPServer(port={self.port})"
