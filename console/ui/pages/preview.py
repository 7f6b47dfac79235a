"""CSV preview & upload page (placeholder until the CSV-preview issue replaces this module)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from console.ui.pages import ComingPage, PageContext


class PreviewPage(ComingPage):
    """Preview, validate and upload a contact CSV. Coming; remembers the file it was asked to open."""

    title = "CSV preview & upload"
    blurb = "Open a contact CSV (File > Open or drop it on the window), check every row, upload it."

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.path: Path | None = None

    def open_csv(self, path: Path) -> None:
        """Show ``path`` (the real page previews it; this placeholder only names it)."""
        self.path = path
        self.message.setText(
            f"{self.blurb}<br><br>File: <b>{path.name}</b><br><i>Preview coming in a later version.</i>"
        )
