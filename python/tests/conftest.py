"""Fixtures: a librayforce-rs server on a free 127.0.0.1 port, stopped after the test."""
import os
import socket
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# RAYFORCE_TEST_INSTALLED=1: test the pip-installed package, not the source tree.
INSTALLED = os.environ.get("RAYFORCE_TEST_INSTALLED") == "1"
PATH_SETUP = "" if INSTALLED else f"import sys; sys.path.insert(0, {os.path.join(REPO, 'python')!r}); "
if not INSTALLED:
    sys.path.insert(0, os.path.join(REPO, "python"))
BIN = os.environ.get("RAYFORCE_BIN", os.path.join(REPO, "target", "release", "rayforce"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, deadline_s=10.0):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start listening")


def start(cmd, port):
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, proc)
    except Exception:
        proc.kill()
        proc.wait()
        raise
    return proc


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def server():
    if not os.path.exists(BIN):
        pytest.fail(f"server binary missing: {BIN} (run make)")
    port = free_port()
    proc = start([BIN, "-p", str(port)], port)
    yield port
    stop(proc)


INIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "init.rfl")


@pytest.fixture
def port():
    """A fresh server (python.md §7 setup: trades, quotes, book) per test; its port."""
    if not os.path.exists(BIN):
        pytest.fail(f"server binary missing: {BIN} (run make)")
    p = free_port()
    proc = start([BIN, "-p", str(p), INIT], p)
    yield p
    stop(proc)


@pytest.fixture
def auth_server():
    port = free_port()
    proc = start([BIN, "-p", str(port), "-u", "secret"], port)
    yield port
    stop(proc)


@pytest.fixture
def python_server():
    """TCPServer running in a separate Python process."""
    port = free_port()
    code = f"{PATH_SETUP}from rayforce import TCPServer; TCPServer(port={port}).listen()"
    proc = start([sys.executable, "-c", code], port)
    yield port
    stop(proc)
