"""Child entries for the console.ipc tests (importable by a spawned child; no Qt)."""

from __future__ import annotations

import importlib
import os
import sys
import time
from multiprocessing.connection import Connection

from console.errors import Cancelled
from console.ipc import Flags, Kind, Send, serve


def _echo(request: object, flags: Flags, send: Send) -> object:
    """Answer ``("pid",)`` with the pid, ``("wait", n)`` by waiting for cancel/stop, ``("paused",)`` by
    holding while paused, anything else with itself."""
    if request == ("pid",):
        return os.getpid()
    if isinstance(request, tuple) and request[0] == "wait":
        send("progress", "waiting")  # the old string keys still arrive as a Kind
        for _ in range(int(request[1])):
            if flags.cancel.is_set():
                raise Cancelled
            if flags.stop.is_set():
                return "stopped early"
            time.sleep(0.02)
        return "waited"
    if isinstance(request, tuple) and request[0] == "paused":
        send(Kind.EXCHANGE, flags.pause.is_set())
        while flags.pause.is_set():  # holds until unpaused (ignores cancel)
            time.sleep(0.02)
        return "resumed"
    send(Kind.PROGRESS, 1)
    return request


def echo_child(conn: Connection, flags: Flags) -> None:
    serve(conn, flags, _echo)


def _qt_modules(request: object, flags: Flags, send: Send) -> object:
    before = sorted(m for m in sys.modules if m.split(".")[0] == "PySide6")
    assert isinstance(request, list)
    for name in request:
        importlib.import_module(name)
    after = sorted(m for m in sys.modules if m.split(".")[0] == "PySide6")
    return before, after


def qt_probe_child(conn: Connection, flags: Flags) -> None:
    """Answers a list of module names: imports them, returns the PySide6 modules loaded (before, after)."""
    serve(conn, flags, _qt_modules)


def dying_child(conn: Connection, flags: Flags) -> None:
    conn.recv()
    os._exit(3)
