"""Test call page: dial a number from Genesys Cloud, follow the call live, hang up (issue 8).

The number is formatted as it is typed (libphonenumber's AsYouTypeFormatter, default region
from the org's ``defaultCountryCode`` or chosen) and checked locally: valid or not and why,
number type, country, and the local time at the destination. Only an E.164 number is sent.

Two routes, chosen by the sign-in (genesys-api.md §8.1): with a user signed in (PKCE) the
call is ``POST /api/v2/conversations/calls`` from the user's own station; with client
credentials only it is ``POST /api/v2/conversations/calls/user/{userId}`` on behalf of a
picked user. After placing, the call is read every 0.5 s until the called party is
disconnected; "Hang up" disconnects it. A call is never retried automatically. Failures go to
the error sink; a server error that names a field of this form links back to it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import phonenumbers
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.api.models import CallConversation, CreateCallRequest, ExternalContact
from console.ui.call.models import CallHistoryModel, CallRecord, ParticipantTableModel
from console.ui.call.phone import PhoneCheck, check_number, format_as_you_type
from console.ui.call.workers import (
    ENDED_STATES,
    CallFollowWorker,
    Lookups,
    create_contact,
    hang_up,
    load_lookups,
    place_call,
    search_contacts,
)
from console.ui.errors import DecodedError, ErrorTarget
from console.ui.pages import PageContext
from console.ui.workers import FunctionWorker, WorkerController

PAGE_ID = "call"
"""Owner id of this page's error targets."""

WHY_NOT_CLIENT_CREDENTIALS = (
    "Signed in with client credentials only. Such a token belongs to the OAuth client, not to a "
    "person, and POST /api/v2/conversations/calls dials from the caller's own station, so Genesys "
    "refuses it (\u201crequires a user context\u201d). The call is therefore placed on behalf of the "
    "user picked below (POST /api/v2/conversations/calls/user/{userId}). Sign in as a user "
    "(Ctrl+Shift+L) to call as yourself."
)

_ERROR_STYLE = "color: #b02a37;"
_FLASH_STYLE = "background: #fff3cd; border: 2px solid #e0a800;"


def _now() -> datetime:
    return datetime.now(UTC)


