"""The call page's external-contact picker: find contacts by the number to call, or create one.

The contact chosen is sent with the call as ``externalContactId``. Searching and creating run
on the picker's own worker; both need a valid number to call, which the page provides.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from console.api.models import ExternalContact
from console.ui.call.workers import ClientFactory, create_contact, search_contacts
from console.ui.errors import ErrorSink
from console.ui.workers import FunctionWorker, WorkerController

ERROR_STYLE = "color: #b02a37;"
"""Style of a status text that says what is wrong."""


def contact_label(contact: ExternalContact) -> str:
    """``First Last · phone`` as offered in the picker."""
    name = " ".join(x for x in (contact.first_name, contact.last_name) if x) or "(no name)"
    phone = next(
        (
            p.display
            for p in (contact.cell_phone, contact.work_phone, contact.home_phone, contact.other_phone)
            if p
        ),
        None,
    )
    return f"{name} · {phone}" if phone else name


class ContactPicker(QObject):
    """Widgets and worker for linking a call to an external contact.

    The page lays out ``contact_row`` (combo and buttons), ``contact_form`` (names and Create,
    hidden until New contact…) and ``contact_status``.

    Signals:
        contact_linked(object): the :class:`ExternalContact` chosen or created.

    Args:
        factory: ``session.new_client``.
        sink: The error sink failures go to.
        number: Re-checks the number to call and returns it in E.164, or None when not valid.
        flash: Highlights a widget that needs the user's attention.
        parent: Owner (the page).
    """

    contact_linked = Signal(object)  # object: ExternalContact

    def __init__(
        self,
        factory: ClientFactory,
        sink: ErrorSink,
        number: Callable[[], str | None],
        flash: Callable[[QWidget], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self._number = number
        self._flash = flash
        self.contact_combo = QComboBox()
        self.contact_combo.setObjectName("callContact")
        self.contact_combo.setToolTip("Link the call to an external contact (sent as externalContactId)")
        self.contact_combo.addItem("(no external contact)", None)
        self.contact_search_button = QPushButton("&Find by number")
        self.contact_search_button.setToolTip("Search external contacts by the number to call (Alt+F)")
        self.contact_new_button = QPushButton("&New contact…")
        self.contact_new_button.setToolTip("Create an external contact with this number (Alt+N)")
        self.contact_row = QHBoxLayout()
        self.contact_row.addWidget(self.contact_combo, 1)
        self.contact_row.addWidget(self.contact_search_button)
        self.contact_row.addWidget(self.contact_new_button)
        self.first_name_edit = QLineEdit()
        self.first_name_edit.setObjectName("contactFirstName")
        self.first_name_edit.setPlaceholderText("First name")
        self.last_name_edit = QLineEdit()
        self.last_name_edit.setObjectName("contactLastName")
        self.last_name_edit.setPlaceholderText("Last name")
        self.contact_create_button = QPushButton("Create")
        self.contact_create_button.setToolTip("Create the contact with the number to call as its cell phone")
        self.contact_form = QWidget()
        cf = QHBoxLayout(self.contact_form)
        cf.setContentsMargins(0, 0, 0, 0)
        cf.addWidget(self.first_name_edit)
        cf.addWidget(self.last_name_edit)
        cf.addWidget(self.contact_create_button)
        self.contact_form.hide()
        self.contact_status = QLabel()
        self.contact_status.setObjectName("contactStatus")
        self.contact_status.setWordWrap(True)

        self._contacts = WorkerController(self, sink=sink, context="External contact")
        self._contacts.succeeded.connect(self._on_contacts_succeeded)
        self._contacts.failed.connect(self._on_contacts_failed)
        self._contacts.started.connect(self._on_contacts_busy_changed)
        self._contacts.finished.connect(self._on_contacts_busy_changed)
        self._sink = sink
        self.contact_search_button.clicked.connect(self.search_contacts)
        self.contact_new_button.clicked.connect(self._on_new_contact_clicked)
        self.contact_create_button.clicked.connect(self.create_contact)

    def contact_id(self) -> str | None:
        """The id of the contact chosen, or None."""
        data = self.contact_combo.currentData()
        return None if data is None else str(data)

    def _say(self, text: str, style: str = "") -> None:
        self.contact_status.setText(text)
        self.contact_status.setStyleSheet(style)

    @Slot()
    def search_contacts(self) -> bool:
        """Search external contacts by the number to call."""
        e164 = self._number()
        if e164 is None:
            self._say("Number to call: enter a valid number first, then search by it.", ERROR_STYLE)
            return False
        if self._contacts.is_running:
            return False
        self._say(f"Searching external contacts for {e164}…")
        self._contacts.start(FunctionWorker(search_contacts, self._factory, e164.lstrip("+")))
        return True

    @Slot()
    def _on_new_contact_clicked(self) -> None:
        self.contact_form.show()
        self.first_name_edit.setFocus()

    @Slot()
    def create_contact(self) -> bool:
        """Create an external contact with the number to call."""
        e164 = self._number()
        first, last = self.first_name_edit.text().strip(), self.last_name_edit.text().strip()
        if e164 is None:
            self._say(
                "Number to call: enter a valid number first; it becomes the contact's phone.", ERROR_STYLE
            )
            return False
        if not first and not last:
            self._say("First name / Last name: enter at least one.", ERROR_STYLE)
            self._flash(self.first_name_edit)
            return False
        if self._contacts.is_running:
            return False
        self._say("Creating the external contact…")
        self._contacts.start(FunctionWorker(create_contact, self._factory, first, last, e164))
        return True

    @Slot(object)
    def _on_contacts_succeeded(self, result: object) -> None:
        found = result if isinstance(result, list) else [result]
        contacts = [c for c in found if isinstance(c, ExternalContact) and c.id]
        self.contact_combo.clear()
        self.contact_combo.addItem("(no external contact)", None)
        for contact in contacts:
            self.contact_combo.addItem(contact_label(contact), contact.id)
        if not contacts:
            self._say("No external contact has this number. Use New contact… to create one.", "color: #555;")
            return
        self.contact_combo.setCurrentIndex(1)
        created = not isinstance(result, list)
        verb = "Created" if created else f"Found {len(contacts)}; linked"
        self._say(f"{verb} {contact_label(contacts[0])}; sent as externalContactId.", "color: #146c2e;")
        if created:
            self.contact_form.hide()
        self.contact_linked.emit(contacts[0])

    @Slot()
    def _on_contacts_busy_changed(self) -> None:
        idle = not self._contacts.is_running
        for button in (self.contact_search_button, self.contact_new_button, self.contact_create_button):
            button.setEnabled(idle)

    @Slot(object)
    def _on_contacts_failed(self, _exc: object) -> None:
        decoded = self._sink.last
        self._say(decoded.title if decoded is not None else "External contact failed", ERROR_STYLE)
