"""The file bar: the open file, its encoding and delimiter, the target list and the phone region."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from console.api.models import ContactList
from console.contacts.reader import CsvSource
from console.ui.flow import FlowLayout
from console.ui.preview.text import DELIMITERS, ENCODINGS, delimiter_name, detected_text

__all__ = ["BUILDER_KEY", "FileBar", "default_phone_region", "phone_regions"]

BUILDER_KEY = "__builder__"
"""The target picker's data for the definition being built in the list builder."""


def phone_regions() -> list[tuple[str, str]]:
    """(ISO code, country name) of every region libphonenumber knows, by code."""
    import phonenumbers

    out = []
    for code in sorted(phonenumbers.SUPPORTED_REGIONS):
        territory = QLocale.codeToTerritory(code)
        name = QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else code
        out.append((code, name))
    return out


def default_phone_region() -> str:
    """The system locale's country when libphonenumber knows it, else US."""
    import phonenumbers

    code = QLocale.territoryToCode(QLocale.system().territory())
    return code if code in phonenumbers.SUPPORTED_REGIONS else "US"


class FileBar(QWidget):
    """Open button and file name, encoding, delimiter, target list and reload, phone region (wrapping).

    The page wires the widgets (``open_button``, ``encoding_combo``, ``delimiter_combo``,
    ``list_combo``, ``reload_lists_button``, ``region_combo``).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel("Open a contact CSV (File > Open or drop it on the window).")
        self.message.setObjectName("fileLabel")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open CSV…")
        self.open_button.setToolTip("Open a contact CSV (Ctrl+O)")
        self.encoding_combo = QComboBox()
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.encoding_combo.setMinimumContentsLength(12)
        self.encoding_combo.setToolTip("Text encoding of the file; Auto shows what was detected")
        self.delimiter_combo = QComboBox()
        for text, value in DELIMITERS:
            self.delimiter_combo.addItem(text, value)
        self.delimiter_combo.setMinimumContentsLength(16)
        self.delimiter_combo.setToolTip("Field delimiter; Auto shows what was detected")
        self.detected_label = QLabel()
        self.detected_label.setObjectName("detectedLabel")
        self.list_combo = QComboBox()
        self.list_combo.setMinimumWidth(220)
        self.list_combo.setToolTip("The contact list the file is checked against and uploaded to")
        self.region_combo = QComboBox()
        self.region_combo.setObjectName("phoneRegion")
        for code, name in phone_regions():
            self.region_combo.addItem(f"{code} — {name}", code)
        self.region_combo.setCurrentIndex(max(0, self.region_combo.findData(default_phone_region())))
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.region_combo.setMinimumContentsLength(14)  # long country names must not widen the page
        self.region_combo.setToolTip(
            "Country of phone numbers written without +country code: they are checked and normalized "
            "to E.164 as numbers of this country"
        )
        self.reopen_button = QPushButton("&Reopen")
        self.reopen_button.setObjectName("reopenFile")
        self.reopen_button.setToolTip("Read the changed file again (unexported edits are dropped)")
        self.reopen_button.hide()
        self.reload_lists_button = QToolButton()
        self.reload_lists_button.setText("↻")
        self.reload_lists_button.setToolTip("Reload the org's contact lists")

        # Groups that wrap onto the next line on a small screen instead of widening the page.
        def group(*widgets: QWidget) -> QWidget:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            for w in widgets:
                row.addWidget(w)
            return box

        # a long path is cut, not widening the bar (the tooltip has it whole)
        self.message.setMaximumWidth(420)
        layout = FlowLayout(self)
        layout.add_widgets(
            group(self.open_button, self.message, self.reopen_button),
            group(QLabel("Encoding:"), self.encoding_combo),
            group(QLabel("Delimiter:"), self.delimiter_combo),
            group(QLabel("Target list:"), self.list_combo, self.reload_lists_button),
            group(QLabel("Phone region:"), self.region_combo),
            self.detected_label,
        )

    def show_changed(self, path: Path, message: str) -> None:
        """Say that the open file changed on disk, with Reopen beside it."""
        self.message.setText(f"<b>{path.name} changed on disk</b> — reopen it? The grid may be stale.")
        self.message.setToolTip(message)
        self.reopen_button.show()

    def chosen_format(self) -> tuple[str | None, str | None]:
        """(encoding, delimiter) picked, None for Auto."""
        # item 0 is Auto, labelled with what was detected ("Auto (cp1252)") once a file is open
        enc = self.encoding_combo.currentText().strip()
        auto = self.encoding_combo.currentIndex() == 0 or enc in ("", "Auto")
        return (None if auto else enc), self.delimiter_combo.currentData()

    def show_source(self, path: Path, source: CsvSource) -> None:
        """Name the open file (``path`` as the user gave it) and what was detected in it."""
        self.reopen_button.hide()
        self.message.setText(f"<b>{path.name}</b> — {path.parent}")
        self.message.setToolTip(str(path))
        delim = delimiter_name(source.delimiter)
        self.detected_label.setText(detected_text(source.encoding, source.delimiter))
        self.detected_label.setToolTip(f"Encoding: {source.encoding} ({source.encoding_reason})")
        self.encoding_combo.setItemText(0, f"Auto ({source.encoding})")
        self.delimiter_combo.setItemText(0, f"Auto ({delim})")

    def fill_lists(self, lists: list[ContactList], builder: ContactList | None) -> None:
        """Offer the org's lists (and the definition being built), keeping the current choice."""
        combo = self.list_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.setPlaceholderText("Choose a contact list")
        if builder is not None:
            combo.addItem(f"Definition being built: {builder.name or 'unnamed'}", BUILDER_KEY)
        for c in lists:
            combo.addItem(f"{c.name} ({len(c.column_names)} columns)", c.id)
        combo.setCurrentIndex(combo.findData(current) if current is not None else -1)
        combo.blockSignals(False)
