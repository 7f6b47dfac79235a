"""The decoder window itself (see :mod:`console.ui.decoder`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.ui.decoder.resend import (
    WRITE_METHODS,
    ResendConfirm,
    ResendResult,
    _pretty,
    _resend,
    _status_colour,
)
from console.ui.errors import DecodedError, ErrorSink
from console.ui.workers import FunctionWorker, WorkerController


class DecoderDialog(QDialog):
    """The decoder view of one :class:`ErrorSink` (opened with ``sink.open_decoder()``).

    Signals:
        resent(object): a :class:`ResendResult` of a successful resend.
        resend_failed(object): the :class:`DecodedError` of a failed resend (also reported to the sink).

    Args:
        sink: The app's error sink (history, jumps, client factory for resends).
    """

    resent = Signal(object)  # object: ResendResult
    resend_failed = Signal(object)  # object: DecodedError

    def __init__(self, sink: ErrorSink) -> None:
        parent = sink.parent()
        super().__init__(parent if isinstance(parent, QWidget) else None)
        self.setObjectName("decoderDialog")
        self.setWindowTitle("Error decoder")
        self.setModal(False)
        self.sink = sink
        self.decoded: DecodedError | None = None
        self._entries: list[DecodedError] = []
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.history_combo = QComboBox()
        self.history_combo.setObjectName("decoderHistory")
        self.history_combo.setToolTip("Every error of this session, newest first")
        self.history_combo.currentIndexChanged.connect(self._on_history_changed)

        self.status_label = QLabel()
        self.status_label.setObjectName("decoderStatus")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label.setMinimumWidth(120)
        self.title_label = QLabel()
        self.title_label.setObjectName("decoderTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = QFont(self.title_label.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        self.title_label.setFont(title_font)
        head = QHBoxLayout()
        head.addWidget(self.status_label)
        head.addWidget(self.title_label, 1)

        self.message_label = QLabel()
        self.message_label.setObjectName("decoderMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.correlation_edit = QLineEdit()
        self.correlation_edit.setObjectName("decoderCorrelation")
        self.correlation_edit.setReadOnly(True)
        self.correlation_edit.setFont(mono)
        self.correlation_edit.setPlaceholderText("no correlation id (no answer from the server)")
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setToolTip("Copy the correlation id (quote it to Genesys Cloud support)")
        self.copy_button.clicked.connect(self.copy_correlation_id)
        corr = QHBoxLayout()
        corr.addWidget(self.correlation_edit, 1)
        corr.addWidget(self.copy_button)

        form = QFormLayout()
        form.addRow("Message:", self.message_label)
        form.addRow("Correlation id:", corr)

        self.cause_label = QLabel()
        self.cause_label.setObjectName("decoderCause")
        self.cause_label.setWordWrap(True)
        self.fix_label = QLabel()
        self.fix_label.setObjectName("decoderFix")
        self.fix_label.setWordWrap(True)
        self.fix_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.jump_button = QPushButton()
        self.jump_button.setObjectName("decoderJump")
        self.jump_button.setToolTip("Show the form field or CSV cell this error is about (Ctrl+G)")
        self.jump_button.setShortcut(QKeySequence("Ctrl+G"))
        self.jump_button.clicked.connect(self.jump)
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("decoderCountdown")
        advice = QFrame()
        advice.setObjectName("decoderAdvice")
        advice.setStyleSheet(
            "QFrame#decoderAdvice { background: #e8f4ea; border: 1px solid #9cc7a4; border-radius: 4px; }"
            "QFrame#decoderAdvice QLabel { color: #1d3b24; }"
        )
        advice_layout = QVBoxLayout(advice)
        advice_layout.addWidget(self.cause_label)
        advice_layout.addWidget(self.fix_label)
        row = QHBoxLayout()
        row.addWidget(self.jump_button)
        row.addWidget(self.countdown_label, 1)
        advice_layout.addLayout(row)

        self.details_tree = QTreeWidget()
        self.details_tree.setObjectName("decoderDetails")
        self.details_tree.setHeaderLabels(["Detail", "Value"])
        self.details_tree.setColumnWidth(0, 200)
        self.details_tree.setRootIsDecorated(True)

        self.request_label = QLabel()
        self.request_label.setObjectName("decoderRequest")
        self.request_label.setFont(mono)
        self.request_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_view = QPlainTextEdit()
        self.request_view.setObjectName("decoderRequestBody")
        self.request_view.setReadOnly(True)
        self.request_view.setFont(mono)
        self.request_view.setPlaceholderText("(no request body)")
        request_box = QGroupBox("Request that caused it (secrets redacted)")
        rl = QVBoxLayout(request_box)
        rl.addWidget(self.request_label)
        rl.addWidget(self.request_view)

        # -- resend editor -------------------------------------------------------------------
        self.edit_button = QPushButton("&Edit and resend…")
        self.edit_button.setObjectName("decoderEditButton")
        self.edit_button.setToolTip("Correct the request body as raw JSON and send it again (Ctrl+E)")
        self.edit_button.setShortcut(QKeySequence("Ctrl+E"))
        self.edit_button.clicked.connect(self.open_editor)
        self.method_combo = QComboBox()
        self.method_combo.addItems(["GET", "POST", "PUT", "PATCH", "DELETE"])
        self.method_combo.setToolTip("HTTP method")
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("resendPath")
        self.path_edit.setFont(mono)
        self.path_edit.setToolTip("API path, starting with /api/v2/ (query allowed)")
        self.body_edit = QPlainTextEdit()
        self.body_edit.setObjectName("resendBody")
        self.body_edit.setFont(mono)
        self.body_edit.setPlaceholderText("JSON body (empty: no body)")
        self.send_button = QPushButton("&Send")
        self.send_button.setObjectName("resendSend")
        self.send_button.setToolTip("Send the edited request (Ctrl+Return); writes ask first")
        self.send_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.send_button.clicked.connect(self.resend)
        self.editor_error = QLabel()
        self.editor_error.setObjectName("resendError")
        self.editor_error.setWordWrap(True)
        self.editor_error.setStyleSheet("color: #b02a37;")
        self.result_view = QPlainTextEdit()
        self.result_view.setObjectName("resendResult")
        self.result_view.setReadOnly(True)
        self.result_view.setFont(mono)
        self.result_view.setPlaceholderText("The answer appears here.")
        self.result_view.setMaximumHeight(140)
        self.editor = QGroupBox("Resend edited request")
        self.editor.setObjectName("resendEditor")
        el = QVBoxLayout(self.editor)
        line = QHBoxLayout()
        line.addWidget(self.method_combo)
        line.addWidget(self.path_edit, 1)
        line.addWidget(self.send_button)
        el.addLayout(line)
        el.addWidget(self.body_edit, 1)
        el.addWidget(self.editor_error)
        el.addWidget(self.result_view)
        self.editor.hide()
        self._controller = WorkerController(self, context="Resend edited request")
        self._controller.succeeded.connect(self._on_resend_succeeded)
        self._controller.failed.connect(self._on_resend_failed)
        self._controller.finished.connect(self._on_resend_finished)

        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.edit_button)
        bottom.addStretch(1)
        bottom.addWidget(close)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(head)
        tl.addLayout(form)
        tl.addWidget(advice)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.details_tree)
        self.splitter.addWidget(request_box)
        self.splitter.addWidget(self.editor)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.history_combo)
        layout.addWidget(top)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._on_timer_timeout)
        sink.reported.connect(self._on_sink_reported)
        self.resize(760, 720)

    # -- showing -------------------------------------------------------------------------------

    def _rebuild_history(self, chosen: DecodedError | None) -> None:
        entries = list(reversed(self.sink.history))
        if chosen is not None and all(e is not chosen for e in entries):
            entries.insert(0, chosen)
        self._entries = entries
        self.history_combo.blockSignals(True)
        self.history_combo.clear()
        now_wall = datetime.now()
        for e in entries:
            age = max(0.0, self._mono() - e.reported_at)
            stamp = datetime.fromtimestamp(now_wall.timestamp() - age).strftime("%H:%M:%S")
            self.history_combo.addItem(f"{stamp}  {e.title}")
        if chosen is not None:
            self.history_combo.setCurrentIndex(next(i for i, e in enumerate(entries) if e is chosen))
        self.history_combo.blockSignals(False)

    @staticmethod
    def _mono() -> float:
        import time

        return time.monotonic()

    def show_error(self, decoded: DecodedError | None) -> None:
        """Show ``decoded`` (None: an empty view saying there is nothing to decode) and raise the window."""
        self._rebuild_history(decoded)
        self._fill(decoded)
        self.show()
        self.raise_()
        self.activateWindow()

    def _fill(self, decoded: DecodedError | None) -> None:
        self.decoded = decoded
        if decoded is None:
            self.status_label.setText("—")
            self.title_label.setText("No errors in this session.")
            for label in (self.message_label, self.cause_label, self.fix_label, self.countdown_label):
                label.clear()
            self.correlation_edit.clear()
            self.details_tree.clear()
            self.request_label.clear()
            self.request_view.clear()
            self.jump_button.hide()
            self.edit_button.setEnabled(False)
            self.copy_button.setEnabled(False)
            return
        status = str(decoded.status) if decoded.status is not None else "no answer"
        code = decoded.code or ""
        self.status_label.setText(f"<b style='font-size:15pt'>{status}</b><br>{code}")
        self.status_label.setStyleSheet(
            f"background: {_status_colour(decoded.status)}; color: white; border-radius: 4px; padding: 6px;"
        )
        self.title_label.setText(decoded.title)
        self.message_label.setText(decoded.message or "(no message)")
        self.correlation_edit.setText(decoded.correlation_id or "")
        self.copy_button.setEnabled(bool(decoded.correlation_id))
        self.cause_label.setText(f"<b>Cause:</b> {decoded.cause or decoded.explanation}")
        self.fix_label.setText(f"<b>Fix:</b> {decoded.fix}" if decoded.fix else "")
        target = decoded.target
        if target is not None:
            self.jump_button.setText(f"Go to {target.label()}")
            self.jump_button.setEnabled(self.sink.can_jump(target))
            self.jump_button.setToolTip(
                f"Show {target.label()} where it was entered (Ctrl+G)"
                if self.sink.can_jump(target)
                else f"No open page shows {target.label()}"
            )
            self.jump_button.show()
        else:
            self.jump_button.hide()
        self._fill_details(decoded)
        if decoded.method:
            self.request_label.setText(f"{decoded.method} {decoded.url_path or ''}")
        else:
            self.request_label.setText("(no HTTP request)")
        self.request_view.setPlainText(_pretty(decoded.request_body))
        self.edit_button.setEnabled(decoded.can_resend and self.sink.client_factory is not None)
        self.edit_button.setToolTip(
            "Correct the request body as raw JSON and send it again (Ctrl+E)"
            if self.edit_button.isEnabled()
            else "Only an API request that got an answer can be edited and resent"
        )
        self.editor.hide()
        self.result_view.clear()
        self.editor_error.clear()
        self._on_timer_timeout()
        if decoded.retry_after is not None:
            self._timer.start()
        else:
            self._timer.stop()

    def _fill_details(self, decoded: DecodedError) -> None:
        tree = self.details_tree
        tree.clear()

        def group(name: str, rows: list[tuple[str, str]]) -> None:
            if not rows:
                return
            parent = QTreeWidgetItem(tree, [name, str(len(rows))])
            for key, value in rows:
                item = QTreeWidgetItem(parent, [key, value])
                item.setToolTip(1, value)
            parent.setExpanded(True)

        group("Message parameters", sorted(decoded.message_params.items()))
        detail_rows: list[tuple[str, str]] = []
        for i, d in enumerate(decoded.server_details):
            detail_rows.append((f"details[{i}]", ", ".join(f"{k}: {v}" for k, v in d.items())))
        group("Details", detail_rows)
        group("Nested errors", [(c or "(no code)", m) for c, m in decoded.nested])
        facts = [
            ("Context", decoded.context),
            ("Catalog entry", decoded.catalog_key),
            ("Limit", decoded.limit or ""),
            ("Missing permissions", ", ".join(decoded.missing_permissions)),
            ("Answer", decoded.response_body or ""),
        ]
        group("Facts", [(k, v) for k, v in facts if v])

    # -- actions ---------------------------------------------------------------------------------

    @Slot()
    def copy_correlation_id(self) -> None:
        """Put the correlation id on the clipboard."""
        if self.decoded is not None and self.decoded.correlation_id:
            QGuiApplication.clipboard().setText(self.decoded.correlation_id)
            self.copy_button.setText("Copied")
            QTimer.singleShot(1500, self, self._on_copy_reset)

    @Slot()
    def _on_copy_reset(self) -> None:
        self.copy_button.setText("&Copy")

    @Slot()
    def jump(self) -> bool:
        """Ask the owning page to show the error's field or cell."""
        if self.decoded is None or self.decoded.target is None:
            return False
        return self.sink.jump(self.decoded.target)

    @Slot()
    def open_editor(self) -> None:
        """Show the raw editor pre-filled with the failed request."""
        d = self.decoded
        if d is None or not d.can_resend:
            return
        self.method_combo.setCurrentText(d.method or "GET")
        self.path_edit.setText(d.url_path or "")
        self.body_edit.setPlainText(_pretty(d.request_body))
        self.editor_error.clear()
        self.result_view.clear()
        self.editor.show()
        self.splitter.setSizes([110, 140, 360])  # the editor gets room even if it was collapsed
        self.body_edit.setFocus()

    def _parse_editor(self) -> tuple[str, str, object] | None:
        method = self.method_combo.currentText()
        path = self.path_edit.text().strip()
        if not path.startswith("/api/v2/"):
            self.editor_error.setText("Path: must start with /api/v2/ (e.g. /api/v2/conversations/calls).")
            self.path_edit.setFocus()
            return None
        text = self.body_edit.toPlainText().strip()
        body: object = None
        if text:
            try:
                body = json.loads(text)
            except json.JSONDecodeError as exc:
                self.editor_error.setText(
                    f"Body: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
                )
                cursor = self.body_edit.textCursor()
                cursor.setPosition(min(exc.pos, len(self.body_edit.toPlainText())))
                self.body_edit.setTextCursor(cursor)
                self.body_edit.setFocus()
                return None
        if "[REDACTED]" in text:
            self.editor_error.setText("Body: replace the [REDACTED] values before sending.")
            return None
        return method, path, body

    @Slot()
    def resend(self) -> bool:
        """Validate the editor and send it (writes ask first); False when nothing was sent."""
        parsed = self._parse_editor()
        if parsed is None or self._controller.is_running:
            return False
        method, path, body = parsed
        factory = self.sink.client_factory
        if factory is None:
            self.editor_error.setText("No connection: open a profile first.")
            return False
        if method in WRITE_METHODS and not ResendConfirm.ask(self, method, path):
            self.editor_error.setText("Not sent.")
            return False
        self.editor_error.clear()
        self.result_view.setPlainText(f"Sending {method} {path}…")
        self.send_button.setEnabled(False)
        self._controller.start(FunctionWorker(_resend, factory, method, path, body))
        return True

    # -- slots -------------------------------------------------------------------------------------

    @Slot(object)
    def _on_resend_succeeded(self, result: object) -> None:
        if isinstance(result, ResendResult):
            self.result_view.setPlainText(f"{result.status} OK\n{result.body}")
            self.resent.emit(result)

    @Slot(object)
    def _on_resend_failed(self, exc: object) -> None:
        if not isinstance(exc, BaseException):
            return
        decoded = self.sink.report(exc, context="Resend edited request")
        self.result_view.setPlainText(f"Failed again: {decoded.title}\n{decoded.fix}")
        self.resend_failed.emit(decoded)

    @Slot()
    def _on_resend_finished(self) -> None:
        self.send_button.setEnabled(True)

    @Slot(int)
    def _on_history_changed(self, index: int) -> None:
        if 0 <= index < len(self._entries):
            self._fill(self._entries[index])

    @Slot(object)
    def _on_sink_reported(self, decoded: object) -> None:
        if not isinstance(decoded, DecodedError) or not self.isVisible():
            return
        keep = self.decoded if self.editor.isVisible() else decoded  # never lose an edit in progress
        self._rebuild_history(keep)
        if keep is decoded:
            self._fill(decoded)

    @Slot()
    def _on_timer_timeout(self) -> None:
        d = self.decoded
        left = d.retry_left() if d is not None else None
        if left is None:
            self.countdown_label.clear()
            self._timer.stop()
            self.send_button.setEnabled(not self._controller.is_running)
            return
        if left > 0:
            self.countdown_label.setText(f"<b>Retry possible in {int(left + 0.999)} s</b>")
            self.send_button.setEnabled(False)
        else:
            self.countdown_label.setText("<b>You can retry now.</b>")
            self.send_button.setEnabled(not self._controller.is_running)
            self._timer.stop()

    def closeEvent(self, event: Any) -> None:
        """Stop the countdown and any resend before closing."""
        self._timer.stop()
        self._controller.shutdown(5000)
        super().closeEvent(event)
