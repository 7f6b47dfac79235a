"""Test call page: dial a number from Genesys Cloud, follow the call live, hang up (issue 8).

The number is formatted as it is typed (libphonenumber's AsYouTypeFormatter, default region
from the org's ``defaultCountryCode`` or chosen) and checked locally: valid or not and why,
number type, country, and the local time at the destination. Only an E.164 number is sent.

Two routes, chosen by the sign-in (genesys-api.md §8.1): with a user signed in (PKCE) the
call is ``POST /api/v2/conversations/calls`` from the user's own station; with client
credentials only it is ``POST /api/v2/conversations/calls/user/{userId}`` on behalf of a
picked user. A call first rings the caller's own station ("Ringing your station"); the far end
(``external``, or ``customer`` from a queue) appears once it is answered. After placing, the call
is read every 2 s at most (backing off while nothing changes) until it is over or the follower
gives up; "Hang up" disconnects whatever legs exist. A dead caller leg's ``errorInfo`` is shown
decoded. A call is never retried automatically. Failures go to
the error sink; a server error that names a field of this form links back to it.

Rooms: the widgets are built in :mod:`~console.ui.call.form`, the external-contact picker is
:mod:`~console.ui.call.contacts`, the workers and the followed call are
:mod:`~console.ui.call.controller`; this module wires them and says what is happening.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListWidget, QStackedWidget, QWidget

from console.api.models import CallConversation, CreateCallRequest
from console.ui.call.contacts import ERROR_STYLE, ContactPicker
from console.ui.call.controller import CallController
from console.ui.call.follow import caller_leg, failure, far_leg
from console.ui.call.form import FLASH_STYLE, CallUi
from console.ui.call.models import CallRecord
from console.ui.call.phone import PhoneCheck, check_number, format_as_you_type
from console.ui.call.wording import error_advice, outcome_text, state_text
from console.ui.call.workers import Lookups
from console.ui.errors import DecodedError, ErrorTarget
from console.ui.live import UNAVAILABLE_TEXT
from console.ui.pages import PageContext

PAGE_ID = "call"
"""Owner id of this page's error targets."""

WHY_NOT_CLIENT_CREDENTIALS = (
    "Signed in with client credentials only. Such a token belongs to the OAuth client, not to a "
    "person, and POST /api/v2/conversations/calls dials from the caller's own station, so Genesys "
    "refuses it (\u201crequires a user context\u201d). The call is therefore placed on behalf of the "
    "user picked below (POST /api/v2/conversations/calls/user/{userId}). Sign in as a user "
    "(Ctrl+Shift+L) to call as yourself."
)


def _now() -> datetime:
    return datetime.now(UTC)


