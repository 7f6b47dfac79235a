"""The API log: every HTTP exchange of the session, filterable, with details, curl and a support bundle.

Records (:class:`console.api.logging.ExchangeRecord`, already redacted by the api layer)
arrive from worker threads through :class:`ExchangeRecorder`, whose signal is queued to the
GUI thread, where :class:`ApiLogModel` appends them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from urllib.parse import urlsplit

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.api.logging import ExchangeRecord
from console.ui.errors import DecodedError, decode_error

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class LogEntry:
    """One row of the log: the redacted record and when it arrived.

    Attributes:
        record: The exchange, redacted by the api layer.
        at: Wall-clock time the answer (or failure) arrived, UTC.
    """

    record: ExchangeRecord
    at: datetime

    @property
    def path(self) -> str:
        """URL path with the query (``/api/v2/...?pageSize=1``)."""
        parts = urlsplit(self.record.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def to_json(self) -> dict[str, object]:
        """The entry as a JSON object (support bundle line)."""
        r = self.record
        return {
            "time": self.at.isoformat(timespec="milliseconds"),
            "method": r.method,
            "url": r.url,
            "status": r.status,
            "durationMs": round(r.duration * 1000, 1),
            "correlationId": r.correlation_id,
            "attempt": r.attempt,
            "requestHeaders": r.request_headers,
            "requestBody": r.request_body,
            "responseHeaders": r.response_headers,
            "responseBody": r.response_body,
            "error": r.error,
        }


def decode_record(record: ExchangeRecord) -> DecodedError | None:
    """The decoded error of a failed exchange (status >= 400 or no answer), else None."""
    from console.api.errors import ApiConnectionError, ErrorBody, status_error_class

    if record.status is None:
        return decode_error(ApiConnectionError(record.error or "no answer"), f"{record.method} request")
    if record.status < 400:
        return None
    body: ErrorBody | None = None
    if record.response_body:
        try:
            data = json.loads(record.response_body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            body = ErrorBody.model_validate(data)
    detail = body.rendered_message() if body else (record.response_body or "")
    cls = status_error_class(record.status)
    kwargs: dict[str, object] = {
        "status_code": record.status,
        "body": body,
        "correlation_id": record.correlation_id or (body.context_id if body else None),
        "response_text": None if body else record.response_body,
    }
    if cls.__name__ == "RateLimitError":
        retry = record.response_headers.get("retry-after") or record.response_headers.get("Retry-After")
        kwargs["retry_after"] = float(retry) if retry and retry.replace(".", "", 1).isdigit() else None
    import httpx

    request = httpx.Request(record.method, record.url)
    exc = cls(detail or f"HTTP {record.status}", request, **kwargs)  # type: ignore[arg-type]
    return decode_error(exc, f"{record.method} {urlsplit(record.url).path}")


class ExchangeRecorder(QObject):
    """Thread-safe entry point for records: call :meth:`record` from any thread.

    Signals:
        recorded(object): a :class:`LogEntry`, delivered on the GUI thread to queued listeners.
    """

    recorded = Signal(object)  # object: LogEntry

    def record(self, record: ExchangeRecord) -> None:
        """The ``ExchangeHook``: stamp the record and emit it (safe from worker threads)."""
        self.recorded.emit(LogEntry(record, datetime.now(UTC)))


class StatusFilter(Enum):
    """Which exchanges the log shows."""

    ALL = "All"
    SUCCESS = "Success (2xx/3xx)"
    ERRORS = "Errors (4xx, 5xx, no answer)"
    CLIENT = "4xx"
    SERVER = "5xx"
    NO_ANSWER = "No answer"

    def accepts(self, status: int | None) -> bool:
        """Whether a row with this status is shown."""
        if self is StatusFilter.ALL:
            return True
        if status is None:
            return self in (StatusFilter.ERRORS, StatusFilter.NO_ANSWER)
        if self is StatusFilter.SUCCESS:
            return status < 400
        if self is StatusFilter.ERRORS:
            return status >= 400
        if self is StatusFilter.CLIENT:
            return 400 <= status < 500
        if self is StatusFilter.SERVER:
            return status >= 500
        return False


class ApiLogModel(QAbstractTableModel):
    """Table of :class:`LogEntry` rows: time, method, path, status, duration, correlation id."""

    COLUMNS = ("Time", "Method", "Path", "Status", "ms", "Correlation id")
    ENTRY_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[LogEntry] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        """Rows (0 under any parent: a flat table)."""
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Columns."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles."""
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text, error background, tooltip, and the entry under ``ENTRY_ROLE``."""
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        r = entry.record
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return entry.at.astimezone().strftime("%H:%M:%S.%f")[:-3]
            if col == 1:
                return r.method
            if col == 2:
                return entry.path
            if col == 3:
                return str(r.status) if r.status is not None else "—"
            if col == 4:
                return f"{r.duration * 1000:.0f}"
            if col == 5:
                return r.correlation_id or ""
            return None
        if role == Qt.ItemDataRole.BackgroundRole and (r.status is None or r.status >= 400):
            return QBrush(QColor(255, 225, 225))
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.summary()
        if role == self.ENTRY_ROLE:
            return entry
        return None

    @Slot(object)
    def append(self, entry: object) -> None:
        """Add one entry at the end."""
        if not isinstance(entry, LogEntry):
            return
        row = len(self.entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.append(entry)
        self.endInsertRows()

    def clear(self) -> None:
        """Drop every entry."""
        self.beginResetModel()
        self.entries.clear()
        self.endResetModel()


class ApiLogFilterModel(QSortFilterProxyModel):
    """Shows only rows whose status passes the :class:`StatusFilter`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = StatusFilter.ALL

    def set_status_filter(self, value: StatusFilter) -> None:
        """Change the filter."""
        self.beginFilterChange()
        self._filter = value
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        """Whether the row's status passes."""
        model = self.sourceModel()
        if not isinstance(model, ApiLogModel):
            return True
        return self._filter.accepts(model.entries[source_row].record.status)


