"""The list's ``dateExpiration``: an editor with a "no expiry" state.

Its wire format (milliseconds and ``Z``) is :func:`console.ui.builder.mapping.wire_datetime`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QLabel, QWidget


class ExpiryEdit(QWidget):
    """A UTC date and time, or no expiry at all (the box unticked).

    Signals:
        changed(): ticked, unticked, or the date-time edited.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QCheckBox("Expires")
        self.box.setToolTip("Untick for a list that never expires (dateExpiration not sent)")
        self.edit = QDateTimeEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss.zzz")
        self.edit.setToolTip("dateExpiration, in UTC; sent as e.g. 2025-01-31T23:59:59.000Z")
        self.edit.setProperty("baseTip", self.edit.toolTip())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.edit, 1)
        layout.addWidget(QLabel("UTC"))
        self._original: datetime | None = None
        self.set_value(None)
        self.box.toggled.connect(self._on_box_toggled)
        self.edit.dateTimeChanged.connect(self._on_edit_changed)

    @staticmethod
    def _to_qt(value: datetime) -> QDateTime:
        utc = value.astimezone(UTC) if value.tzinfo else value
        return QDateTime(
            QDate(utc.year, utc.month, utc.day),
            QTime(utc.hour, utc.minute, utc.second, utc.microsecond // 1000),
            QTimeZone(QTimeZone.Initialization.UTC),
        )

    def value(self) -> datetime | None:
        """The expiry in UTC, or None for "no expiry".

        A loaded value the user did not change comes back exactly (the editor shows milliseconds).
        """
        if not self.box.isChecked():
            return None
        shown = self.edit.dateTime().toUTC()
        d, t = shown.date(), shown.time()
        value = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second(), t.msec() * 1000, UTC)
        if self._original is not None and self._to_qt(self._original) == shown:
            return self._original
        return value

    def set_value(self, value: datetime | None) -> None:
        """Show ``value``; None unticks the box (a later tick offers 30 days from now)."""
        self._original = value
        blocked = self.blockSignals(True)
        try:
            if value is None:
                today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
                self.edit.setDateTime(self._to_qt(today + timedelta(days=30)))
            else:
                self.edit.setDateTime(self._to_qt(value))
            self.box.setChecked(value is not None)
            self.edit.setEnabled(value is not None)
        finally:
            self.blockSignals(blocked)

    @Slot(bool)
    def _on_box_toggled(self, checked: bool) -> None:
        self.edit.setEnabled(checked)
        self.changed.emit()

    @Slot()
    def _on_edit_changed(self) -> None:
        self.changed.emit()
