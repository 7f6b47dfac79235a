"""The CSV preview & upload page; it lives in :mod:`console.ui.preview` (controller: ``page.py``)."""

from __future__ import annotations

from console.ui.preview.page import PreviewPage

__all__ = ["PreviewPage"]
