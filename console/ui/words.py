"""Small wording helpers shared by the pages (pure, no Qt)."""

from __future__ import annotations

__all__ = ["plural"]


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``1 value``, ``2 values`` (``many``: an irregular plural, e.g. ``rows with errors``)."""
    return f"{n:,} {noun if n == 1 else many or noun + 's'}"
