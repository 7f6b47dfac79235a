"""The preview page's validation child entry (no Qt here); the mechanics live in :mod:`console.ipc`.

``ChildCancelled``, ``SharedFlagEvent``, ``portable`` and ``serve`` are kept for the modules that
still import them from here (``console.ui.preview.analysis``): ``ChildCancelled`` is
:class:`console.errors.Cancelled`; new code imports :mod:`console.ipc` and :mod:`console.errors`.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from console.errors import Cancelled
from console.ipc import Flags, Send, portable, serve

__all__ = ["ChildCancelled", "SharedFlagEvent", "portable", "run_validation_child", "serve"]

ChildCancelled = Cancelled
"""Old name of :class:`console.errors.Cancelled` (kept for ``console.ui.preview.analysis``)."""


class SharedFlagEvent(threading.Event):
    """Old cancel event over a raw shared ``c_bool`` (kept for ``analysis.run_validation_service``, unused).

    Use :class:`console.ipc.SharedFlag`, which crosses to the child by itself.
    """

    def __init__(self, flag: Any) -> None:
        super().__init__()
        self._shared = flag
        self._parent = os.getppid()

    def is_set(self) -> bool:
        """True once set here or by the parent, or once the parent is gone."""
        return super().is_set() or bool(self._shared.value) or os.getppid() != self._parent


def _validate(request: object, flags: Flags, send: Send) -> object:
    # imported here: analysis imports this module for the names above
    from console.ui.preview.analysis import validate_in_child

    return validate_in_child(request, flags.cancel, send, flags.stop)


def run_validation_child(conn: Any, flags: Flags) -> None:
    """Entry of the long-lived validation child (:class:`~console.ui.preview.workers.ValidationService`).

    Checks one :class:`~console.ui.preview.analysis.ValidationRequest` after another
    (:func:`console.ipc.serve`). It runs at a lower CPU priority (it and the worker processes it
    forks), so on a busy machine the GUI's process gets the CPU first; modules, phone patterns
    and row scanners stay loaded between checks, so a small file is checked in tens of
    milliseconds.
    """
    if hasattr(os, "nice"):
        os.nice(5)
    serve(conn, flags, _validate)
