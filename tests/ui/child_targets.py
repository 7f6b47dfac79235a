"""Child-process entries for the ChildProcessWorker tests (importable by a spawned child; no Qt)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from ctypes import c_bool
from multiprocessing.connection import Connection
from pathlib import Path

from console.ui.preview.child import ChildCancelled, serve


def _square(n: int) -> int:
    return n * n


def _pool_work(request: object, cancel: threading.Event, send: Callable[[str, object], None]) -> object:
    assert isinstance(request, int)
    send("note", "starting")
    with ProcessPoolExecutor(max_workers=2) as pool:  # a daemonic child could not do this
        out = []
        for k, v in enumerate(pool.map(_square, range(request))):
            out.append(v)
            send("progress", (k + 1, request))
    return out


def pool_child(conn: Connection, cancel_flag: c_bool) -> None:
    serve(conn, cancel_flag, _pool_work)


def _until_cancelled(request: object, cancel: threading.Event, send: Callable[[str, object], None]) -> object:
    marker = Path(str(request))
    marker.write_text(str(os.getpid()))
    send("progress", "waiting")
    for _ in range(600):
        if cancel.is_set():
            marker.write_text("stopped")
            raise ChildCancelled
        time.sleep(0.05)
    return "never cancelled"


def waiting_child(conn: Connection, cancel_flag: c_bool) -> None:
    serve(conn, cancel_flag, _until_cancelled)


def dying_child(conn: Connection, cancel_flag: c_bool) -> None:
    conn.recv()
    os._exit(3)


def _fail(request: object, cancel: threading.Event, send: Callable[[str, object], None]) -> object:
    raise ValueError(f"bad request {request!r}")


def failing_child(conn: Connection, cancel_flag: c_bool) -> None:
    serve(conn, cancel_flag, _fail)
