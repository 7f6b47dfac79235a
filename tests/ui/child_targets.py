"""Child-process entries for the ChildProcessWorker tests (importable by a spawned child; no Qt)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

from console.errors import Cancelled
from console.ipc import Flags, Kind, Send, serve


def _square(n: int) -> int:
    return n * n


def _pool_work(request: object, flags: Flags, send: Send) -> object:
    assert isinstance(request, int)
    send(Kind.EXCHANGE, "starting")
    with ProcessPoolExecutor(max_workers=2) as pool:  # a daemonic child could not do this
        out = []
        for k, v in enumerate(pool.map(_square, range(request))):
            out.append(v)
            send(Kind.PROGRESS, (k + 1, request))
    return out


def pool_child(conn: Connection, flags: Flags) -> None:
    serve(conn, flags, _pool_work)


def _until_cancelled(request: object, flags: Flags, send: Send) -> object:
    marker = Path(str(request))
    marker.write_text(str(os.getpid()))
    send(Kind.PROGRESS, "waiting")
    for _ in range(600):
        if flags.cancel.is_set():
            marker.write_text("stopped")
            raise Cancelled
        time.sleep(0.05)
    return "never cancelled"


def waiting_child(conn: Connection, flags: Flags) -> None:
    serve(conn, flags, _until_cancelled)


def dying_child(conn: Connection, flags: Flags) -> None:
    conn.recv()
    os._exit(3)


def _fail(request: object, flags: Flags, send: Send) -> object:
    raise ValueError(f"bad request {request!r}")


def failing_child(conn: Connection, flags: Flags) -> None:
    serve(conn, flags, _fail)
