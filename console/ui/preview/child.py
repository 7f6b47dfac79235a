"""The child-process side of :class:`~console.ui.workers.ChildProcessWorker` (no Qt here).

A child entry is called as ``entry(conn, cancel_flag, *args)``. :func:`serve` does the common
part: receive the request, run the work with a cancel event tied to the parent's shared flag,
and send ``("result", payload)``, ``("cancelled", None)`` or ``("error", exception)``.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from ctypes import c_bool
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["ChildCancelled", "SharedFlagEvent", "portable", "serve"]


class ChildCancelled(Exception):  # noqa: N818 - reads better at the raise site
    """Raised by child work that stopped on a cancel; :func:`serve` answers ``("cancelled", None)``."""


class SharedFlagEvent(threading.Event):
    """A cancel event that is also set when the parent sets the shared flag, or dies.

    Polling the flag in :meth:`is_set` needs no thread (so a child can still ``fork`` its own
    worker pool: ``fork`` is only safe single-threaded). The children are not daemonic (they
    start worker pools), so an orphaned child (its parent killed) stops on its own: it sees
    its parent process id change.
    """

    def __init__(self, flag: Any) -> None:
        super().__init__()
        self._shared = flag
        self._parent = os.getppid()

    def is_set(self) -> bool:
        """True once set here or by the parent, or once the parent is gone."""
        return super().is_set() or bool(self._shared.value) or os.getppid() != self._parent


def portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling problem: send the text instead
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def serve(
    conn: Connection,
    cancel_flag: c_bool,
    work: Callable[[object, SharedFlagEvent, Callable[[str, object], None]], object],
) -> None:
    """Receive one request, run ``work(request, cancel, send)``, send the end message, close.

    ``send(kind, payload)`` sends a message to the relay (``"progress"`` or another kind).
    """
    cancel = SharedFlagEvent(cancel_flag)

    def send(kind: str, payload: object) -> None:
        conn.send((kind, payload))

    try:
        request = conn.recv()
        conn.send(("result", work(request, cancel, send)))
    except ChildCancelled:
        conn.send(("cancelled", None))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the relay
        conn.send(("error", portable(exc)))
    finally:
        conn.close()
