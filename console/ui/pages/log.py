"""API log & errors page: the session's exchanges (see :mod:`console.ui.api_log`)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from console.ui.api_log import ApiLogWidget
from console.ui.pages import PageContext


class LogPage(QWidget):
    """Hosts the :class:`ApiLogWidget` for the session's log."""

    title = "API log & errors"

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.log_widget = ApiLogWidget(context.log_model, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.log_widget)
