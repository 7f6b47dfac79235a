"""The preview page's validation child entry (no Qt here); the mechanics live in :mod:`console.ipc`."""

from __future__ import annotations

import os
from typing import Any

from console.ipc import Flags, Send, serve
from console.ui.preview.checking import validate_in_child

__all__ = ["run_validation_child"]


def _validate(request: object, flags: Flags, send: Send) -> object:
    return validate_in_child(request, flags.cancel, send, flags.stop)


def run_validation_child(conn: Any, flags: Flags) -> None:
    """Entry of the long-lived validation child (:class:`~console.ui.preview.workers.ValidationService`).

    Checks one :class:`~console.ui.preview.checking.ValidationRequest` after another
    (:func:`console.ipc.serve`). It runs at a lower CPU priority (it and the worker processes it
    forks), so on a busy machine the GUI's process gets the CPU first; modules, phone patterns
    and row scanners stay loaded between checks, so a small file is checked in tens of
    milliseconds.
    """
    if hasattr(os, "nice"):
        os.nice(5)
    serve(conn, flags, _validate)
