"""Contact-list builder page: design, check, create and update contact lists (issue 6).

Start from a blank list, a CSV's header (columns suggested from sampled values), a list or a
template on the org, or a saved definition file; edit every ContactList field of
genesys-api.md §4; see the exact JSON body the client will send (from
``ContactList.create_body()``/``update_body()``) and the local check
(:mod:`console.contacts.listcheck`) pinned at the offending widget; then create (POST) or
update (PUT with the current version) after a confirmation naming org, region and list.

Rooms: the widgets are built in :mod:`~console.ui.builder.view` and read and written in
:mod:`~console.ui.builder.form`; the form ↔ wire mapping is :mod:`~console.ui.builder.mapping`
(no Qt); network and file work runs on the workers of :mod:`~console.ui.builder.controller`.
This module wires them and holds the page's state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QListWidgetItem, QWidget

from console.api.errors import ApiStatusError
from console.api.models import ContactList, ContactListTemplate
from console.connect import region_label
from console.contacts.listcheck import ListFinding, check_definition, immutable_changes
from console.ui.builder.controller import BuilderController
from console.ui.builder.dialogs import ConfirmSendDialog, FilePicker, ImmutableChangeDialog, NameDialog
from console.ui.builder.form import BuilderForm
from console.ui.builder.mapping import (
    BuilderContactList,
    FormState,
    definition_to_form,
    form_to_definition,
    renamed_column,
    server_finding,
)
from console.ui.builder.names import duplicate_name
from console.ui.builder.suggest import CsvSuggestion
from console.ui.pages import PageContext
from console.ui.words import plural


class BuilderPage(QWidget, BuilderForm):
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
        self.loaded: ContactList | None = None
        """The list as last read from / written to the org (id, version); None for a new list."""
        self._shown = FormState()
        self._samples: dict[str, list[str]] = {}
        self._server: list[ListFinding] = []
        self._known_lists: dict[str, str] = {}
        """List id -> name of the org's lists the app has loaded (a new list may not take a name)."""
        self._findings: list[ListFinding] = []
        self._definition: ContactList = BuilderContactList()
        self._column_names: list[str] = []
        self._filling = False
        self._org_loaded = False
        self.jobs = BuilderController(context.session, context.sink, self)
        self.jobs.pickers_loaded.connect(self._on_org_loaded)
        self.jobs.searched.connect(self._on_search_done)
        self.jobs.entity_loaded.connect(self._on_entity_loaded)
        self.jobs.sent.connect(self._on_sent)
        self.jobs.send_failed.connect(self._on_send_failed)
        self.jobs.suggested.connect(self._on_csv_suggested)
        self.jobs.file_done.connect(self._on_file_done)
        self.jobs.busy_changed.connect(self._on_busy_changed)
        self.setup_ui(self)
        self._wire()
        self.context.session.profile_changed.connect(self._on_profile_changed)
        self._refresh()

    def _wire(self) -> None:
        QShortcut(
            QKeySequence("Ctrl+Return"),
            self,
            self._on_send_shortcut,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
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

    # -- the definition ----------------------------------------------------------------------------

    @property
    def definition(self) -> ContactList:
        """The definition being built (what the JSON preview shows)."""
        return self._definition

    @property
    def findings(self) -> list[ListFinding]:
        """Current findings: server rejections first, then the local check."""
        return list(self._findings)

    def set_definition(self, definition: ContactList, *, loaded: ContactList | None = None) -> None:
        """Show ``definition`` in every editor; ``loaded`` is the org's copy when editing an existing list."""
        self.loaded = loaded
        self._shown = definition_to_form(definition)
        self._server = []
        self._filling = True
        try:
            self._column_names = list(self._shown.columns)
            self.show_form(self._shown, self._samples)
        finally:
            self._filling = False
        self._refresh()

    def _refresh(self) -> None:
        """Rebuild the definition, run the check, pin findings, update the JSON and the buttons."""
        definition, form = form_to_definition(self.form_state(self._shown))
        self._definition = definition
        own_id = self.loaded.id if self.loaded is not None else None
        taken = duplicate_name(definition.name or "", own_id, self._known_lists)
        self._findings = [*self._server, *form, *check_definition(definition), *([taken] if taken else [])]
        if self.loaded is not None:
            body = definition.update_body()
            path = f"/api/v2/outbound/contactlists/{self.loaded.id}".replace("/", "/\u200b")  # breaks at "/"
            self.json_label.setText(
                f"<b>PUT</b> {path} — body exactly as Update list sends it. Create list and Save as a new "
                "list <b>POST</b> it to /api/v2/outbound/contactlists without id and version."
            )
        else:
            body = definition.create_body()
            self.json_label.setText("<b>POST</b> /api/v2/outbound/contactlists — body exactly as sent")
        self.json_view.setPlainText(json.dumps(body, indent=2, ensure_ascii=False))
        self.show_findings(self._findings)
        editing = self.loaded is not None
        self.mode_label.setText(
            f"Editing <b>{self.loaded.name}</b> (version {self.loaded.version})"
            if editing and self.loaded
            else "New list (not on the org yet)"
        )
        busy = self.jobs.sending
        self.update_button.setEnabled(editing and not busy)
        self.save_new_button.setEnabled(editing and not busy)
        self.definition_changed.emit(definition)

    # -- editing slots -----------------------------------------------------------------------------

    @Slot()
    def _on_edited(self) -> None:
        if self._filling:
            return
        self._server = []
        if self.sender() is self.preview_combo:
            self.offer_preview_values(self._samples)
        self._refresh()

    @Slot()
    def _on_columns_changed(self) -> None:
        if self._filling:
            return
        new = [r["name"] for r in self.columns.rows()]
        renamed = renamed_column(self._column_names, new)
        if renamed is not None:
            was, now = renamed
            self._filling = True
            try:
                self.rename_column(was, now)
                if was in self._samples:
                    self._samples[now] = self._samples.pop(was)
            finally:
                self._filling = False
        self._column_names = new
        self._filling = True
        try:
            self.offer_columns(new, self._samples)
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
        if self.jobs.suggest(path):
            self.result_label.setText(f"Reading {path.name}…")

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
        if path is not None:
            self.jobs.read(path)

    @Slot()
    def _on_save_clicked(self) -> None:
        suggested = f"{self._definition.name or 'contact-list'}.json"
        path = FilePicker.save_path(self, "Save the definition", "Definitions (*.json)", suggested)
        if path is not None:
            self.jobs.write(path, self._definition.model_dump(by_alias=True, exclude_none=True, mode="json"))

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
        self._known_lists = {}
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
        self.jobs.load_pickers()

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
                self.select(combo, current or "", shown)
        finally:
            self._filling = False
        self._refresh()

    @Slot()
    def _on_search_clicked(self) -> None:
        self.jobs.search(str(self.org_kind.currentData()), self.search_edit.text())

    @Slot(object)
    def _on_search_done(self, result: object) -> None:
        self.results.clear()
        for kind, entity_id, name in cast("list[tuple[str, str, str]]", result):
            if kind != "template":
                self._known_lists[entity_id] = name
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
        if data:
            kind, entity_id = data
            self.jobs.load(kind, entity_id)

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
        org = session.org_name or "?"  # a write waits for the check (_org_unchecked): never shown
        region = region_label(session.profile) if session.profile is not None else "(no profile)"
        return f"org “{org}”, region {region}"

    def _org_unchecked(self, retry: Callable[[], None]) -> bool:
        """True (and ``retry`` runs once the org is checked) while the session does not know its org."""
        session = self.context.session
        if session.org_name is not None:
            return False
        self.result_label.setText("Checking which org this profile reaches before sending…")
        session.after_org_check(retry, self._on_org_check_failed)
        return True

    def _on_org_check_failed(self, why: str) -> None:
        self.result_label.setText(f"Not sent: {why}.")

    def _blocked(self, ignore: tuple[str, ...] = ()) -> bool:
        local = [f for f in self._findings if f not in self._server and f.code not in ignore]
        errors = [f for f in local if f.severity == "error"]
        if errors:
            self.result_label.setText(
                f"Not sent: the local check found {plural(len(errors), 'error')}. First: {errors[0].message}"
            )
            self.reveal(errors[0].path)
            return True
        if self.jobs.sending:
            self.result_label.setText("Still sending the previous request; try again in a moment.")
            return True
        return False

    @Slot()
    def _on_send_shortcut(self) -> None:
        if self.loaded is not None:
            self._on_update_clicked()
        else:
            self._on_create_clicked()

    @Slot(object)
    def set_known_lists(self, lists: object) -> None:
        """The org's lists the app has loaded (``list[ContactList]``): a new list may not take their names."""
        if isinstance(lists, list):
            known = {c.id: c.name or "" for c in lists if isinstance(c, ContactList) and c.id}
            self._known_lists.update(known)
            self._refresh()

    def _name_taken(self, name: str) -> bool:
        """Say so (and point at the name) when a new list would take a known list's name."""
        taken = duplicate_name(name, None, self._known_lists)
        if taken is None:
            return False
        self.result_label.setText(f"Not sent: {taken.message} {taken.fix}")
        self.reveal(taken.path)
        return True

    @Slot()
    def _on_create_clicked(self) -> None:
        if (
            self._blocked()
            or self._name_taken(self._definition.name or "")
            or self._org_unchecked(self._on_create_clicked)
        ):
            return
        definition = self._definition
        if not ConfirmSendDialog.ask(
            self, "Create list", f"Create the contact list “{definition.name}” on {self._where()}?"
        ):
            return
        self._send("create", definition.model_copy(update={"id": None, "version": None}))

    @Slot()
    def _on_update_clicked(self) -> None:
        if self.loaded is None or self._blocked() or self._org_unchecked(self._on_update_clicked):
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
        if self._blocked() or self._org_unchecked(self._on_save_new_clicked):
            return
        base = self._definition.name or "List"
        name = NameDialog.ask(
            self, "Save as a new list", f"Name of the new list on {self._where()}:", f"{base} (new)"
        )
        if name is None:
            return
        if self._name_taken(name):
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
        # templates have names of their own
        if self._blocked(ignore=("name.duplicate",)) or self._org_unchecked(self._on_template_clicked):
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
        self.jobs.send(action, definition)

    @Slot(object)
    def _on_sent(self, result: object) -> None:
        action, entity = cast("tuple[str, ContactList]", result)
        if action == "template":
            self.result_label.setText(f"Template “{entity.name}” created on the org (id {entity.id}).")
            return
        verb = "Updated" if action == "update" else "Created"
        if entity.id:
            self._known_lists[entity.id] = entity.name or ""
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
        busy = self.jobs.sending
        for b in (self.create_button, self.template_button):
            b.setEnabled(not busy)
        self.update_button.setEnabled(not busy and self.loaded is not None)
        self.save_new_button.setEnabled(not busy and self.loaded is not None)
        self.search_button.setEnabled(not self.jobs.searching)
        self.load_button.setEnabled(not self.jobs.loading)
