"""Contact-list builder page (issue 6); it lives in :mod:`console.ui.builder.page`."""

from __future__ import annotations

from console.ui.builder.page import BuilderPage

__all__ = ["BuilderPage"]