class CallPage(QWidget, CallUi):
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
        self._history_row: int | None = None
        self._region_touched = False
        self._lookups_loaded = False
        self._connected_at: datetime | None = None
        self._station_of: str | None = None
        self._check = PhoneCheck(None, "enter the number to call")
        self._error_decoded: DecodedError | None = None
        self.contacts = ContactPicker(
            self.session.new_client, self.sink, self._number_to_call, self._flash, self
        )
        self.setup_ui(self, self.title, self.contacts)
        # the picker's widgets, as the page's own (tests and scripts reach them here)
        self.contact_combo = self.contacts.contact_combo
        self.contact_search_button = self.contacts.contact_search_button
        self.contact_new_button = self.contacts.contact_new_button
        self.first_name_edit = self.contacts.first_name_edit
        self.last_name_edit = self.contacts.last_name_edit
        self.contact_create_button = self.contacts.contact_create_button
        self.contact_form = self.contacts.contact_form
        self.contact_status = self.contacts.contact_status
        self.search_contacts = self.contacts.search_contacts
        self.create_contact = self.contacts.create_contact
        self.contacts.contact_linked.connect(self.contact_linked)
        self.calls = CallController(self.session.new_client, self.sink, self)
        self.live_label = QLabel()
        self.live_label.setObjectName("callLive")
        self.live_label.setStyleSheet("color: #8a5300; padding: 2px 6px;")
        self.live_label.hide()
        for row in self.findChildren(QHBoxLayout):  # beside the call's state
            if row.indexOf(self.state_label) >= 0:
                row.addWidget(self.live_label)
        self._wire()
        self.sink.register_target_handler("field", self.show_target, page=PAGE_ID)
        self._update_route()
        self._refresh_number_status()
        self._update_buttons()

    def _wire(self) -> None:
        self.number_edit.textEdited.connect(self._on_number_edited)
        self.number_edit.returnPressed.connect(self.place)
        self.region_combo.activated.connect(self._on_region_activated)
        self.place_button.clicked.connect(self.place)
        self.hang_up_button.clicked.connect(self.hang_up)
        self.error_label.linkActivated.connect(self._on_error_link_activated)
        self.calls.lookups_loaded.connect(self._on_lookup_succeeded)
        self.calls.placed.connect(self._on_calls_placed)
        self.calls.place_failed.connect(self._on_calls_place_failed)
        self.calls.updated.connect(self._on_calls_updated)
        self.calls.ended.connect(self._on_calls_ended)
        self.calls.follow_failed.connect(self._on_calls_follow_failed)
        self.calls.gave_up.connect(self._on_calls_gave_up)
        self.calls.busy_changed.connect(self._update_buttons)
        self.calls.ticked.connect(self._on_calls_ticked)
        self.calls.live_changed.connect(self._on_calls_live_changed)
        self.session.signed_in.connect(self._on_session_changed)
        self.session.signed_out.connect(self._on_session_changed)
        self.session.profile_changed.connect(self._on_session_changed)

    @property
    def conversation(self) -> CallConversation | None:
        """The followed call as last read."""
        return self.calls.conversation

    @property
    def conversation_id(self) -> str | None:
        """The id of the call placed, once Genesys accepted it."""
        return self.calls.conversation_id

    def _number_to_call(self) -> str | None:
        """The number to call, checked again, in E.164; None when it is not valid."""
        self._refresh_number_status()
        return self._check.e164 if self._check.ok else None

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
        if self.session.profile is not None and self.calls.load_lookups():
            self._lookups_loaded = True

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
            self.number_status.setStyleSheet(ERROR_STYLE)
        self.number_edit.setStyleSheet("")

    @Slot()
    def _on_calls_ticked(self) -> None:
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
            external_contact_id=self.contacts.contact_id(),
        )

    @Slot()
    def place(self) -> bool:
        """Validate and place the call (one POST, never retried); False when nothing was sent."""
        if self.calls.in_progress:
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
        self._connected_at = None
        self._station_of = None if self.user_route else self.user_combo.currentText().split(" <")[0]
        self.state_label.setText(f"Placing a call to {request.phone_number}…")
        self.calls.place(request, user_id)
        self._update_buttons()
        return True

    @Slot(str)
    def _on_calls_placed(self, conversation_id: str) -> None:
        if self._history_row is not None:
            self.history.update(self._history_row, conversation_id=conversation_id, state="placed")
        self.state_label.setText("Placed; reading the call…")
        self.call_placed.emit(conversation_id)

    @Slot(object)
    def _on_calls_place_failed(self, _exc: object) -> None:
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
        conv = self.calls.conversation
        if conv is None:
            return
        far = far_leg(conv)
        if far is not None and far.state == "connected" and self._connected_at is None:
            self._connected_at = _now()
        seconds = None if self._connected_at is None else int((_now() - self._connected_at).total_seconds())
        text, colour = state_text(conv, seconds, station_of=self._station_of)
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"font-weight: bold; padding: 2px 6px; color: {colour};")

    @Slot(object)
    def _on_calls_updated(self, conv: object) -> None:
        if not isinstance(conv, CallConversation):
            return
        self.participants.set_participants(conv.participants)
        self._show_state()
        leg = far_leg(conv) or caller_leg(conv)
        if self._history_row is not None and leg is not None:
            changes: dict[str, object] = {"state": leg.state or ""}
            if leg is far_leg(conv) and leg.state == "connected":
                changes["connected"] = True
            self.history.update(self._history_row, **changes)
        self._update_buttons()
        self.call_updated.emit(conv)

    @Slot(object)
    def _on_calls_ended(self, conv: object) -> None:
        if not isinstance(conv, CallConversation):
            return
        self._show_state()
        failed = failure(conv)
        if failed is not None and failed.error_info is not None:
            self._show_error(error_advice(failed.error_info), decoded=None)
        leg = far_leg(conv) or caller_leg(conv)
        if self._history_row is not None:
            record = self.history.records[self._history_row]
            result = outcome_text(conv, record.connected and self._connected_at is not None)
            self.history.update(self._history_row, state=(leg.state if leg else None) or "", result=result)
        self.call_ended.emit(conv)

    @Slot(bool, str)
    def _on_calls_live_changed(self, live: bool, reason: str) -> None:
        """Say when the call is read by polling instead of followed live (the reason in the tooltip)."""
        self.live_label.setText("" if live else UNAVAILABLE_TEXT)
        self.live_label.setToolTip("" if live else reason)
        self.live_label.setVisible(not live)

    @Slot(object)
    def _on_calls_follow_failed(self, _exc: object) -> None:
        self.state_label.setText("Lost track of the call (see the error); it may still be running.")

    @Slot(str)
    def _on_calls_gave_up(self, reason: str) -> None:
        self.state_label.setText("Stopped following the call.")
        self._show_error(reason)
        if self._history_row is not None:
            self.history.update(self._history_row, result="not followed to the end")
        self._update_buttons()

    @Slot()
    def hang_up(self) -> bool:
        """Disconnect whatever legs the followed call has; False when there is nothing to hang up."""
        if not self.calls.hang_up():
            return False
        self.state_label.setText("Hanging up…")
        self._update_buttons()
        return True

    @Slot()
    def _update_buttons(self) -> None:
        self.place_button.setEnabled(not self.calls.in_progress)
        self.hang_up_button.setEnabled(self.calls.live() and not self.calls.hanging_up)

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
        widget.setStyleSheet(FLASH_STYLE)
        QTimer.singleShot(2500, widget, lambda w=widget: w.setStyleSheet(""))
