"""The Python package against our server, over the C ABI."""
import threading
import time

import pytest

from rayforce import RayforceError, RayforceTCPError, RayforceTypeError, TCPClient, TCPServer


def test_execute_returns_wrappers_with_python_values(server):
    with TCPClient(host="127.0.0.1", port=server) as c:
        r = c.execute("(+ 1 2)")
        assert str(r) == "3"
        assert r.to_python() == 3
        assert c.execute("[1 2 3]").to_list() == [1, 2, 3]
        assert c.execute("[a b]").to_list() == ["a", "b"]


def test_repr_shows_liveness_and_close_is_idempotent(server):
    c = TCPClient(host="localhost", port=server)
    assert repr(c) == f"TCPClient(localhost:{server}) - alive: True"
    c.close()
    c.close()
    assert repr(c) == f"TCPClient(localhost:{server}) - alive: False"
    with pytest.raises(RayforceTCPError):
        c.execute("1")


def test_server_errors_raise_with_their_code(server):
    with TCPClient(host="127.0.0.1", port=server) as c:
        with pytest.raises(RayforceTypeError) as e:
            c.execute("(+ 1 \"a\")")
        assert e.value.code == "type"
        # the connection survives a server-side error
        assert c.execute("(* 6 7)").to_python() == 42


def test_numeric_vectors_reach_python_without_a_copy(server):
    with TCPClient(host="127.0.0.1", port=server) as c:
        v = c.execute("(til 1000)")
        m = v.buffer()
        assert v._raw is None  # nothing was decoded into Python objects
        assert m.format == "q"
        assert len(m) == 1000 and m[999] == 999
        # the view aliases the vector's own storage: same address
        import ctypes
        arr = (ctypes.c_int64 * 1).from_buffer(m.cast("B"))
        assert ctypes.addressof(arr) == v._ref.data_address()


def test_connection_failures_raise_tcp_errors():
    from conftest import free_port
    with pytest.raises(RayforceTCPError):
        TCPClient(host="127.0.0.1", port=free_port(), timeout_ms=500)


def test_auth_is_required_and_checked(auth_server):
    with pytest.raises(RayforceTCPError, match="required"):
        TCPClient(host="127.0.0.1", port=auth_server)
    with pytest.raises(RuntimeError, match="failed"):
        TCPClient(host="127.0.0.1", port=auth_server, user="u", password="wrong")
    with TCPClient(host="127.0.0.1", port=auth_server, user="u", password="secret") as c:
        assert c.execute("(+ 2 2)").to_python() == 4


def test_tcp_server_repr_and_serving_from_python(python_server):
    assert repr(TCPServer(port=5000)) == "TCPServer(port=5000)"
    with TCPClient(host="127.0.0.1", port=python_server) as c:
        assert str(c.execute("(+ 1 2)")) == "3"


def test_cancel_from_another_thread_stops_a_running_query(server):
    endless = "(count (map (fn [i] (sum (map (fn [x] x) (til 1000)))) (til 100000)))"
    with TCPClient(host="127.0.0.1", port=server) as c:
        outcome = {}

        def run():
            try:
                c.execute(endless)
                outcome["r"] = "finished"
            except RayforceError as e:
                outcome["r"] = e.code

        t = threading.Thread(target=run)
        t.start()
        time.sleep(0.3)
        c.cancel()
        t.join(20)
        assert outcome.get("r") == "cancel"
        assert c.execute("(+ 1 2)").to_python() == 3
    with pytest.raises(RayforceTCPError):
        c.cancel()


def test_the_package_under_test_and_its_library():
    import os

    import rayforce
    from rayforce import _lib
    from conftest import INSTALLED, REPO
    here = os.path.abspath(rayforce.__file__)
    if INSTALLED:  # make pytest-venv: the pip-installed copy with its bundled library
        assert not here.startswith(os.path.join(REPO, "python") + os.sep), here
        assert _lib.lib_path == os.path.join(os.path.dirname(here), "lib", "librayforce.so")
    else:
        assert here.startswith(os.path.join(REPO, "python") + os.sep), here
    assert _lib.lib.ray_version_major() == 2


def test_execute_waits_past_the_connect_timeout_and_request_timeouts_are_opt_in(server):
    slow = "(count (map (fn [i] (sum (map (fn [x] x) (til 1000)))) (til 1000)))"  # ~0.7 s here
    with TCPClient(host="127.0.0.1", port=server, timeout_ms=50) as c:
        t = time.monotonic()
        assert c.execute(slow) == 1000
        assert time.monotonic() - t > 0.05
    endless = "(count (map (fn [i] (sum (map (fn [x] x) (til 1000)))) (til 100000)))"
    with TCPClient(host="127.0.0.1", port=server, request_timeout_ms=200) as c:
        t = time.monotonic()
        with pytest.raises(RayforceTCPError):
            c.execute(endless)
        assert time.monotonic() - t < 10
