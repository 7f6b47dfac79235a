"""The message kinds a child sends, and making an exception safe to send."""

from __future__ import annotations

import pickle
from enum import StrEnum

__all__ = ["Kind", "portable"]


class Kind(StrEnum):
    """What a ``(kind, payload)`` message from a child carries.

    A ``StrEnum``, so ``Kind("progress")`` accepts the old string keys at the one seam that
    still sends them (the child's ``send``).
    """

    PROGRESS = "progress"
    """A progress payload (re-emitted by the parent's relay)."""
    EXCHANGE = "exchange"
    """A side record for the parent (an API-log ``ExchangeRecord`` of the child's client)."""
    RESULT = "result"
    """End: the work's return value."""
    CANCELLED = "cancelled"
    """End: the work stopped on the cancel flag (payload None)."""
    ERROR = "error"
    """End: the exception the work raised (see :func:`portable`)."""


END_KINDS = frozenset({Kind.RESULT, Kind.CANCELLED, Kind.ERROR})


def portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling problem: send the text instead
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
