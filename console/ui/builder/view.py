"""The builder page's widgets and layout, built the way ``pyuic`` builds a form (no behaviour).

:class:`BuilderUi` is mixed into :class:`~console.ui.pages.builder.BuilderPage`: ``setup_ui``
creates every widget as an attribute of the page and lays them out (the org on the left, the
editors in tabs in the centre, the local check and the JSON body on the right). Reading and
writing the widgets is :mod:`console.ui.builder.form`; wiring them is the page's.
"""

from __future__ import annotations

import zoneinfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.ui.builder.expiry import ExpiryEdit
from console.ui.builder.rows import FieldSpec, RowsEditor
from console.ui.flow import FlowLayout

STYLE = """
QLineEdit[finding="error"], QComboBox[finding="error"], QCheckBox[finding="error"],
QDateTimeEdit[finding="error"] {
    border: 2px solid #c62828; background: #fdecea; color: #000; }
QLineEdit[finding="warning"], QComboBox[finding="warning"], QCheckBox[finding="warning"],
QDateTimeEdit[finding="warning"] {
    border: 2px solid #b26a00; background: #fff4e0; color: #000; }
"""
"""The page's style sheet: a field with a finding is outlined red (error) or amber (warning)."""


def _contactable_time_fields() -> list[FieldSpec]:
    """The time-window fields email and WhatsApp columns share (EmailColumn / WhatsAppColumn)."""
    return [
        FieldSpec(
            "contactableTimeColumn",
            "Contactable-time column",
            "column",
            tip="contactableTimeColumn: column holding the contact's time zone",
        ),
        FieldSpec(
            "contactableTimeColumnName",
            "Contactable-time column name",
            "column",
            tip="contactableTimeColumnName: column with the contactable time window",
        ),
    ]


