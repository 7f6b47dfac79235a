"""Activity history page (issue 19); it lives in :mod:`console.ui.activity.page`."""

from __future__ import annotations

from console.ui.activity.page import ActivityPage

__all__ = ["ActivityPage"]
