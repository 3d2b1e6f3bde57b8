"""Python bindings for librayforce (RayforceDB v2 C API) over ctypes.

    from rayforce import TCPClient
    with TCPClient(host="localhost", port=5000) as c:
        print(c.execute("(+ 1 2)"))   # 3
"""
from .client import TCPClient
from .errors import RayforceError, RayforceEvalError, RayforceTCPError
from .server import TCPServer
from .types import RayObject

__all__ = ["TCPClient", "TCPServer", "RayObject", "RayforceError", "RayforceTCPError", "RayforceEvalError"]
