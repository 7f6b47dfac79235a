"""The child side: :func:`serve` answers the parent's requests (see :mod:`console.ipc`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from multiprocessing.connection import Connection

from console.errors import Cancelled
from console.ipc.flags import Flags
from console.ipc.protocol import Kind, portable

__all__ = ["Send", "Work", "serve"]

Send = Callable[[Kind | str, object], None]
"""``send(kind, payload)``: a message to the parent (``Kind.PROGRESS``, ``Kind.EXCHANGE``)."""

Work = Callable[[object, Flags, Send], object]
"""``work(request, flags, send)``: one request's work; raises :class:`~console.errors.Cancelled`."""


def serve(conn: Connection, flags: Flags, work: Work) -> None:
    """Answer requests with ``work`` until the parent sends None, closes the pipe or is gone; closes ``conn``.

    Each answer ends with ``(Kind.RESULT, value)``, ``(Kind.CANCELLED, None)`` (``work`` raised
    :class:`~console.errors.Cancelled`) or ``(Kind.ERROR, exception)``. The parent clears
    ``flags.cancel`` and ``flags.stop`` before each request.
    """

    def send(kind: Kind | str, payload: object) -> None:
        conn.send((Kind(kind), payload))

    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                break  # the parent is gone
            if request is None:
                break
            try:
                answer: tuple[Kind, object] = (Kind.RESULT, work(request, flags, send))
            except Cancelled:
                answer = (Kind.CANCELLED, None)
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the parent
                answer = (Kind.ERROR, portable(exc))
            try:
                conn.send(answer)
            except OSError:
                break  # the parent is gone
    finally:
        with contextlib.suppress(OSError):
            conn.close()
