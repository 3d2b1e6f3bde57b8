"""The `rayforce` REPL in a real pseudo-terminal, as a user meets it: line
editing with the history file under $HOME, multi-line input, Ctrl-C
cancelling a running evaluation, Ctrl-D exiting 0."""
import os
import pty
import re
import select
import signal
import time

import pytest

from conftest import BIN

PROMPT = "‣ ".encode()
# Runs for minutes unless cancelled (a lambda per element keeps the
# evaluator's cancel checks busy).
LONG = b"(count (map (fn [x] (sum (til 100000))) (til 1000000)))\r"


class Term:
    def __init__(self, home, **extra_env):
        env = dict(os.environ, HOME=str(home), TERM="xterm", **extra_env)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the REPL
            os.execve(BIN, [BIN], env)
        self.out = b""

    def expect(self, needle, timeout=20.0):
        """Reads until `needle` appears after what was already consumed."""
        end = time.monotonic() + timeout
        while needle not in self.out:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {needle!r} within {timeout}s; got {self.out[-400:]!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"terminal closed before {needle!r}; got {self.out[-400:]!r}")
                self.out += chunk
        at = self.out.index(needle) + len(needle)
        seen, self.out = self.out[:at], self.out[at:]
        return seen

    def send(self, data):
        os.write(self.fd, data)

    def wait_exit(self, timeout=20.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:  # keep draining so the child never blocks on output
                if select.select([self.fd], [], [], 0.05)[0]:
                    os.read(self.fd, 4096)
            except OSError:
                pass
        raise AssertionError("the REPL did not exit")

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


@pytest.fixture
def term(tmp_path):
    if not os.path.exists(BIN):
        pytest.fail(f"binary missing: {BIN} (run make)")
    t = Term(tmp_path)
    yield t
    t.kill()


def test_repl_evaluates_cancels_and_exits(term, tmp_path):
    term.expect(PROMPT)
    term.send(b"(* 6 7)\r")
    assert b"42\r\n" in term.expect(PROMPT)

    # An unbalanced form continues on the next line.
    term.send(b"(+ 1\r")
    term.expect("… ".encode())
    term.send(b"2)\r")
    assert b"3\r\n" in term.expect(PROMPT)

    # Ctrl-C during a long evaluation: the prompt comes back, the REPL lives.
    term.send(LONG)
    time.sleep(1.0)
    started = time.monotonic()
    term.send(b"\x03")
    term.expect(PROMPT, timeout=10)
    assert time.monotonic() - started < 10
    term.send(b"(+ 5 5)\r")
    assert b"10\r\n" in term.expect(PROMPT)

    # Ctrl-C at the prompt drops the line; Ctrl-D exits 0.
    term.send(b"(+ 1 \x03")
    term.expect(PROMPT)
    term.send(b"\x04")
    assert term.wait_exit() == 0

    history = (tmp_path / ".rayforce_history").read_text()
    assert "(* 6 7)" in history and "(+ 5 5)" in history


def test_exit_with_a_code_from_the_terminal(term):
    term.expect(PROMPT)
    term.send(b"(exit 3)\r")
    assert term.wait_exit() == 3


def test_ctrl_c_cancels_a_remote_query(term, server):
    """The REPL as a client: Ctrl-C while `.ipc.send` waits cancels the
    query on the server (the client sends its cancel byte); the connection
    stays usable."""
    term.expect(PROMPT)
    term.send(b'(set h (.ipc.open "127.0.0.1:%d"))\r' % server)
    term.expect(PROMPT)
    term.send(b'(.ipc.send h "' + LONG.rstrip(b"\r") + b'")\r')
    time.sleep(1.0)
    term.send(b"\x03")
    term.expect(PROMPT, timeout=10)
    term.send(b'(.ipc.send h "(* 6 7)")\r')
    assert b"42\r\n" in term.expect(PROMPT, timeout=10)
    term.send(b"\x04")
    assert term.wait_exit() == 0


def test_a_long_csv_load_shows_a_progress_line_then_erases_it(tmp_path):
    """In a terminal a CSV load reports its rows on one rewritten stderr
    line, erased when the load ends (the quiet half second before the
    first line is set to 0 here, so the test needs no large file)."""
    if not os.path.exists(BIN):
        pytest.fail(f"binary missing: {BIN} (run make)")
    rows = 400_000
    # A short path: the typed line stays narrower than the terminal.
    path = f"/tmp/rf{os.getpid()}.csv"
    with open(path, "w") as f:
        f.write("id,v\n")
        f.writelines(f"{i},{i % 97}.5\n" for i in range(rows))
    t = Term(tmp_path, RAYFORCE_PROGRESS_AFTER_MS="0")
    try:
        t.expect(PROMPT)
        t.send(b'(count (set big (.csv.read "%s")))\r' % path.encode())
        seen = t.expect(b"%d\r\n" % rows, timeout=60)
        lines = list(re.finditer(rb"\r\x1b\[Kcsv\.read [a-z]+: [\d,]+ / 400,000 rows \(\d+%\), [\d.]+ s", seen))
        assert lines, seen[-400:]
        # The last line drawn is erased before the answer is printed.
        assert seen[lines[-1].end():].startswith(b"\r\x1b[K"), seen[-400:]
        t.expect(PROMPT)
        t.send(b"\x04")
        assert t.wait_exit() == 0
    finally:
        t.kill()
        os.unlink(path)
