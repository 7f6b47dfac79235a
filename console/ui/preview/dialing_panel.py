"""The preview's Dialing tab: who will be dialled, and when (issue 18, genesys-api.md §6.5).

Contacts per mapped zone as a bar chart (drawn with ``QPainter``: PySide6-Essentials has no
QtCharts), how many fall to the org's default window and why, and how many the dialer may call
at an instant the user picks. The windows come from the validation child with the check
(:attr:`Checked.dialing`: distinct windows and one index per row); "callable at" re-evaluates
only the distinct windows, so changing the time costs microseconds whatever the file's size.
The default window comes from the org's outbound settings when signed in
(``GET /api/v2/outbound/settings``), else the documented default.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.api import GenesysClient
from console.contacts.dialing import DialingSettings, DialingWindows, zone_label
from console.ui.preview.checking import Checked
from console.ui.session import SessionController
from console.ui.workers import FunctionWorker, WorkerController

__all__ = [
    "DialingPanel",
    "ZoneBarChart",
    "callable_text",
    "default_text",
    "fetch_dialing_settings",
    "settings_text",
    "zone_bars",
]

SETTINGS_PATH = "/api/v2/outbound/settings"
_BAR = QColor("#1a73e8")
_DEFAULT_BAR = QColor("#ffd180")
_TEXT = QColor("#202124")
WAITING = "Each contact's dialing window appears here once the file is checked against a list."


def fetch_dialing_settings(
    api: GenesysClient, *, cancel: threading.Event, progress: Callable[[object], None]
) -> DialingSettings:
    """The org's automatic time-zone mapping windows (``GET /api/v2/outbound/settings``).

    Closes the client.
    """
    try:
        body = api.send_raw("GET", SETTINGS_PATH).json()
        return DialingSettings.from_wire(body if isinstance(body, dict) else {})
    finally:
        api.close()


# -- wording (pure) ----------------------------------------------------------------------------------


def _span(start: int, end: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}\u2013{end // 60:02d}:{end % 60:02d}"


def zone_bars(dialing: DialingWindows) -> list[tuple[str, int]]:
    """(label, contacts) per mapped zone, most contacts first, then the default window's bar.

    A contact mapped to several zones counts once in each.
    """
    summary = dialing.summary()
    zones = summary["zones"]
    assert isinstance(zones, dict)
    bars = [(zone_label(z), int(n)) for z, n in zones.items()]
    default = int(summary["default"])  # type: ignore[call-overload]
    if default:
        bars.append(("Default window", default))
    return bars


def default_text(dialing: DialingWindows) -> str:
    """``574,406 contacts fall to the default window 14:00-20:00 ET: invalid ZIP 565,719; ...``."""
    reasons = dialing.default_reasons()
    total = sum(reasons.values())
    s = dialing.settings
    window = _span(s.default_start, s.default_end)
    where = zone_label(s.default_zone, short=True)
    if not total:
        return f"No contact falls to the default window ({window} {where})."
    why = "; ".join(f"{reason} {n:,}" for reason, n in reasons.items())
    return f"{total:,} contacts fall to the default window {window} {where}: {why}."


def callable_text(count: int, total: int, at: datetime) -> str:
    """``1,234 of 5,000 contacts callable at 2026-03-02 15:30 (local)``."""
    return f"{count:,} of {total:,} contacts callable at {at.astimezone().strftime('%Y-%m-%d %H:%M')}"


def settings_text(settings: DialingSettings, origin: str) -> str:
    """Which windows are used, and where they come from (``origin``)."""
    s = settings
    mapped, default = _span(s.mapped_start, s.mapped_end), _span(s.default_start, s.default_end)
    return f"Mapped zones {mapped} local; default window {default} {s.default_zone} ({origin})."


FROM_ORG = "the org's outbound settings"
DOCUMENTED = "the documented platform default: not signed in"


# -- widgets ---------------------------------------------------------------------------------------


class ZoneBarChart(QWidget):
    """Horizontal bars: one per zone (label, bar, count); the default window's bar in amber."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setToolTip(
            "Contacts per zone their phones and ZIP map to (a contact counts in each of its zones)"
        )

    def set_bars(self, bars: list[tuple[str, int]]) -> None:
        """Show these (label, count) bars."""
        self.bars = list(bars)
        self.updateGeometry()
        self.update()

    def row_height(self) -> int:
        """Height of one bar row in pixels."""
        return self.fontMetrics().height() + 8

    def sizeHint(self) -> QSize:
        """Room for every bar."""
        return QSize(320, max(1, len(self.bars)) * self.row_height() + 8)

    def minimumSizeHint(self) -> QSize:
        """As :meth:`sizeHint` (the bars are few)."""
        return self.sizeHint()

    def bar_rects(self) -> list[QRectF]:
        """Where each bar is drawn (for the paint and the tests)."""
        if not self.bars:
            return []
        fm = self.fontMetrics()
        label_w = max(fm.horizontalAdvance(label) for label, _ in self.bars) + 8
        count_w = max(fm.horizontalAdvance(f"{n:,}") for _, n in self.bars) + 8
        room = max(1.0, self.width() - label_w - count_w - 8.0)
        top = max(n for _, n in self.bars) or 1
        h = self.row_height()
        return [QRectF(label_w, 4 + k * h + 2, room * n / top, h - 4) for k, (_, n) in enumerate(self.bars)]

    def paintEvent(self, event: QPaintEvent) -> None:
        """Labels, bars and counts."""
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            h = self.row_height()
            for k, ((label, n), rect) in enumerate(zip(self.bars, self.bar_rects(), strict=True)):
                y = 4 + k * h
                painter.setPen(_TEXT)
                painter.drawText(
                    QRectF(0, y, rect.left() - 8, h),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    label,
                )
                painter.fillRect(rect, _DEFAULT_BAR if label == "Default window" else _BAR)
                painter.drawText(
                    QRectF(rect.right() + 4, y, self.width() - rect.right(), h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{n:,}",
                )
        finally:
            painter.end()


class DialingPanel(QWidget):
    """The Dialing tab.

    Signals:
        settings_changed(object): the org's :class:`DialingSettings` arrived and differ from
            the ones in use (the page checks the file again).
    """

    settings_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialing: DialingWindows | None = None
        self.settings = DialingSettings()
        self.settings_from_org = False
        self.note = QLabel(WAITING)
        self.note.setWordWrap(True)
        self.chart = ZoneBarChart()
        self.default_label = QLabel()
        self.default_label.setWordWrap(True)
        self.at_edit = QDateTimeEdit(QDateTime.currentDateTime())
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setToolTip("An instant in this computer's time zone")
        self.now_button = QPushButton("Now")
        self.callable_label = QLabel()
        self.settings_label = QLabel(settings_text(self.settings, DOCUMENTED))
        self.settings_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Callable at", self.at_edit)
        form.addRow("", self.now_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.chart)
        layout.addWidget(self.default_label)
        layout.addLayout(form)
        layout.addWidget(self.callable_label)
        layout.addWidget(self.settings_label)
        layout.addStretch(1)
        self.at_edit.dateTimeChanged.connect(self._on_at_changed)
        self.now_button.clicked.connect(self._on_now_clicked)
        self.settings_ctl: WorkerController | None = None
        self._next_client: GenesysClient | None = None
        self.show_checked(None)

    # -- public ------------------------------------------------------------------------------------

    @property
    def at(self) -> datetime:
        """The "callable at" instant (UTC)."""
        return datetime.fromtimestamp(self.at_edit.dateTime().toSecsSinceEpoch(), UTC)

    def set_at(self, at: datetime) -> None:
        """Pick the "callable at" instant (as the user does)."""
        self.at_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(at.timestamp())))

    def show_checked(self, checked: Checked | None) -> None:
        """Show the windows of a check (or why there are none)."""
        self.dialing = checked.dialing if checked is not None else None
        dialing = self.dialing
        has = dialing is not None
        for w in (self.chart, self.default_label, self.at_edit, self.now_button, self.callable_label):
            w.setVisible(has)
        if dialing is None:
            self.chart.set_bars([])
            self.default_label.setText("")
            self.callable_label.setText("")
            if checked is None:
                self.note.setText(WAITING)
            else:
                self.note.setText(checked.dialing_note or "No dialing windows for this check.")
            return
        total = len(dialing.row_window)
        summary = dialing.summary()
        mapped, default = summary["mapped"], summary["default"]
        self.note.setText(
            f"{total:,} contacts: {mapped:,} mapped to zones, {default:,} in the default window."
        )
        self.chart.set_bars(zone_bars(dialing))
        self.default_label.setText(default_text(dialing))
        self._update_callable()

    def callable_count(self) -> int | None:
        """Contacts callable at :attr:`at` (None without windows)."""
        return self.dialing.callable_count(self.at) if self.dialing is not None else None

    def follow_profile(self, session: SessionController) -> None:
        """Signed in: read the org's outbound settings (worker); signed out: the documented default.

        A failure (no permission, offline) keeps the documented default and says so here: the
        windows are still useful, so it is no error for the error bar.
        """
        if session.profile is None:
            self.forget_settings()
            return
        try:
            client = session.new_client()
        except Exception as exc:  # noqa: BLE001 - e.g. a missing secret: keep the default
            self._on_settings_failed(exc)
            return
        self.load_settings(client)

    def load_settings(self, client: GenesysClient) -> None:
        """Read the org's outbound settings with ``client`` (worker; it closes the client).

        Asked again while a read runs (another profile), the running read's answer is dropped
        and the new one starts when it has ended.
        """
        if self.settings_ctl is None:
            self.settings_ctl = WorkerController(self, context="Read the outbound settings")
            self.settings_ctl.succeeded.connect(self._on_settings_succeeded)
            self.settings_ctl.failed.connect(self._on_settings_failed)
            self.settings_ctl.finished.connect(self._on_settings_finished)
        if self.settings_ctl.is_running:
            if self._next_client is not None:
                self._next_client.close()
            self._next_client = client
            self.settings_ctl.cancel()
            return
        self.settings_ctl.start(FunctionWorker(fetch_dialing_settings, client))

    @Slot()
    def _on_settings_finished(self) -> None:
        client, self._next_client = self._next_client, None
        if client is not None:
            self.load_settings(client)

    def forget_settings(self) -> None:
        """Signed out: back to the documented default."""
        if self._next_client is not None:
            self._next_client.close()
            self._next_client = None
        if self.settings_ctl is not None:
            self.settings_ctl.cancel()
        self._use_settings(DialingSettings(), from_org=False)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Join the settings worker."""
        if self._next_client is not None:
            self._next_client.close()
            self._next_client = None
        if self.settings_ctl is not None:
            self.settings_ctl.shutdown(timeout_ms)

    # -- slots -------------------------------------------------------------------------------------

    @Slot(object)
    def _on_settings_failed(self, exc: object) -> None:
        if self._next_client is not None:
            return  # a newer read is waiting: this answer may be another profile's
        self._use_settings(DialingSettings(), from_org=False)
        origin = f"the documented platform default: the org's settings could not be read: {exc}"
        self.settings_label.setText(settings_text(self.settings, origin))

    @Slot(object)
    def _on_settings_succeeded(self, settings: object) -> None:
        if isinstance(settings, DialingSettings) and self._next_client is None:
            self._use_settings(settings, from_org=True)

    def _use_settings(self, settings: DialingSettings, *, from_org: bool) -> None:
        changed = settings != self.settings
        self.settings, self.settings_from_org = settings, from_org
        self.settings_label.setText(settings_text(settings, FROM_ORG if from_org else DOCUMENTED))
        if changed:
            self.settings_changed.emit(settings)

    @Slot(QDateTime)
    def _on_at_changed(self, _at: QDateTime) -> None:
        self._update_callable()

    @Slot()
    def _on_now_clicked(self) -> None:
        self.at_edit.setDateTime(QDateTime.currentDateTime())

    def _update_callable(self) -> None:
        dialing = self.dialing
        if dialing is None:
            self.callable_label.setText("")
            return
        count = dialing.callable_count(self.at)
        self.callable_label.setText(callable_text(count, len(dialing.row_window), self.at))
