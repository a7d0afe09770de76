"""orgtui in a real terminal (a pty), for the tests and the benchmarks: `spawn` starts
Python in a new pty of a given size; `Terminal` keeps everything the process writes while
a test types keys and signals it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from typing import IO, Any

LEAVE_ALT_SCREEN = b"\x1b[?1049l"


def spawn(
    argv: list[str],
    *,
    size: tuple[int, int] = (30, 100),
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    stderr: int | IO[Any] | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start `python argv...` in a new pty of `size` (rows, columns), in a session of its
    own (as a login shell's child is), with TERM=xterm-256color and the size in COLUMNS
    and LINES. `stderr` goes to the terminal unless given. Returns the process and the
    pty's master descriptor, which the caller reads and closes."""
    rows, cols = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {
        **(os.environ if env is None else env),
        "TERM": "xterm-256color",
        "COLUMNS": str(cols),
        "LINES": str(rows),
    }
    proc = subprocess.Popen(
        [sys.executable, *argv],
        stdin=slave,
        stdout=slave,
        stderr=slave if stderr is None else stderr,
        env=env,
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


class Terminal:
    """orgtui in a pty (100x30 unless `size` says rows, columns); everything it prints is
    kept in `output`."""

    def __init__(self, *args: str, size: tuple[int, int] = (30, 100)) -> None:
        self.proc, master = spawn(["-m", "orgtui", *args], size=size)
        self.master = master
        self.output = bytearray()
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Reads only while `_closing` is clear, and the master is closed only after this
        # thread ended: a read on a closed descriptor's number would take whatever the
        # process opened next under it (the fault server's next connection, whose request
        # it would swallow, leaving the server and orgtui waiting on each other).
        while not self._closing.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def _close_master(self) -> None:
        if self._closing.is_set():
            return  # closed once: its number may name another descriptor by now
        self._closing.set()
        self._reader.join(5)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def shows(self, text: str, since: int = 0) -> bool:
        """Whether the process has written `text` (after byte `since` of the output): a
        piece of the screen drawn in one style, such as a dialog's placeholder."""
        return text.encode() in self.output[since:]

    def type(self, keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.03)

    def hang_up(self) -> None:
        """The terminal closes (its window shut, the ssh connection lost)."""
        self._close_master()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(5)  # the process is gone: the reader drains to the end
        self._close_master()


def until(condition: Callable[[], bool], limit: float, what: str) -> None:
    """Wait (polling) until `condition()` holds, at most `limit` seconds."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
