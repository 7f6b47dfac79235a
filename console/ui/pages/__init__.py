"""The pages of the main window's navigation, one module each so each can be replaced alone.

Contract for a page module (see ``builder.py``, ``preview.py``, ``call.py``, ``log.py``):
a ``QWidget`` subclass whose constructor is ``Page(context: PageContext, parent=None)``.
The CSV preview page also has ``open_csv(path: Path) -> None`` (used by File > Open and by
dropping a CSV on the window). Pages run network and file work with their own
``WorkerController(self, sink=context.sink, ...)`` and get clients from
``context.session.new_client(cancel=worker.cancel_event)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from console.ui.api_log import ApiLogModel
    from console.ui.errors import ErrorSink
    from console.ui.session import SessionController


@dataclass(frozen=True)
class PageContext:
    """What every page gets from the main window.

    Attributes:
        session: The active connection (profile, clients, signed-in user).
        sink: The app's error sink.
        log_model: The session's API log.
    """

    session: SessionController
    sink: ErrorSink
    log_model: ApiLogModel


class ComingPage(QWidget):
    """Placeholder page for a job another issue builds: a title and "coming"."""

    title = ""
    blurb = ""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        heading = QLabel(f"<h2>{self.title}</h2>")
        self.message = QLabel(f"{self.blurb}<br><br><i>Coming in a later version.</i>")
        self.message.setWordWrap(True)
        self.message.setObjectName("comingLabel")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
