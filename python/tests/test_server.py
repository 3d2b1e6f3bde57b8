"""TCPServer's checks: bind failure (dual class), stop() from a signal
handler, port validation; rayforce.types.table's query classes."""
import subprocess
import sys

from conftest import PATH_SETUP, free_port, wait_listening


def run_python(code, timeout=20):
    return subprocess.run([sys.executable, "-c", PATH_SETUP + code], capture_output=True, text=True, timeout=timeout)


def test_bind_failure_raises_the_dual_class(server):
    r = run_python(f"""
from rayforce import TCPServer, errors
try:
    TCPServer({server}).listen()
except errors.RayforceTCPError as e:
    assert isinstance(e, RuntimeError), type(e)
    print("refused:", e)
""")
    assert r.returncode == 0, r.stderr
    assert f"ipc: server bind on :{server} failed" in r.stdout


def test_stop_from_a_signal_handler_ends_listen():
    p = free_port()
    code = f"""
import signal
from rayforce import TCPServer
s = TCPServer({p})
signal.signal(signal.SIGTERM, lambda *a: s.stop())
s.listen(poll_interval_ms=50)
print("stopped cleanly", flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", PATH_SETUP + code], stdout=subprocess.PIPE, text=True)
    try:
        wait_listening(p, proc)
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0 and "stopped cleanly" in out
    finally:
        if proc.poll() is None:
            proc.kill()


def test_query_classes_import_from_types_table():
    from rayforce.types.table import (AsofJoin, InnerJoin, InsertQuery, LeftJoin, SelectQuery, UpdateQuery,
                                      UpsertQuery, WindowJoin, WindowJoin1)
    from rayforce import Table
    assert isinstance(Table("t").select("a"), SelectQuery)
    assert isinstance(Table("t").left_join(Table("u"), on="a"), LeftJoin)
    assert issubclass(WindowJoin1, WindowJoin)
    assert {InnerJoin, AsofJoin, InsertQuery, UpdateQuery, UpsertQuery}
    from rayforce.network.tcp import TCPClient, TCPServer  # noqa: F401
