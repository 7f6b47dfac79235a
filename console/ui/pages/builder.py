"""Contact-list builder page: design, check, create and update contact lists (issue 6).

Start from a blank list, a CSV's header (columns suggested from sampled values), a list or a
template on the org, or a saved definition file; edit every ContactList field of
genesys-api.md §4; see the exact JSON body the client will send (from
``ContactList.create_body()``/``update_body()``) and the local check
(:mod:`console.contacts.listcheck`) pinned at the offending widget; then create (POST) or
update (PUT with the current version) after a confirmation naming org, region and list.
All network and file work runs on workers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.api.client import GenesysClient
from console.api.errors import ApiStatusError
from console.api.models import ContactList, ContactListTemplate
from console.contacts.listcheck import ListFinding, check_definition, immutable_changes
from console.contacts.rules import load_definition
from console.ui.builder.dialogs import ConfirmSendDialog, FilePicker, ImmutableChangeDialog, NameDialog
from console.ui.builder.expiry import BuilderContactList, ExpiryEdit
from console.ui.builder.rows import FieldSpec, RowsEditor, set_finding
from console.ui.builder.suggest import CsvSuggestion, suggest_from_csv
from console.ui.pages import PageContext
from console.ui.session import region_label
from console.ui.workers import FunctionWorker, WorkerController

_EDITED = (
    "name",
    "division",
    "attemptLimits",
    "columnNames",
    "phoneColumns",
    "emailColumns",
    "whatsAppColumns",
    "previewModeColumnName",
    "previewModeAcceptedValues",
    "automaticTimeZoneMapping",
    "zipCodeColumnName",
    "columnDataTypeSpecifications",
    "trimWhitespace",
    "retentionType",
    "retentionDays",
    "dateExpiration",
    "timeZone",
)
# Per media kind: the row editor's fields; every other key of an entry is kept as loaded.
_MEDIA_EDITED = {
    "phoneColumns": ("columnName", "type", "callableTimeColumn", "callableTimeColumnName"),
    "emailColumns": ("columnName", "type", "contactableTimeColumn", "contactableTimeColumnName"),
    "whatsAppColumns": ("columnName", "type", "contactableTimeColumn", "contactableTimeColumnName"),
}
_SPEC_EDITED = ("columnName", "columnDataType", "min", "max", "maxLength")
_PATH = re.compile(r"^([A-Za-z]+)(?:\[(\d+)\])?(?:\.([A-Za-z]+))?")
_STYLE = """
QLineEdit[finding="error"], QComboBox[finding="error"], QCheckBox[finding="error"],
QDateTimeEdit[finding="error"] {
    border: 2px solid #c62828; background: #fdecea; color: #000; }
QLineEdit[finding="warning"], QComboBox[finding="warning"], QCheckBox[finding="warning"],
QDateTimeEdit[finding="warning"] {
    border: 2px solid #b26a00; background: #fff4e0; color: #000; }
"""


def _with_client(session: Any, fn: Any, *args: Any, cancel: Any, progress: Any) -> Any:
    """Run ``fn(client, *args)`` with a fresh client for this worker.

    The client is deliberately not closed: every session client shares the session's
    ``AbortableTransport``, and closing one client closes that pool under the other pages'
    requests in flight (seen as ``ReadError: Bad file descriptor``).
    """
    client = session.new_client(cancel=cancel)
    return fn(client, *args)


def _load_org_pickers(client: GenesysClient) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    divisions = [(d.name or d.id or "", d.id or "") for d in client.iter_divisions()]
    limits = [(a.name or a.id or "", a.id or "") for a in client.get_attempt_limits(page_size=100).entities]
    return divisions, limits


def _search(client: GenesysClient, kind: str, text: str) -> list[tuple[str, str, str]]:
    name = text.strip() or None
    if kind == "template":
        page_t = client.list_contact_list_templates(name=name, page_size=100, sort_by="name")
        return [("template", t.id or "", t.name or "") for t in page_t.entities]
    page_l = client.list_contact_lists(name=name, page_size=100, sort_by="name")
    return [("list", c.id or "", c.name or "") for c in page_l.entities]


def _fetch(client: GenesysClient, kind: str, entity_id: str) -> tuple[str, ContactList]:
    if kind == "template":
        return kind, client.get_contact_list_template(entity_id)
    return kind, client.get_contact_list(entity_id)


def _send(client: GenesysClient, action: str, definition: ContactList) -> tuple[str, ContactList]:
    if action == "update":
        return action, client.update_contact_list(definition)
    if action == "template":
        return action, client.create_contact_list_template(ContactListTemplate.from_list(definition))
    return action, client.create_contact_list(definition)


def _read_definition(path: Path) -> ContactList:
    return load_definition(path)


def _write_definition(path: Path, body: dict[str, Any]) -> Path:
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def server_finding(exc: ApiStatusError) -> ListFinding:
    """A server rejection as a finding pinned to the field it names (``details[].fieldName`` or message)."""
    path = ""
    if exc.body is not None:
        path = next((d.field_name for d in exc.body.details or [] if d.field_name), "") or ""
    if not path:
        m = _PATH.match(exc.detail)
        path = m.group(0) if m and m.group(1) in (*_EDITED, "version") else ""
    return ListFinding(
        path or "(request)",
        exc.code or f"http.{exc.status_code}",
        f"Server ({exc.status_code} {exc.code or ''}): {exc.detail}".replace(" )", ")"),
        "Correct the field and send again.",
    )


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


class BuilderPage(QWidget):
    """Design a contact list, check it locally, and create or update it on the org.

    Signals:
        definition_changed(object): the :class:`ContactList` being built, after every change.
        sent(object): the :class:`ContactList` the server answered after a create or update.
    """

    definition_changed = Signal(object)  # ContactList
    sent = Signal(object)  # ContactList

    title = "List builder"

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setStyleSheet(_STYLE)
        self.loaded: ContactList | None = None
        """The list as last read from / written to the org (id, version); None for a new list."""
        self._base: dict[str, Any] = {}
        self._samples: dict[str, list[str]] = {}
        self._server: list[ListFinding] = []
        self._findings: list[ListFinding] = []
        self._definition: ContactList = BuilderContactList()
        self._preview_loaded: tuple[str, list[str]] = ("", [])
        self._filling = False
        self._org_loaded = False
        self._pending_save_as_new = False
        sink = context.sink
        self._org_ctl = WorkerController(self, sink=sink, context="Load divisions and attempt limits")
        self._search_ctl = WorkerController(self, sink=sink, context="Search the org")
        self._load_ctl = WorkerController(self, sink=sink, context="Load from the org")
        self._send_ctl = WorkerController(self, sink=sink, context="Send the contact list")
        self._csv_ctl = WorkerController(self, sink=sink, context="Read the CSV header")
        self._file_ctl = WorkerController(self, sink=sink, context="Definition file")
        self._org_ctl.succeeded.connect(self._on_org_loaded)
        self._search_ctl.succeeded.connect(self._on_search_done)
        self._load_ctl.succeeded.connect(self._on_entity_loaded)
        self._send_ctl.succeeded.connect(self._on_sent)
        self._send_ctl.failed.connect(self._on_send_failed)
        self._csv_ctl.succeeded.connect(self._on_csv_suggested)
        self._file_ctl.succeeded.connect(self._on_file_done)
        for ctl in (
            self._org_ctl,
            self._search_ctl,
            self._load_ctl,
            self._send_ctl,
            self._csv_ctl,
            self._file_ctl,
        ):
            ctl.started.connect(self._on_busy_changed)
            ctl.finished.connect(self._on_busy_changed)
        self._build_ui()
        self.context.session.profile_changed.connect(self._on_profile_changed)
        self._refresh()

    # -- layout ------------------------------------------------------------------------------------

    def _build_ui(self) -> None:
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
        top = QHBoxLayout()
        for button, (tip, key) in tips.items():
            button.setToolTip(tip if not key or key in tip else f"{tip} ({key})")
            if key:
                QShortcut(
                    QKeySequence(key), self, button.click, Qt.ShortcutContext.WidgetWithChildrenShortcut
                )
            top.addWidget(button)
        top.addStretch(1)
        self.mode_label = QLabel()
        self.mode_label.setObjectName("builderMode")
        top.addWidget(self.mode_label)

        # left: the org
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
            self,
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

        # centre: editors
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
        import zoneinfo

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
        form.addRow("&Division:", div_row)
        form.addRow("&Attempt limits:", self.limits_combo)
        form.addRow("&Preview-mode column:", self.preview_combo)
        offer_row = QHBoxLayout()
        offer_row.addWidget(self.preview_values, 1)
        offer_row.addWidget(self.preview_offer)
        form.addRow("Preview &values:", offer_row)
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

        self.create_button = QPushButton("Create list")
        self.create_button.setToolTip("POST the list to the org after a confirmation (Ctrl+Return)")
        self.update_button = QPushButton("Update list")
        self.update_button.setToolTip("PUT the loaded list with its current version (Ctrl+Return)")
        self.save_new_button = QPushButton("Save as a new list…")
        self.save_new_button.setToolTip("Create a new list from this definition under another name")
        QShortcut(
            QKeySequence("Ctrl+Return"),
            self,
            self._on_send_shortcut,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
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

        # right: check and JSON
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

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(org_box)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([230, 620, 430])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        # wiring
        self.new_button.clicked.connect(self.start_blank)
        self.csv_button.clicked.connect(self._on_csv_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.template_button.clicked.connect(self._on_template_clicked)
        self.search_button.clicked.connect(self._on_search_clicked)
        self.search_edit.returnPressed.connect(self._on_search_clicked)
        self.load_button.clicked.connect(self._on_load_clicked)
        self.results.itemDoubleClicked.connect(self._on_load_clicked)
        self.reload_org_button.clicked.connect(self.load_org_pickers)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.update_button.clicked.connect(self._on_update_clicked)
        self.save_new_button.clicked.connect(self._on_save_new_clicked)
        self.findings_list.itemClicked.connect(self._on_finding_clicked)
        self.preview_offer.activated.connect(self._on_preview_offer_activated)
        self.columns.changed.connect(self._on_columns_changed)
        for editor in (self.phones, self.emails, self.whatsapp, self.types):
            editor.changed.connect(self._on_edited)
        for edit in (self.name_edit, self.preview_values, self.retention_days):
            edit.textChanged.connect(self._on_edited)
        for combo in (self.preview_combo, self.zip_combo, self.retention_combo, self.time_zone_combo):
            combo.currentTextChanged.connect(self._on_edited)
        for combo in (self.division_combo, self.limits_combo):
            combo.currentIndexChanged.connect(self._on_edited)
        for box in (self.auto_tz, self.trim):
            box.toggled.connect(self._on_edited)
        self.expiry.changed.connect(self._on_edited)
        self._column_names: list[str] = []

    # -- the definition ----------------------------------------------------------------------------

    @property
    def definition(self) -> ContactList:
        """The definition being built (what the JSON preview shows)."""
        return self._definition

    @property
    def findings(self) -> list[ListFinding]:
        """Current findings: server rejections first, then the local check."""
        return list(self._findings)

    def _int_field(self, text: str, path: str, out: list[ListFinding]) -> int | None:
        text = text.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            out.append(
                ListFinding(
                    path,
                    "value.not_integer",
                    f"{path} [{text}] is not a whole number.",
                    "Type digits only, e.g. 100.",
                )
            )
            return None

    def _collect(self) -> tuple[ContactList, list[ListFinding]]:
        """Read every widget into a ContactList; text that cannot be a number becomes a finding."""
        form: list[ListFinding] = []
        body: dict[str, Any] = {k: v for k, v in self._base.items() if k not in _EDITED}
        body["name"] = self.name_edit.text()
        body["columnNames"] = [r["name"] for r in self.columns.rows()]
        div = self.division_combo.currentData()
        if div:
            body["division"] = {"id": div, "name": self.division_combo.currentText()}
        lim = self.limits_combo.currentData()
        if lim:
            body["attemptLimits"] = {"id": lim, "name": self.limits_combo.currentText()}
        for key, editor in (
            ("phoneColumns", self.phones),
            ("emailColumns", self.emails),
            ("whatsAppColumns", self.whatsapp),
        ):
            entries = []
            for i, r in enumerate(editor.rows()):
                # keys this page has no editor for go back as loaded; an emptied editor removes its key
                entry = {k: v for k, v in editor.extras(i).items() if k not in _MEDIA_EDITED[key]}
                entry.update(columnName=r["columnName"], type=r["type"])
                for time_key in _MEDIA_EDITED[key][2:]:
                    if r[time_key]:
                        entry[time_key] = r[time_key]
                entries.append(entry)
            if entries:
                body[key] = entries
        specs = []
        for i, r in enumerate(self.types.rows()):
            spec: dict[str, Any] = {k: v for k, v in self.types.extras(i).items() if k not in _SPEC_EDITED}
            spec["columnName"] = r["columnName"]
            if r["columnDataType"]:
                spec["columnDataType"] = (
                    r["columnDataType"]
                    if r["columnDataType"] in ("TEXT", "NUMERIC", "TIMESTAMP", "DATETIME")
                    else None
                )
                if spec["columnDataType"] is None:
                    form.append(
                        ListFinding(
                            f"columnDataTypeSpecifications[{i}].columnDataType",
                            "value.invalid",
                            f"columnDataTypeSpecifications[{i}].columnDataType [{r['columnDataType']}]"
                            " is not TEXT, NUMERIC, TIMESTAMP or DATETIME.",
                            "Pick one of the four.",
                        )
                    )
                    del spec["columnDataType"]
            for key in ("min", "max", "maxLength"):
                value = self._int_field(r[key], f"columnDataTypeSpecifications[{i}].{key}", form)
                if value is not None:
                    spec[key] = value
            specs.append(spec)
        if specs:
            body["columnDataTypeSpecifications"] = specs
        if self.preview_combo.currentText():
            body["previewModeColumnName"] = self.preview_combo.currentText()
        text = self.preview_values.text()
        if text == self._preview_loaded[0]:
            # as loaded: values holding a comma or spaces round a value survive the text field
            values = list(self._preview_loaded[1])
        else:
            values = [v.strip() for v in text.split(",") if v.strip()]
        if values:
            body["previewModeAcceptedValues"] = values
        body["automaticTimeZoneMapping"] = self.auto_tz.isChecked()
        if self.zip_combo.currentText():
            body["zipCodeColumnName"] = self.zip_combo.currentText()
        body["trimWhitespace"] = self.trim.isChecked()
        if self.retention_combo.currentText():
            body["retentionType"] = self.retention_combo.currentText()
        days = self._int_field(self.retention_days.text(), "retentionDays", form)
        if days is not None:
            body["retentionDays"] = days
        if self.time_zone_combo.currentText():
            body["timeZone"] = self.time_zone_combo.currentText()
        expiry = self.expiry.value()
        if expiry is not None:
            body["dateExpiration"] = expiry
        return BuilderContactList.model_validate(body), form

    def set_definition(self, definition: ContactList, *, loaded: ContactList | None = None) -> None:
        """Show ``definition`` in every editor; ``loaded`` is the org's copy when editing an existing list."""
        self.loaded = loaded
        self._base = definition.model_dump(by_alias=True, exclude_none=True, mode="json")
        self._server = []
        self._filling = True
        try:
            self.name_edit.setText(definition.name or "")
            self.columns.set_rows([{"name": c} for c in definition.column_names])
            self._column_names = list(definition.column_names)
            self._offer_columns()
            for key, editor in (
                ("phoneColumns", self.phones),
                ("emailColumns", self.emails),
                ("whatsAppColumns", self.whatsapp),
            ):
                entries: list[dict[str, Any]] = self._base.get(key) or []
                editor.set_rows(
                    [{k: str(e.get(k) or "") for k in _MEDIA_EDITED[key]} for e in entries],
                    [{k: v for k, v in e.items() if k not in _MEDIA_EDITED[key]} for e in entries],
                )
            self.types.set_rows(
                [
                    {
                        "columnName": s.column_name or "",
                        "columnDataType": str(s.column_data_type or ""),
                        "min": "" if s.min is None else str(s.min),
                        "max": "" if s.max is None else str(s.max),
                        "maxLength": "" if s.max_length is None else str(s.max_length),
                    }
                    for s in definition.column_data_type_specifications or []
                ],
                [
                    {k: v for k, v in spec.items() if k not in _SPEC_EDITED}
                    for spec in self._base.get("columnDataTypeSpecifications") or []
                ],
            )
            self._select(
                self.division_combo,
                (definition.division.id or "") if definition.division else "",
                definition.division.name if definition.division else None,
            )
            self._select(
                self.limits_combo,
                (definition.attempt_limits.id or "") if definition.attempt_limits else "",
                definition.attempt_limits.name if definition.attempt_limits else None,
            )
            self.preview_combo.setCurrentText(definition.preview_mode_column_name or "")
            accepted = list(definition.preview_mode_accepted_values or [])
            self._preview_loaded = (", ".join(accepted), accepted)
            self.preview_values.setText(self._preview_loaded[0])
            self.auto_tz.setChecked(bool(definition.automatic_time_zone_mapping))
            self.zip_combo.setCurrentText(definition.zip_code_column_name or "")
            self.trim.setChecked(definition.trim_whitespace is not False)
            self.retention_combo.setCurrentText(str(definition.retention_type or ""))
            self.retention_days.setText(
                "" if definition.retention_days is None else str(definition.retention_days)
            )
            self.time_zone_combo.setCurrentText(definition.time_zone or "")
            self.expiry.set_value(definition.date_expiration)
        finally:
            self._filling = False
        self._refresh()

    @staticmethod
    def _select(combo: QComboBox, entity_id: str, name: str | None) -> None:
        index = combo.findData(entity_id)
        if index < 0:
            combo.addItem(name or entity_id, entity_id)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def _offer_columns(self) -> None:
        names = self._column_names
        for editor in (self.phones, self.emails, self.whatsapp, self.types):
            editor.set_columns(names)
        for combo in (self.preview_combo, self.zip_combo):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(["", *names])
            combo.setCurrentText(current)
            combo.blockSignals(False)
        self._offer_preview_values()

    def _offer_preview_values(self) -> None:
        values = self._samples.get(self.preview_combo.currentText(), [])
        self.preview_offer.blockSignals(True)
        self.preview_offer.clear()
        self.preview_offer.addItem("Values from the CSV…" if values else "(no CSV values)")
        self.preview_offer.addItems(values)
        self.preview_offer.setEnabled(bool(values))
        self.preview_offer.blockSignals(False)

    def _refresh(self) -> None:
        """Rebuild the definition, run the check, pin findings, update the JSON and the buttons."""
        definition, form = self._collect()
        self._definition = definition
        self._findings = [*self._server, *form, *check_definition(definition)]
        if self.loaded is not None:
            body = definition.update_body()
            self.json_label.setText(
                f"<b>PUT</b> /api/v2/outbound/contactlists/{self.loaded.id} — body exactly as sent"
            )
        else:
            body = definition.create_body()
            self.json_label.setText("<b>POST</b> /api/v2/outbound/contactlists — body exactly as sent")
        self.json_view.setPlainText(json.dumps(body, indent=2, ensure_ascii=False))
        self._show_findings()
        editing = self.loaded is not None
        self.mode_label.setText(
            f"Editing <b>{self.loaded.name}</b> (version {self.loaded.version})"
            if editing and self.loaded
            else "New list (not on the org yet)"
        )
        busy = self._send_ctl.is_running
        self.update_button.setEnabled(editing and not busy)
        self.save_new_button.setEnabled(editing and not busy)
        self.definition_changed.emit(definition)

    def _show_findings(self) -> None:
        for editor in (self.columns, self.phones, self.emails, self.whatsapp, self.types):
            editor.clear_marks()
        for w in self._plain_widgets().values():
            set_finding(w, "", "")
        self.findings_list.clear()
        errors = sum(1 for f in self._findings if f.severity == "error")
        warnings = len(self._findings) - errors
        if not self._findings:
            self.summary_label.setText("<b>Local check:</b> <span style='color:#2e7d32'>✔ no problems</span>")
        else:
            self.summary_label.setText(f"<b>Local check:</b> {errors} error(s), {warnings} warning(s)")
        marked: set[int] = set()
        for finding in self._findings:
            icon = "✖" if finding.severity == "error" else "⚠"
            item = QListWidgetItem(f"{icon} {finding.message}\n    → {finding.fix}")
            item.setData(Qt.ItemDataRole.UserRole, finding.path)
            item.setToolTip(f"{finding.code} at {finding.path}")
            self.findings_list.addItem(item)
            widget = self.widget_for(finding.path)
            if widget is not None and id(widget) not in marked:
                marked.add(id(widget))
                set_finding(widget, finding.severity, f"{finding.message}\nFix: {finding.fix}")

    def _plain_widgets(self) -> dict[str, QWidget]:
        return {
            "name": self.name_edit,
            "division": self.division_combo,
            "attemptLimits": self.limits_combo,
            "previewModeColumnName": self.preview_combo,
            "previewModeAcceptedValues": self.preview_values,
            "automaticTimeZoneMapping": self.auto_tz,
            "zipCodeColumnName": self.zip_combo,
            "trimWhitespace": self.trim,
            "retentionType": self.retention_combo,
            "retentionDays": self.retention_days,
            "timeZone": self.time_zone_combo,
            "dateExpiration": self.expiry.edit,
        }

    def widget_for(self, path: str) -> QWidget | None:
        """The widget editing the field at a wire path (``phoneColumns[0].columnName`` ...), if any."""
        m = _PATH.match(path)
        if m is None:
            return None
        key, index, sub = m.group(1), m.group(2), m.group(3)
        plain = self._plain_widgets()
        if key in plain:
            return plain[key]
        editors = {
            "columnNames": (self.columns, "name"),
            "phoneColumns": (self.phones, "columnName"),
            "emailColumns": (self.emails, "columnName"),
            "whatsAppColumns": (self.whatsapp, "columnName"),
            "columnDataTypeSpecifications": (self.types, "columnName"),
        }
        if key not in editors:
            return None
        editor, default = editors[key]
        if index is None or int(index) >= editor.row_count():
            return editor.table if editor.row_count() else editor.add_button
        field = sub or default
        for candidate in (field, field.removesuffix("Name"), default):
            try:
                return editor.editor(int(index), candidate)
            except (KeyError, StopIteration):
                continue
        return None

    def reveal(self, path: str) -> QWidget | None:
        """Switch to the tab of the field at ``path`` and focus its widget."""
        widget = self.widget_for(path)
        if widget is None:
            return None
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if tab is not None and tab.isAncestorOf(widget):
                self.tabs.setCurrentIndex(i)
                break
        widget.setFocus()
        return widget

    # -- editing slots -----------------------------------------------------------------------------

    @Slot()
    def _on_edited(self) -> None:
        if self._filling:
            return
        self._server = []
        if self.sender() is self.preview_combo:
            self._offer_preview_values()
        self._refresh()

    @Slot()
    def _on_columns_changed(self) -> None:
        if self._filling:
            return
        new = [r["name"] for r in self.columns.rows()]
        old = self._column_names
        if len(new) == len(old):
            changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            if len(changed) == 1 and old[changed[0]]:
                was, now = old[changed[0]], new[changed[0]]
                self._filling = True
                try:
                    for editor in (self.phones, self.emails, self.whatsapp, self.types):
                        editor.rename_column(was, now)
                    for combo in (self.preview_combo, self.zip_combo):
                        if combo.currentText() == was:
                            combo.setCurrentText(now)
                    if was in self._samples:
                        self._samples[now] = self._samples.pop(was)
                finally:
                    self._filling = False
        self._column_names = new
        self._filling = True
        try:
            self._offer_columns()
        finally:
            self._filling = False
        self._server = []
        self._refresh()

    @Slot(QListWidgetItem)
    def _on_finding_clicked(self, item: QListWidgetItem) -> None:
        self.reveal(str(item.data(Qt.ItemDataRole.UserRole)))

    @Slot(int)
    def _on_preview_offer_activated(self, index: int) -> None:
        if index <= 0:
            return
        value = self.preview_offer.itemText(index)
        values = [v.strip() for v in self.preview_values.text().split(",") if v.strip()]
        if value not in values:
            self.preview_values.setText(", ".join([*values, value]))
        self.preview_offer.setCurrentIndex(0)

    # -- starting points ---------------------------------------------------------------------------

    @Slot()
    def start_blank(self) -> None:
        """A blank new list: a ContactId column and an empty phone column to fill in."""
        self._samples = {}
        self.set_definition(ContactList.model_validate({"name": "", "columnNames": ["ContactId"]}))
        self.result_label.setText("Blank list: add columns, then mark a phone, email or WhatsApp column.")

    @Slot()
    def _on_csv_clicked(self) -> None:
        path = FilePicker.open_path(
            self, "Columns from a CSV header", "CSV files (*.csv *.txt);;All files (*)"
        )
        if path is not None:
            self.start_from_csv(path)

    def start_from_csv(self, path: Path) -> None:
        """Sample ``path`` on a worker and propose a definition from its header."""
        if self._csv_ctl.is_running:
            return
        self.result_label.setText(f"Reading {path.name}…")
        self._csv_ctl.start(FunctionWorker(suggest_from_csv, path))

    @Slot(object)
    def _on_csv_suggested(self, result: object) -> None:
        assert isinstance(result, CsvSuggestion)
        self._samples = result.samples
        self.set_definition(result.definition)
        for r, row in enumerate(self.columns.rows()):
            reason = result.reasons.get(row["name"])
            if reason:
                widget = self.columns.editor(r, "name")
                widget.setProperty("baseTip", reason)
                widget.setToolTip(reason)
        roles = ", ".join(f"{k} ({v.split(':')[0].lower()})" for k, v in result.reasons.items()) or "none"
        self.result_label.setText(
            f"From {result.path.name}: {len(result.definition.column_names)} columns, "
            f"{result.rows_sampled} rows sampled. Suggested: {roles}. Check the Channels tab."
        )

    @Slot()
    def _on_open_clicked(self) -> None:
        path = FilePicker.open_path(self, "Open a definition", "Definitions (*.json);;All files (*)")
        if path is not None and not self._file_ctl.is_running:
            self._file_ctl.start(FunctionWorker(_read_definition, path, pass_control=False))

    @Slot()
    def _on_save_clicked(self) -> None:
        suggested = f"{self._definition.name or 'contact-list'}.json"
        path = FilePicker.save_path(self, "Save the definition", "Definitions (*.json)", suggested)
        if path is None or self._file_ctl.is_running:
            return
        body = self._definition.model_dump(by_alias=True, exclude_none=True, mode="json")
        self._file_ctl.start(FunctionWorker(_write_definition, path, body, pass_control=False))

    @Slot(object)
    def _on_file_done(self, result: object) -> None:
        if isinstance(result, ContactList):
            self._samples = {}
            self.set_definition(result, loaded=None)
            self.result_label.setText("Definition loaded from file (a new list; Create sends it).")
        elif isinstance(result, Path):
            self.result_label.setText(f"Saved to {result}")

    # -- the org -----------------------------------------------------------------------------------

    @Slot(object)
    def _on_profile_changed(self, _profile: object) -> None:
        self._org_loaded = False
        self.results.clear()

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if (
            self.tabs.widget(index) is not None
            and self.tabs.tabText(index) == "Settings"
            and not self._org_loaded
        ):
            self.load_org_pickers()

    def showEvent(self, event: QShowEvent) -> None:
        """Load the pickers when the page is shown on the Settings tab."""
        super().showEvent(event)
        if self.tabs.tabText(self.tabs.currentIndex()) == "Settings" and not self._org_loaded:
            self.load_org_pickers()

    @Slot()
    def load_org_pickers(self) -> None:
        """Load divisions and attempt limits from the org (on a worker)."""
        if self._org_ctl.is_running or self.context.session.profile is None:
            return
        self._org_ctl.start(FunctionWorker(_with_client, self.context.session, _load_org_pickers))

    @Slot(object)
    def _on_org_loaded(self, result: object) -> None:
        divisions, limits = cast("tuple[list[tuple[str, str]], list[tuple[str, str]]]", result)
        self._org_loaded = True
        self._filling = True
        try:
            for combo, items, empty in (
                (self.division_combo, divisions, "(home division)"),
                (self.limits_combo, limits, "(none)"),
            ):
                current, shown = combo.currentData(), combo.currentText()
                combo.clear()
                combo.addItem(empty, "")
                for name, entity_id in items:
                    combo.addItem(name, entity_id)
                # a reference the org listing did not return (another page, no permission to list
                # it) stays as loaded instead of silently becoming the home division / no limits
                self._select(combo, current or "", shown)
        finally:
            self._filling = False
        self._refresh()

    @Slot()
    def _on_search_clicked(self) -> None:
        if self._search_ctl.is_running or self.context.session.profile is None:
            return
        kind = str(self.org_kind.currentData())
        self._search_ctl.start(
            FunctionWorker(_with_client, self.context.session, _search, kind, self.search_edit.text())
        )

    @Slot(object)
    def _on_search_done(self, result: object) -> None:
        self.results.clear()
        for kind, entity_id, name in cast("list[tuple[str, str, str]]", result):
            item = QListWidgetItem(("Template: " if kind == "template" else "") + name)
            item.setData(Qt.ItemDataRole.UserRole, (kind, entity_id))
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        else:
            self.results.addItem("(nothing found)")

    @Slot()
    def _on_load_clicked(self) -> None:
        item = self.results.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not data or self._load_ctl.is_running:
            return
        kind, entity_id = data
        self._load_ctl.start(FunctionWorker(_with_client, self.context.session, _fetch, kind, entity_id))

    @Slot(object)
    def _on_entity_loaded(self, result: object) -> None:
        kind, entity = cast("tuple[str, ContactList]", result)
        self._samples = {}
        if kind == "template":
            self.set_definition(
                ContactListTemplate.model_validate(entity.model_dump()).to_list(), loaded=None
            )
            self.result_label.setText(f"New list from template “{entity.name}”.")
        else:
            self.set_definition(entity, loaded=entity)
            self.result_label.setText(f"Loaded “{entity.name}” (version {entity.version}).")

    # -- sending -----------------------------------------------------------------------------------

    def _where(self) -> str:
        session = self.context.session
        org = session.org_name or "(org not checked yet)"
        region = region_label(session.profile) if session.profile is not None else "(no profile)"
        return f"org “{org}”, region {region}"

    def _blocked(self) -> bool:
        errors = [f for f in self._findings if f.severity == "error" and f not in self._server]
        if errors:
            self.result_label.setText(
                f"Not sent: the local check found {len(errors)} error(s). First: {errors[0].message}"
            )
            self.reveal(errors[0].path)
            return True
        if self._send_ctl.is_running:
            self.result_label.setText("Still sending the previous request; try again in a moment.")
            return True
        return False

    @Slot()
    def _on_send_shortcut(self) -> None:
        if self.loaded is not None:
            self._on_update_clicked()
        else:
            self._on_create_clicked()

    @Slot()
    def _on_create_clicked(self) -> None:
        if self._blocked():
            return
        definition = self._definition
        if not ConfirmSendDialog.ask(
            self, "Create list", f"Create the contact list “{definition.name}” on {self._where()}?"
        ):
            return
        self._send("create", definition.model_copy(update={"id": None, "version": None}))

    @Slot()
    def _on_update_clicked(self) -> None:
        if self.loaded is None or self._blocked():
            return
        fixed = immutable_changes(self.loaded, self._definition)
        refused = [f for f in fixed if f.severity == "error"]
        if refused:
            text = (
                "The platform does not let an update change "
                + ", ".join(f.path for f in refused)
                + f" of “{self.loaded.name}”.\n\nSave this definition as a new list instead?"
            )
            if ImmutableChangeDialog.ask(self, text) == ImmutableChangeDialog.SAVE_AS_NEW:
                self._on_save_new_clicked()
            return
        note = ("\n\nAlso changed (may be refused): " + ", ".join(f.path for f in fixed)) if fixed else ""
        if not ConfirmSendDialog.ask(
            self,
            "Update list",
            f"Update the contact list “{self._definition.name}” (version {self.loaded.version}) "
            f"on {self._where()}?{note}",
        ):
            return
        self._send(
            "update",
            self._definition.model_copy(update={"id": self.loaded.id, "version": self.loaded.version}),
        )

    @Slot()
    def _on_save_new_clicked(self) -> None:
        if self._blocked():
            return
        base = self._definition.name or "List"
        name = NameDialog.ask(
            self, "Save as a new list", f"Name of the new list on {self._where()}:", f"{base} (new)"
        )
        if name is None:
            return
        definition = self._definition.model_copy(update={"name": name, "id": None, "version": None})
        if not ConfirmSendDialog.ask(
            self, "Create list", f"Create the contact list “{name}” on {self._where()}?"
        ):
            return
        self.name_edit.setText(name)
        self._send("create", definition)

    @Slot()
    def _on_template_clicked(self) -> None:
        if self._blocked():
            return
        name = NameDialog.ask(
            self,
            "Push as template",
            f"Template name on {self._where()}:",
            self._definition.name or "Template",
        )
        if name is None:
            return
        self._send("template", self._definition.model_copy(update={"name": name}))

    def _send(self, action: str, definition: ContactList) -> None:
        self.result_label.setText("Sending…")
        self._send_ctl.start(FunctionWorker(_with_client, self.context.session, _send, action, definition))

    @Slot(object)
    def _on_sent(self, result: object) -> None:
        action, entity = cast("tuple[str, ContactList]", result)
        if action == "template":
            self.result_label.setText(f"Template “{entity.name}” created on the org (id {entity.id}).")
            return
        verb = "Updated" if action == "update" else "Created"
        self.set_definition(entity, loaded=entity)
        self.result_label.setText(f"{verb} “{entity.name}” — version {entity.version}, id {entity.id}.")
        self.sent.emit(entity)

    @Slot(object)
    def _on_send_failed(self, exc: object) -> None:
        if isinstance(exc, ApiStatusError):
            finding = server_finding(exc)
            self._server = [finding]
            self._refresh()
            self.reveal(finding.path)
            self.result_label.setText(f"Refused by the server at {finding.path}: {exc.detail}")
        else:
            self.result_label.setText(f"Not sent: {exc}")

    @Slot()
    def _on_busy_changed(self) -> None:
        busy = self._send_ctl.is_running
        for b in (self.create_button, self.template_button):
            b.setEnabled(not busy)
        self.update_button.setEnabled(not busy and self.loaded is not None)
        self.save_new_button.setEnabled(not busy and self.loaded is not None)
        self.search_button.setEnabled(not self._search_ctl.is_running)
        self.load_button.setEnabled(not self._load_ctl.is_running)