class BuilderUi:
    """The builder's widgets (created by :meth:`setup_ui`)."""

    new_button: QPushButton
    csv_button: QPushButton
    open_button: QPushButton
    save_button: QPushButton
    template_button: QPushButton
    mode_label: QLabel
    org_kind: QComboBox
    search_edit: QLineEdit
    search_button: QPushButton
    results: QListWidget
    load_button: QPushButton
    name_edit: QLineEdit
    columns: RowsEditor
    phones: RowsEditor
    emails: RowsEditor
    whatsapp: RowsEditor
    types: RowsEditor
    division_combo: QComboBox
    limits_combo: QComboBox
    reload_org_button: QPushButton
    preview_combo: QComboBox
    preview_values: QLineEdit
    preview_offer: QComboBox
    auto_tz: QCheckBox
    zip_combo: QComboBox
    trim: QCheckBox
    retention_combo: QComboBox
    retention_days: QLineEdit
    time_zone_combo: QComboBox
    expiry: ExpiryEdit
    tabs: QTabWidget
    create_button: QPushButton
    update_button: QPushButton
    save_new_button: QPushButton
    result_label: QLabel
    findings_list: QListWidget
    summary_label: QLabel
    json_view: QPlainTextEdit
    json_label: QLabel
    splitter: QSplitter

    def setup_ui(self, page: QWidget) -> None:
        """Create the widgets and lay them out on ``page`` (shortcuts are scoped to it)."""
        page.setStyleSheet(STYLE)
        top = self._build_top(page)
        org_box = self._build_org(page)
        self._build_editors()
        self._build_tabs()
        centre = self._build_centre()
        right = self._build_check()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(org_box)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([230, 620, 430])
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    def _build_top(self, page: QWidget) -> QLayout:
        self.new_button = QPushButton("New blank")
        self.csv_button = QPushButton("From CSV header…")
        self.open_button = QPushButton("Open definition…")
        self.save_button = QPushButton("Save definition…")
        self.template_button = QPushButton("Push as template…")
        tips = {
            self.new_button: ("Start a blank list (Ctrl+Shift+N)", "Ctrl+Shift+N"),
            self.csv_button: (
                "Columns from a CSV's header; phone, email, ZIP, time zone suggested",
                "Ctrl+Shift+H",
            ),
            self.open_button: (
                "Load a definition JSON (the file validate --definition reads)",
                "Ctrl+Shift+O",
            ),
            self.save_button: ("Save this definition as JSON (Ctrl+Shift+S)", "Ctrl+Shift+S"),
            self.template_button: ("Create a contact-list template on the org from this definition", ""),
        }
        top = FlowLayout()  # wraps on a small screen instead of widening the page
        for button, (tip, key) in tips.items():
            button.setToolTip(tip if not key or key in tip else f"{tip} ({key})")
            if key:
                QShortcut(
                    QKeySequence(key), page, button.click, Qt.ShortcutContext.WidgetWithChildrenShortcut
                )
            top.addWidget(button)
        self.mode_label = QLabel()
        self.mode_label.setObjectName("builderMode")
        self.mode_label.setMaximumWidth(420)  # a long list name is cut, not widening the page
        top.addWidget(self.mode_label)

        return top

    def _build_org(self, page: QWidget) -> QWidget:
        self.org_kind = QComboBox()
        self.org_kind.addItem("Contact lists", "list")
        self.org_kind.addItem("Templates", "template")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Name starts with…  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_button = QPushButton("Search")
        self.results = QListWidget()
        self.results.setToolTip("Double-click or Load to edit it here")
        self.load_button = QPushButton("Load")
        self.load_button.setToolTip("Edit the selected list, or start a new list from the selected template")
        QShortcut(
            QKeySequence("Ctrl+F"),
            page,
            self.search_edit.setFocus,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        org_box = QGroupBox("On the org")
        org_layout = QVBoxLayout(org_box)
        org_layout.addWidget(self.org_kind)
        row = QHBoxLayout()
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.search_button)
        org_layout.addLayout(row)
        org_layout.addWidget(self.results, 1)
        org_layout.addWidget(self.load_button)

        return org_box

    def _build_editors(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Unique list name")
        self.columns = RowsEditor(
            [FieldSpec("name", "Column name", tip="Header name; at most 128 characters, unique")],
            noun="column",
        )
        media_types = ("cell", "home", "work", "phone", "mobile", "other")
        self.phones = RowsEditor(
            [
                FieldSpec("columnName", "Phone column (dial order)", "column", tip="Dialled in this order"),
                FieldSpec(
                    "type", "Type", "choice", media_types, tip="Label such as cell, home, work", width=110
                ),
                FieldSpec(
                    "callableTimeColumn",
                    "Callable-time column",
                    "column",
                    tip="callableTimeColumn: column holding the contact's time zone "
                    "(not with automatic mapping)",
                ),
                FieldSpec(
                    "callableTimeColumnName",
                    "Callable-time column name",
                    "column",
                    tip="callableTimeColumnName: column with the callable time window for this number "
                    "(not with automatic mapping)",
                ),
            ],
            noun="phone column",
        )
        self.emails = RowsEditor(
            [
                FieldSpec("columnName", "Email column", "column"),
                FieldSpec("type", "Type", "choice", ("personal", "work", "other"), width=110),
                *_contactable_time_fields(),
            ],
            noun="email column",
        )
        self.whatsapp = RowsEditor(
            [
                FieldSpec("columnName", "WhatsApp column", "column"),
                FieldSpec("type", "Type", "choice", ("cell", "personal", "work"), width=110),
                *_contactable_time_fields(),
            ],
            noun="WhatsApp column",
        )
        self.types = RowsEditor(
            [
                FieldSpec("columnName", "Column", "column"),
                FieldSpec(
                    "columnDataType",
                    "Data type",
                    "choice",
                    ("TEXT", "NUMERIC", "TIMESTAMP", "DATETIME"),
                    width=110,
                ),
                FieldSpec("min", "Min", "int", tip="NUMERIC only", width=70),
                FieldSpec("max", "Max", "int", tip="NUMERIC only", width=70),
                FieldSpec("maxLength", "Max length", "int", tip="TEXT only", width=80),
            ],
            noun="data type",
        )
        self.division_combo = QComboBox()
        self.division_combo.addItem("(home division)", "")
        self.limits_combo = QComboBox()
        self.limits_combo.addItem("(none)", "")
        self.reload_org_button = QPushButton("Reload from org")
        self.reload_org_button.setToolTip("Load the org's divisions and attempt limits")
        self.preview_combo = QComboBox()
        self.preview_combo.setEditable(True)
        self.preview_values = QLineEdit()
        self.preview_values.setPlaceholderText("Comma-separated values, e.g. VIP, Callback")
        self.preview_offer = QComboBox()
        self.preview_offer.setToolTip("Values seen in the CSV's preview column; pick one to add it")
        self.auto_tz = QCheckBox("Automatic time-zone mapping")
        self.auto_tz.setToolTip(
            "automaticTimeZoneMapping: the platform maps each contact to a time zone from its phone numbers"
            " and, when set, the ZIP column"
        )
        self.zip_combo = QComboBox()
        self.zip_combo.setEditable(True)
        self.trim = QCheckBox("Trim whitespace from values on import")
        self.trim.setChecked(True)
        self.retention_combo = QComboBox()
        self.retention_combo.addItems(["", "Never", "Today", "RetentionDays"])
        self.retention_combo.setToolTip("How long contacts are kept (empty: the platform default)")
        self.retention_days = QLineEdit()
        self.retention_days.setPlaceholderText("Days (with RetentionDays)")
        self.time_zone_combo = QComboBox()
        self.time_zone_combo.setEditable(True)
        self.time_zone_combo.addItems(["", *sorted(zoneinfo.available_timezones())])
        self.expiry = ExpiryEdit()
        for w, tip in (
            (self.name_edit, "List name, unique in the org"),
            (self.division_combo, "Division the list belongs to"),
            (self.limits_combo, "Attempt limits applied to the list"),
            (self.preview_combo, "Column whose value forces preview dialing"),
            (self.preview_values, "Values of the preview column that force preview dialing"),
            (self.zip_combo, "ZIP column used by automatic time-zone mapping"),
            (self.retention_days, "Days to keep contacts (RetentionDays only)"),
            (self.time_zone_combo, "IANA time zone of the list, e.g. America/New_York"),
        ):
            w.setToolTip(tip)
            w.setProperty("baseTip", tip)

    def _build_tabs(self) -> None:
        columns_tab = QWidget()
        cl = QVBoxLayout(columns_tab)
        name_row = QFormLayout()
        name_row.addRow("List &name:", self.name_edit)
        cl.addLayout(name_row)
        cl.addWidget(QLabel("<b>Columns</b> (in order; at most 50)"))
        cl.addWidget(self.columns, 3)
        cl.addWidget(QLabel("<b>Column data types</b>"))
        cl.addWidget(self.types, 2)
        channels_tab = QWidget()
        ch = QVBoxLayout(channels_tab)
        for label, editor in (
            ("Phone columns", self.phones),
            ("Email columns", self.emails),
            ("WhatsApp columns", self.whatsapp),
        ):
            ch.addWidget(QLabel(f"<b>{label}</b>"))
            ch.addWidget(editor, 1)
        settings_tab = QWidget()
        form = QFormLayout(settings_tab)
        div_row = QHBoxLayout()
        div_row.addWidget(self.division_combo, 1)
        div_row.addWidget(self.reload_org_button)
        # a row whose field is a layout gets no buddy from addRow: give its label one, or the "&" shows
        division_label = QLabel("&Division:")
        division_label.setBuddy(self.division_combo)
        form.addRow(division_label, div_row)
        form.addRow("&Attempt limits:", self.limits_combo)
        form.addRow("&Preview-mode column:", self.preview_combo)
        offer_row = QHBoxLayout()
        offer_row.addWidget(self.preview_values, 1)
        offer_row.addWidget(self.preview_offer)
        values_label = QLabel("Preview &values:")
        values_label.setBuddy(self.preview_values)
        form.addRow(values_label, offer_row)
        form.addRow("", self.auto_tz)
        form.addRow("&ZIP column:", self.zip_combo)
        form.addRow("List &time zone:", self.time_zone_combo)
        form.addRow("", self.trim)
        form.addRow("&Retention:", self.retention_combo)
        form.addRow("Retention &days:", self.retention_days)
        form.addRow("List e&xpiry:", self.expiry)
        self.tabs = QTabWidget()
        self.tabs.addTab(columns_tab, "Columns")
        self.tabs.addTab(channels_tab, "Channels")
        self.tabs.addTab(settings_tab, "Settings")

    def _build_centre(self) -> QWidget:
        self.create_button = QPushButton("Create list")
        self.create_button.setToolTip("POST the list to the org after a confirmation (Ctrl+Return)")
        self.update_button = QPushButton("Update list")
        self.update_button.setToolTip("PUT the loaded list with its current version (Ctrl+Return)")
        self.save_new_button = QPushButton("Save as a new list…")
        self.save_new_button.setToolTip("Create a new list from this definition under another name")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        send_row = QHBoxLayout()
        for b in (self.create_button, self.update_button, self.save_new_button):
            send_row.addWidget(b)
        send_row.addStretch(1)
        centre = QWidget()
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(self.tabs, 1)
        cv.addLayout(send_row)
        cv.addWidget(self.result_label)

        return centre

    def _build_check(self) -> QWidget:
        self.findings_list = QListWidget()
        self.findings_list.setWordWrap(True)
        self.findings_list.setToolTip("Click a finding to go to the field")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.json_view = QPlainTextEdit()
        self.json_view.setReadOnly(True)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(9)
        self.json_view.setFont(mono)
        self.json_label = QLabel()
        self.json_label.setWordWrap(True)  # the method and path must not set the pane's minimum width
        # a wrapped label still asks for its longest word (the list's id in the path): it may not
        # widen the page past a 1024-pixel screen; the page's wording breaks the path at its slashes
        for label in (self.json_label, self.summary_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        right = QSplitter(Qt.Orientation.Vertical)
        check_box = QWidget()
        chl = QVBoxLayout(check_box)
        chl.setContentsMargins(0, 0, 0, 0)
        chl.addWidget(self.summary_label)
        chl.addWidget(self.findings_list)
        json_box = QWidget()
        jl = QVBoxLayout(json_box)
        jl.setContentsMargins(0, 0, 0, 0)
        jl.addWidget(self.json_label)
        jl.addWidget(self.json_view)
        right.addWidget(check_box)
        right.addWidget(json_box)
        right.setSizes([260, 400])

        return right
