"""Test call page (issue 8); it lives in :mod:`console.ui.call.page`."""

from __future__ import annotations

from console.ui.call.page import CallPage

__all__ = ["CallPage"]