class CallPage(QWidget):
    """Place a test call to a number, follow its state live, hang up; keeps a session history.

    Signals:
        call_placed(str): the conversation id of a call Genesys accepted.
        call_updated(object): a :class:`CallConversation` read while following.
        call_ended(object): the last :class:`CallConversation` of a call that ended.
        lookups_loaded(object): :class:`~console.ui.call.workers.Lookups` (users, queues, region).
        contact_linked(object): the :class:`ExternalContact` chosen or created.

    Args:
        context: The window's session, error sink and API log.
        parent: Parent widget.
    """

    title = "Test call"

    call_placed = Signal(str)
    call_updated = Signal(object)  # object: CallConversation
    call_ended = Signal(object)  # object: CallConversation
    lookups_loaded = Signal(object)  # object: Lookups
    contact_linked = Signal(object)  # object: ExternalContact

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callPage")
        self.context = context
        self.session = context.session
        self.sink = context.sink
        if self.sink.client_factory is None:
            self.sink.client_factory = self.session.new_client
        self.conversation: CallConversation | None = None
        self.conversation_id: str | None = None
        self._history_row: int | None = None
        self._region_touched = False
        self._lookups_loaded = False
        self._connected_at: datetime | None = None
        self._check = PhoneCheck(None, "enter the number to call")

        heading = QLabel(f"<h2>{self.title}</h2>")
        self.route_label = QLabel()
        self.route_label.setObjectName("callRoute")
        self.route_label.setWordWrap(True)
        self.route_label.setTextFormat(Qt.TextFormat.RichText)
        self.route_label.setStyleSheet(
            "background: #eef3fb; border: 1px solid #b6c8e6; border-radius: 4px; padding: 6px;color: #1c2b45;"
        )

        # -- number ----------------------------------------------------------------------------
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("callNumber")
        self.number_edit.setPlaceholderText("+1 317 555 0123")
        self.number_edit.setToolTip(
            "Number to call: formatted as you type; start with + and the country code, or use the region"
        )
        self.number_edit.setClearButtonEnabled(True)
        self.number_edit.textEdited.connect(self._on_number_edited)
        self.number_edit.returnPressed.connect(self.place)
        self.region_combo = QComboBox()
        self.region_combo.setObjectName("callRegion")
        self.region_combo.setToolTip("Default region for numbers typed without +country code")
        for region in sorted(phonenumbers.SUPPORTED_REGIONS):
            self.region_combo.addItem(f"{region} +{phonenumbers.country_code_for_region(region)}", region)
        self.region_combo.setCurrentIndex(self.region_combo.findData("US"))
        self.region_combo.activated.connect(self._on_region_activated)
        number_row = QHBoxLayout()
        number_row.addWidget(self.number_edit, 1)
        number_row.addWidget(self.region_combo)
        self.number_status = QLabel()
        self.number_status.setObjectName("callNumberStatus")
        self.number_status.setWordWrap(True)

        self.caller_id_edit = QLineEdit()
        self.caller_id_edit.setObjectName("callCallerId")
        self.caller_id_edit.setPlaceholderText("optional, e.g. +1 317 555 0100")
        self.caller_id_edit.setToolTip("Caller id number shown to the callee (E.164); empty: the org default")
        self.caller_id_name_edit = QLineEdit()
        self.caller_id_name_edit.setObjectName("callCallerIdName")
        self.caller_id_name_edit.setPlaceholderText("optional, e.g. Sandbox Outbound")
        self.caller_id_name_edit.setToolTip("Caller id name shown to the callee")
        self.queue_combo = QComboBox()
        self.queue_combo.setObjectName("callQueue")
        self.queue_combo.setToolTip("Place the call on behalf of a queue (callFromQueueId); optional")
        self.queue_combo.addItem("(none: call as the user)", None)
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("callUser")
        self.user_combo.setToolTip("The user the call is placed on behalf of (client-credentials route)")
        self.user_label = QLabel("On behalf of user:")

        # -- external contact ------------------------------------------------------------------------
        self.contact_combo = QComboBox()
        self.contact_combo.setObjectName("callContact")
        self.contact_combo.setToolTip("Link the call to an external contact (sent as externalContactId)")
        self.contact_combo.addItem("(no external contact)", None)
        self.contact_search_button = QPushButton("&Find by number")
        self.contact_search_button.setToolTip("Search external contacts by the number to call (Alt+F)")
        self.contact_search_button.clicked.connect(self.search_contacts)
        self.contact_new_button = QPushButton("&New contact…")
        self.contact_new_button.setToolTip("Create an external contact with this number (Alt+N)")
        self.contact_new_button.clicked.connect(self._on_new_contact_clicked)
        contact_row = QHBoxLayout()
        contact_row.addWidget(self.contact_combo, 1)
        contact_row.addWidget(self.contact_search_button)
        contact_row.addWidget(self.contact_new_button)
        self.first_name_edit = QLineEdit()
        self.first_name_edit.setObjectName("contactFirstName")
        self.first_name_edit.setPlaceholderText("First name")
        self.last_name_edit = QLineEdit()
        self.last_name_edit.setObjectName("contactLastName")
        self.last_name_edit.setPlaceholderText("Last name")
        self.contact_create_button = QPushButton("Create")
        self.contact_create_button.setToolTip("Create the contact with the number to call as its cell phone")
        self.contact_create_button.clicked.connect(self.create_contact)
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

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        number_label = QLabel("&Number to call:")
        number_label.setBuddy(self.number_edit)
        contact_label = QLabel("External &contact:")
        contact_label.setBuddy(self.contact_combo)
        form.addRow(number_label, number_row)
        form.addRow("", self.number_status)
        form.addRow("Caller id &number:", self.caller_id_edit)
        form.addRow("Caller id n&ame:", self.caller_id_name_edit)
        form.addRow("From &queue:", self.queue_combo)
        form.addRow(self.user_label, self.user_combo)
        form.addRow(contact_label, contact_row)
        form.addRow("", self.contact_form)
        form.addRow("", self.contact_status)
        self._form = form

        # -- actions and live state -------------------------------------------------------------------
        self.place_button = QPushButton("&Place call")
        self.place_button.setObjectName("callPlace")
        self.place_button.setToolTip("Dial the number now (Ctrl+Return). Never retried automatically.")
        self.place_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.place_button.clicked.connect(self.place)
        self.hang_up_button = QPushButton("&Hang up")
        self.hang_up_button.setObjectName("callHangUp")
        self.hang_up_button.setToolTip("Disconnect the called party (Ctrl+H)")
        self.hang_up_button.setShortcut(QKeySequence("Ctrl+H"))
        self.hang_up_button.setEnabled(False)
        self.hang_up_button.clicked.connect(self.hang_up)
        self.state_label = QLabel("No call.")
        self.state_label.setObjectName("callState")
        self.state_label.setStyleSheet("font-weight: bold; padding: 2px 6px;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.place_button)
        buttons.addWidget(self.hang_up_button)
        buttons.addWidget(self.state_label, 1)
        self.error_label = QLabel()
        self.error_label.setObjectName("callError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.RichText)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.linkActivated.connect(self._on_error_link_activated)
        self._error_decoded: DecodedError | None = None

        self.participants = ParticipantTableModel(self)
        self.participant_view = QTableView()
        self.participant_view.setObjectName("callParticipants")
        self.participant_view.setModel(self.participants)
        self.history = CallHistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setObjectName("callHistory")
        self.history_view.setModel(self.history)
        for view, widths in (
            (self.participant_view, (80, 130, 190, 100, 80)),
            (self.history_view, (70, 130, 170, 90, 190)),
        ):
            view.verticalHeader().setVisible(False)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            view.verticalHeader().setDefaultSectionSize(22)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.horizontalHeader().setStretchLastSection(True)
            for col, width in enumerate(widths):
                view.setColumnWidth(col, width)
        self.participant_view.setMinimumHeight(72)
        self.participant_view.setMaximumHeight(120)  # a test call has two or three parties
        self.history_view.setMinimumHeight(90)
        live_box = QGroupBox("Participants (live)")
        QVBoxLayout(live_box).addWidget(self.participant_view)
        history_box = QGroupBox("Test calls this session")
        QVBoxLayout(history_box).addWidget(self.history_view)

        # a scroll area keeps the window resizable below the form's natural height
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(heading)
        layout.addWidget(self.route_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(live_box)
        layout.addWidget(history_box, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

        # -- workers -------------------------------------------------------------------------------
        sink = self.sink
        self._lookup = WorkerController(self, sink=sink, context="Load users and queues")
        self._lookup.succeeded.connect(self._on_lookup_succeeded)
        self._place = WorkerController(self, sink=sink, context="Place test call")
        self._place.succeeded.connect(self._on_place_succeeded)
        self._place.failed.connect(self._on_place_failed)
        self._place.finished.connect(self._update_buttons)
        self._follow = WorkerController(self, sink=sink, context="Follow test call")
        self._follow.progressed.connect(self._on_follow_progressed)
        self._follow.succeeded.connect(self._on_follow_succeeded)
        self._follow.failed.connect(self._on_follow_failed)
        self._follow.finished.connect(self._update_buttons)
        self._hang = WorkerController(self, sink=sink, context="Hang up test call")
        self._hang.finished.connect(self._update_buttons)
        self._contacts = WorkerController(self, sink=sink, context="External contact")
        self._contacts.succeeded.connect(self._on_contacts_succeeded)
        self._contacts.failed.connect(self._on_contacts_failed)
        self._contacts.started.connect(self._on_contacts_busy_changed)
        self._contacts.finished.connect(self._on_contacts_busy_changed)

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_timeout)

        sink.register_target_handler("field", self.show_target, page=PAGE_ID)
        self.session.signed_in.connect(self._on_session_changed)
        self.session.signed_out.connect(self._on_session_changed)
        self.session.profile_changed.connect(self._on_session_changed)
        self._update_route()
        self._refresh_number_status()
        self._update_buttons()

    # -- route -----------------------------------------------------------------------------------

    @property
    def user_route(self) -> bool:
        """True when a user is signed in (POST /conversations/calls)."""
        return self.session.user is not None

    def _update_route(self) -> None:
        user = self.session.user
        if user is not None:
            self.route_label.setText(
                f"Calling as <b>{user.name}</b> (signed in): "
                "<code>POST /api/v2/conversations/calls</code> from your own station."
            )
        else:
            self.route_label.setText(
                WHY_NOT_CLIENT_CREDENTIALS.replace("{userId}", "<i>{userId}</i>").replace(
                    "placed on behalf of the user picked below",
                    "placed <b>on behalf of the user picked below</b>",
                )
            )
        self.user_combo.setVisible(user is None)
        self.user_label.setVisible(user is None)

    @Slot()
    @Slot(object)
    def _on_session_changed(self, _value: object = None) -> None:
        self._update_route()
        self._lookups_loaded = False
        if self.isVisible():
            self.load_lookups()

    # -- lookups ------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Load users, queues and the org's region the first time the page is shown."""
        super().showEvent(event)
        if not self._lookups_loaded:
            self.load_lookups()

    def load_lookups(self) -> None:
        """Load the org's default region, users and queues in a worker."""
        if self._lookup.is_running or self.session.profile is None:
            return
        self._lookups_loaded = True
        self._lookup.start(FunctionWorker(load_lookups, self.session.new_client))

    @Slot(object)
    def _on_lookup_succeeded(self, lookups: object) -> None:
        if not isinstance(lookups, Lookups):
            return
        if lookups.default_region and not self._region_touched:
            index = self.region_combo.findData(lookups.default_region.upper())
            if index >= 0:
                self.region_combo.setCurrentIndex(index)
                self._refresh_number_status()
        current_user = self.user_combo.currentData()
        self.user_combo.clear()
        for user in lookups.users:
            self.user_combo.addItem(f"{user.name} <{user.email}>" if user.email else str(user.name), user.id)
        if current_user is not None and self.user_combo.findData(current_user) >= 0:
            self.user_combo.setCurrentIndex(self.user_combo.findData(current_user))
        current_queue = self.queue_combo.currentData()
        self.queue_combo.clear()
        self.queue_combo.addItem("(none: call as the user)", None)
        for queue in lookups.queues:
            self.queue_combo.addItem(str(queue.name), queue.id)
        if current_queue is not None and self.queue_combo.findData(current_queue) >= 0:
            self.queue_combo.setCurrentIndex(self.queue_combo.findData(current_queue))
        self.lookups_loaded.emit(lookups)

    # -- number entry ------------------------------------------------------------------------------

    @property
    def region(self) -> str:
        """The default region for numbers without a country code."""
        return str(self.region_combo.currentData() or "US")

    def set_region(self, region: str) -> None:
        """Choose the default region as the combo box does."""
        self.region_combo.setCurrentIndex(self.region_combo.findData(region))
        self._on_region_activated(self.region_combo.currentIndex())

    @Slot(str)
    def _on_number_edited(self, text: str) -> None:
        formatted, cursor = format_as_you_type(text, self.number_edit.cursorPosition(), self.region)
        if formatted != text:
            self.number_edit.setText(formatted)
            self.number_edit.setCursorPosition(cursor)
        self._refresh_number_status()

    @Slot(int)
    def _on_region_activated(self, _index: int) -> None:
        self._region_touched = True
        self._refresh_number_status()

    def _refresh_number_status(self) -> None:
        self._check = check_number(self.number_edit.text(), self.region, _now())
        check = self._check
        if not self.number_edit.text().strip():
            self.number_status.setText("Type the number; it is formatted and checked as you type.")
            self.number_status.setStyleSheet("color: #555;")
        elif check.ok:
            self.number_status.setText(f"\u2714 {check.summary()} · will dial {check.e164}")
            self.number_status.setStyleSheet("color: #146c2e;")
        else:
            self.number_status.setText(f"\u2716 {check.summary()}")
            self.number_status.setStyleSheet(_ERROR_STYLE)
        self.number_edit.setStyleSheet("")

    @Slot()
    def _on_clock_timeout(self) -> None:
        self._refresh_number_status()
        self._show_state()

    # -- placing ------------------------------------------------------------------------------------

    def _show_error(self, text: str, *, decoded: DecodedError | None = None) -> None:
        self._error_decoded = decoded
        links = ""
        if decoded is not None:
            if decoded.target is not None and self.sink.can_jump(decoded.target):
                links += f" <a href='jump'>Go to {decoded.target.label()}</a>"
            links += " <a href='decode'>Decode…</a>"
        self.error_label.setText(f"{text}{links}")

    @Slot(str)
    def _on_error_link_activated(self, link: str) -> None:
        decoded = self._error_decoded
        if decoded is None:
            return
        if link == "jump" and decoded.target is not None:
            self.sink.jump(decoded.target)
        elif link == "decode":
            self.sink.open_decoder(decoded)

    def build_request(self) -> CreateCallRequest | None:
        """The call request from the form, or None after saying (next to the field) what is wrong."""
        self._refresh_number_status()
        if not self._check.ok:
            self._show_error(f"Number to call: {self._check.summary()}. Nothing was sent.")
            self._flash(self.number_edit)
            return None
        caller_id = None
        if self.caller_id_edit.text().strip():
            caller = check_number(self.caller_id_edit.text(), self.region, _now())
            if not caller.ok:
                self._show_error(f"Caller id number: {caller.summary()}. Nothing was sent.")
                self._flash(self.caller_id_edit)
                return None
            caller_id = caller.e164
        if not self.user_route and self.user_combo.currentData() is None:
            self._show_error(
                "On behalf of user: pick the user to call for (client credentials cannot call alone)."
            )
            self._flash(self.user_combo)
            return None
        return CreateCallRequest(
            phone_number=self._check.e164,
            caller_id=caller_id,
            caller_id_name=self.caller_id_name_edit.text().strip() or None,
            call_from_queue_id=self.queue_combo.currentData(),
            external_contact_id=self.contact_combo.currentData(),
        )

    @Slot()
    def place(self) -> bool:
        """Validate and place the call (one POST, never retried); False when nothing was sent."""
        if self._place.is_running or self._follow.is_running:
            self._show_error("A test call is already in progress; hang up first.")
            return False
        request = self.build_request()
        if request is None:
            return False
        self.error_label.clear()
        user_id = None if self.user_route else str(self.user_combo.currentData())
        route = (
            f"as {self.session.user.name}"
            if self.session.user is not None
            else f"for {self.user_combo.currentText().split(' <')[0]}"
        )
        self._history_row = self.history.add(
            CallRecord(started=datetime.now(), number=str(request.phone_number), route=route)
        )
        self.participants.set_participants([])
        self.conversation = None
        self.conversation_id = None
        self._connected_at = None
        self.state_label.setText(f"Placing a call to {request.phone_number}…")
        self._place.start(FunctionWorker(place_call, self.session.new_client, request, user_id))
        self._update_buttons()
        return True

    @Slot(object)
    def _on_place_succeeded(self, conversation_id: object) -> None:
        self.conversation_id = str(conversation_id)
        if self._history_row is not None:
            self.history.update(self._history_row, conversation_id=self.conversation_id, state="dialing")
        self.state_label.setText("Dialing…")
        self.call_placed.emit(self.conversation_id)
        self._follow.start(CallFollowWorker(self.session.new_client, self.conversation_id))
        self._clock.start()

    @Slot(object)
    def _on_place_failed(self, _exc: object) -> None:
        decoded = self.sink.last
        title = decoded.title if decoded is not None else "Place test call failed"
        if self._history_row is not None:
            self.history.update(self._history_row, state="rejected", result=title.split(": ", 1)[-1])
        self.state_label.setText("Not placed.")
        self._show_error(title + ".", decoded=decoded)
        if decoded is not None and decoded.target is not None and decoded.target.page == PAGE_ID:
            self.show_target(decoded.target)

    # -- following ---------------------------------------------------------------------------------

    def _show_state(self) -> None:
        conv = self.conversation
        if conv is None:
            return
        external = conv.participant("external")
        state = (external.state if external is not None else None) or "unknown"
        if state == "connected":
            if self._connected_at is None:
                self._connected_at = _now()
            seconds = int((_now() - self._connected_at).total_seconds())
            self.state_label.setText(f"Connected {seconds // 60:02d}:{seconds % 60:02d}")
            self.state_label.setStyleSheet("font-weight: bold; padding: 2px 6px; color: #146c2e;")
        elif state in ENDED_STATES:
            why = ""
            if external is not None and external.error_info is not None:
                why = f": {external.error_info.message}"
            self.state_label.setText(f"Ended ({external.disconnect_type if external else 'unknown'}){why}")
            self.state_label.setStyleSheet("font-weight: bold; padding: 2px 6px; color: #444;")
        else:
            self.state_label.setText(f"{state.capitalize()}…")
            self.state_label.setStyleSheet("font-weight: bold; padding: 2px 6px; color: #8a6100;")

    @Slot(object)
    def _on_follow_progressed(self, conv: object) -> None:
        if not isinstance(conv, CallConversation):
            return
        self.conversation = conv
        self.participants.set_participants(conv.participants)
        self._show_state()
        external = conv.participant("external")
        if self._history_row is not None and external is not None:
            changes: dict[str, object] = {"state": external.state or ""}
            if external.state == "connected":
                changes["connected"] = True
            self.history.update(self._history_row, **changes)
        self._update_buttons()
        self.call_updated.emit(conv)

    @Slot(object)
    def _on_follow_succeeded(self, conv: object) -> None:
        self._clock.stop()
        if not isinstance(conv, CallConversation):
            return
        self.conversation = conv
        self._show_state()
        external = conv.participant("external")
        if self._history_row is not None and external is not None:
            record = self.history.records[self._history_row]
            if external.error_info is not None:
                result = f"failed: {external.error_info.message or external.error_info.code}"
                self._show_error(f"The call failed: {external.error_info.message}", decoded=None)
            elif record.connected and self._connected_at is not None:
                result = f"connected, ended by {external.disconnect_type or '?'}"
            else:
                result = f"not answered ({external.disconnect_type or '?'})"
            self.history.update(self._history_row, state=external.state or "", result=result)
        self.call_ended.emit(conv)

    @Slot(object)
    def _on_follow_failed(self, _exc: object) -> None:
        self._clock.stop()
        self.state_label.setText("Lost track of the call (see the error); it may still be running.")

    @Slot()
    def hang_up(self) -> bool:
        """Disconnect the called party of the followed call; False when there is none."""
        conv = self.conversation
        external = conv.participant("external") if conv is not None else None
        if self.conversation_id is None or external is None or external.id is None:
            return False
        if (external.state or "") in ENDED_STATES or self._hang.is_running:
            return False
        self.state_label.setText("Hanging up…")
        self._hang.start(FunctionWorker(hang_up, self.session.new_client, self.conversation_id, external.id))
        self._update_buttons()
        return True

    @Slot()
    def _update_buttons(self) -> None:
        busy = self._place.is_running or self._follow.is_running
        self.place_button.setEnabled(not busy)
        external = self.conversation.participant("external") if self.conversation is not None else None
        live = external is not None and (external.state or "") not in ENDED_STATES
        self.hang_up_button.setEnabled(bool(live and self._follow.is_running and not self._hang.is_running))

    # -- external contact --------------------------------------------------------------------------

    def _digits(self) -> str | None:
        return self._check.e164 if self._check.ok else None

    @Slot()
    def search_contacts(self) -> bool:
        """Search external contacts by the number to call."""
        self._refresh_number_status()
        e164 = self._digits()
        if e164 is None:
            self.contact_status.setText("Number to call: enter a valid number first, then search by it.")
            self.contact_status.setStyleSheet(_ERROR_STYLE)
            return False
        if self._contacts.is_running:
            return False
        self.contact_status.setText(f"Searching external contacts for {e164}…")
        self.contact_status.setStyleSheet("")
        self._contacts.start(FunctionWorker(search_contacts, self.session.new_client, e164.lstrip("+")))
        return True

    @Slot()
    def _on_new_contact_clicked(self) -> None:
        self.contact_form.show()
        self.first_name_edit.setFocus()

    @Slot()
    def create_contact(self) -> bool:
        """Create an external contact with the number to call."""
        self._refresh_number_status()
        e164 = self._digits()
        first, last = self.first_name_edit.text().strip(), self.last_name_edit.text().strip()
        if e164 is None:
            self.contact_status.setText(
                "Number to call: enter a valid number first; it becomes the contact's phone."
            )
            self.contact_status.setStyleSheet(_ERROR_STYLE)
            return False
        if not first and not last:
            self.contact_status.setText("First name / Last name: enter at least one.")
            self.contact_status.setStyleSheet(_ERROR_STYLE)
            self._flash(self.first_name_edit)
            return False
        if self._contacts.is_running:
            return False
        self.contact_status.setText("Creating the external contact…")
        self.contact_status.setStyleSheet("")
        self._contacts.start(FunctionWorker(create_contact, self.session.new_client, first, last, e164))
        return True

    @staticmethod
    def _contact_label(contact: ExternalContact) -> str:
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

    @Slot(object)
    def _on_contacts_succeeded(self, result: object) -> None:
        found = result if isinstance(result, list) else [result]
        contacts = [c for c in found if isinstance(c, ExternalContact) and c.id]
        self.contact_combo.clear()
        self.contact_combo.addItem("(no external contact)", None)
        for contact in contacts:
            self.contact_combo.addItem(self._contact_label(contact), contact.id)
        if contacts:
            self.contact_combo.setCurrentIndex(1)
            created = not isinstance(result, list)
            verb = "Created" if created else f"Found {len(contacts)}; linked"
            self.contact_status.setText(
                f"{verb} {self._contact_label(contacts[0])}; sent as externalContactId."
            )
            self.contact_status.setStyleSheet("color: #146c2e;")
            if created:
                self.contact_form.hide()
            self.contact_linked.emit(contacts[0])
        else:
            self.contact_status.setText(
                "No external contact has this number. Use New contact… to create one."
            )
            self.contact_status.setStyleSheet("color: #555;")

    @Slot()
    def _on_contacts_busy_changed(self) -> None:
        idle = not self._contacts.is_running
        for button in (self.contact_search_button, self.contact_new_button, self.contact_create_button):
            button.setEnabled(idle)

    @Slot(object)
    def _on_contacts_failed(self, _exc: object) -> None:
        decoded = self.sink.last
        self.contact_status.setText(decoded.title if decoded is not None else "External contact failed")
        self.contact_status.setStyleSheet(_ERROR_STYLE)

    # -- error targets --------------------------------------------------------------------------------

    def field_widget(self, name: str) -> QWidget | None:
        """The widget of a CreateCallRequest field (``phoneNumber``...), if the form has one."""
        widgets: dict[str, QWidget] = {
            "phoneNumber": self.number_edit,
            "callerId": self.caller_id_edit,
            "callerIdName": self.caller_id_name_edit,
            "callFromQueueId": self.queue_combo,
            "externalContactId": self.contact_combo,
        }
        return widgets.get(name.split(".")[0].split("[")[0])

    def show_target(self, target: ErrorTarget) -> bool:
        """Jump handler: bring this page forward and highlight the field (True when it has it)."""
        if target.kind != "field" or target.field is None:
            return False
        widget = self.field_widget(target.field)
        if widget is None:
            return False
        self._bring_forward()
        self._flash(widget)
        return True

    def _bring_forward(self) -> None:
        child: QWidget = self
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QStackedWidget):
            child = parent
            parent = parent.parentWidget()
        if isinstance(parent, QStackedWidget):
            index = parent.indexOf(child)  # the page may sit inside a scroll area
            nav = getattr(self.window(), "nav", None)
            if isinstance(nav, QListWidget):
                nav.setCurrentRow(index)
            else:
                parent.setCurrentIndex(index)
        window = self.window()
        window.raise_()
        window.activateWindow()

    def _flash(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        widget.setStyleSheet(_FLASH_STYLE)
        QTimer.singleShot(2500, widget, lambda w=widget: w.setStyleSheet(""))
