"""IPC networking: TCPClient, TCPServer (also importable from rayforce.network.tcp)."""
from .tcp import TCPClient, TCPServer

__all__ = ["TCPClient", "TCPServer"]