def describe_entry(entry: LogEntry) -> str:
    """The detail text of one exchange: decoded error (if any), request and response."""
    r = entry.record
    lines: list[str] = []
    decoded = decode_record(r)
    if decoded is not None:
        lines += ["== Error", decoded.text(), ""]
    lines += [f"== Request  {r.method} {r.url}"]
    lines += [f"{k}: {v}" for k, v in r.request_headers.items()]
    if r.request_body:
        lines += ["", r.request_body]
    status = r.status if r.status is not None else f"no answer ({r.error})"
    lines += ["", f"== Response  {status}  {r.duration * 1000:.0f} ms  attempt {r.attempt}"]
    lines += [f"{k}: {v}" for k, v in r.response_headers.items()]
    if r.response_body:
        lines += ["", r.response_body]
    return "\n".join(lines)


class ApiLogWidget(QWidget):
    """The log table, a status filter, the details of the selected exchange, and actions.

    Signals:
        export_requested(): the user clicked "Export support bundle…" (the window owns the file dialog).
        curl_copied(str): "Copy as curl" put this command on the clipboard.
    """

    export_requested = Signal()
    curl_copied = Signal(str)

    def __init__(self, model: ApiLogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = ApiLogFilterModel(self)
        self.proxy.setSourceModel(model)

        self.filter_combo = QComboBox()
        for f in StatusFilter:
            self.filter_combo.addItem(f.value, f)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.count_label = QLabel()
        self.curl_button = QPushButton("Copy as &curl")
        self.curl_button.setEnabled(False)
        self.curl_button.clicked.connect(self.copy_curl)
        self.export_button = QPushButton("Export support &bundle…")
        self.export_button.clicked.connect(self.export_requested)

        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.filter_combo)
        top.addWidget(self.count_label, 1)
        top.addWidget(self.curl_button)
        top.addWidget(self.export_button)

        self.table = QTableView()
        self.table.setObjectName("apiLogTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((90, 60, 330, 55, 50)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

        self.details = QPlainTextEdit()
        self.details.setObjectName("apiLogDetails")
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Select an exchange to see headers and bodies (secrets redacted).")

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("apiLogSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter)

        model.rowsInserted.connect(self._on_model_changed)
        model.modelReset.connect(self._on_model_changed)
        self._on_model_changed()

    def current_entry(self) -> LogEntry | None:
        """The selected exchange, if any."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        entry = self.proxy.data(index, ApiLogModel.ENTRY_ROLE)
        return entry if isinstance(entry, LogEntry) else None

    def select_row(self, row: int) -> None:
        """Select a visible row (0-based, after filtering)."""
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.proxy.index(row, 0))

    def set_status_filter(self, value: StatusFilter) -> None:
        """Pick a filter as the combo box does."""
        self.filter_combo.setCurrentIndex(self.filter_combo.findData(value))

    @Slot()
    def copy_curl(self) -> None:
        """Put the selected exchange as a curl command on the clipboard (token as a placeholder)."""
        entry = self.current_entry()
        if entry is None:
            return
        command = entry.record.to_curl()
        QGuiApplication.clipboard().setText(command)
        self.curl_copied.emit(command)

    @Slot(int)
    def _on_filter_changed(self, _index: int) -> None:
        value = self.filter_combo.currentData()
        if isinstance(value, StatusFilter):
            self.proxy.set_status_filter(value)
        self._on_model_changed()

    @Slot()
    def _on_model_changed(self) -> None:
        self.count_label.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} exchanges")

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.current_entry() if current.isValid() else None
        self.curl_button.setEnabled(entry is not None)
        self.details.setPlainText(describe_entry(entry) if entry is not None else "")
