"""Wiring the decoder into the main window (error bar, API log, Go menu)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QPushButton,
    QWidget,
)

from console.ui.errors import DecodedError, ErrorSink, decode_exchange


class _WindowHook(QObject):
    """GUI-thread glue between the main window's widgets and the sink's decoder."""

    def __init__(self, window: QObject, sink: ErrorSink) -> None:
        super().__init__(window)
        self.window = window
        self.sink = sink
        self.log_widget: Any = None
        self.log_button: QPushButton | None = None

    @Slot()
    def _on_decode_last(self) -> None:
        self.sink.open_decoder(self.sink.last)

    def _selected_decoded(self) -> DecodedError | None:
        if self.log_widget is None:
            return None
        entry = self.log_widget.current_entry()
        if entry is None:
            return None
        record = entry.record
        # the live error of that exchange has everything (the log redacts keys such as "code")
        if record.correlation_id:
            for decoded in reversed(self.sink.history):
                if decoded.correlation_id == record.correlation_id:
                    return decoded
        return decode_exchange(record)

    @Slot()
    def _on_log_decode(self) -> None:
        decoded = self._selected_decoded()
        if decoded is not None:
            self.sink.open_decoder(decoded)

    @Slot(QModelIndex)
    def _on_log_double_clicked(self, _index: QModelIndex) -> None:
        self._on_log_decode()

    @Slot(QModelIndex, QModelIndex)
    def _on_log_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        if self.log_button is not None:
            self.log_button.setEnabled(self._selected_decoded() is not None)


def attach_to_window(window: QObject, sink: ErrorSink) -> bool:
    """Make the decoder reachable from the main window; True when wired.

    Adds a "Decode…" button to the error bar, a "Decode error…" button (and double-click) to
    the API log, Go > Error decoder (Ctrl+Shift+D), and gives the sink a client factory for
    resends (the window's session).
    """
    hook = _WindowHook(window, sink)
    session = getattr(window, "session", None)
    if sink.client_factory is None and session is not None and hasattr(session, "new_client"):
        sink.client_factory = session.new_client
    bar = getattr(window, "error_bar", None)
    if isinstance(bar, QWidget) and isinstance(bar.layout(), QHBoxLayout):
        button = QPushButton("&Decode…")
        button.setObjectName("errorDecodeButton")
        button.setToolTip("Open the error decoder: cause, fix, request and resend (Ctrl+Shift+D)")
        button.clicked.connect(hook._on_decode_last)
        layout = bar.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.insertWidget(1, button)
    if isinstance(window, QWidget):
        action = QAction("Error &decoder…", window)
        action.setObjectName("errorDecoderAction")
        action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        action.triggered.connect(hook._on_decode_last)
        window.addAction(action)
        menu_bar = getattr(window, "menuBar", None)
        if callable(menu_bar):
            for menu_action in menu_bar().actions():
                menu = menu_action.menu()
                if isinstance(menu, QMenu) and menu_action.text().replace("&", "") == "Go":
                    menu.addSeparator()
                    menu.addAction(action)
    log_page = getattr(window, "log_page", None)
    log_widget = getattr(log_page, "log_widget", None)
    if log_widget is not None and hasattr(log_widget, "table") and hasattr(log_widget, "current_entry"):
        hook.log_widget = log_widget
        button = QPushButton("&Decode error…")
        button.setObjectName("apiLogDecodeButton")
        button.setToolTip("Explain the selected failed exchange (or double-click it)")
        button.setEnabled(False)
        button.clicked.connect(hook._on_log_decode)
        hook.log_button = button
        top = log_widget.layout().itemAt(0).layout() if log_widget.layout() is not None else None
        if isinstance(top, QHBoxLayout):
            top.insertWidget(max(0, top.count() - 2), button)
        log_widget.table.doubleClicked.connect(hook._on_log_double_clicked)
        log_widget.table.selectionModel().currentRowChanged.connect(hook._on_log_current_changed)
    return True
