"""The test-call page driven like a supervisor would, against the embedded sandbox over HTTP."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.ui.main_window import PAGE_CALL, MainWindow
from console.ui.pages.call import CallPage
from tests.ui.conftest import requests_to

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def make_window(make_window: Any) -> Callable[..., MainWindow]:
    """Windows on their own embedded sandbox, without the start-up connection test."""

    def make(**kw: object) -> MainWindow:
        kw.setdefault("force_sandbox", True)
        kw.setdefault("auto_test", False)
        window: MainWindow = make_window(**kw)
        return window

    return make


class ManualPacer:
    """The follower's timer and clock, driven by the test: :meth:`fire` moves the clock by the wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pending: tuple[float, Callable[[], None]] | None = None
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def schedule(self, seconds: float, callback: Callable[[], None]) -> None:
        self.pending = (seconds, callback)
        self.waits.append(seconds)

    def cancel(self) -> None:
        self.pending = None

    def fire(self) -> None:
        assert self.pending is not None, "the follower has no read scheduled"
        seconds, callback = self.pending
        self.pending = None
        self.now += seconds
        callback()


def open_call_page(window: MainWindow, qtbot: Any) -> CallPage:
    """Go to the page (Ctrl+3) and wait for users and queues; its follower runs on a :class:`ManualPacer`."""
    page = window.call_page
    with qtbot.waitSignal(page.lookups_loaded, timeout=10000):
        window.page_actions[PAGE_CALL].trigger()
    assert window.current_page() is page
    pacer = ManualPacer()
    page.calls.pacer = pacer
    page.calls.clock = pacer.clock
    page.calls.live_enabled = False  # these tests drive the polling path (tests/ui/call/test_live.py: events)
    return page


def pacer_of(page: CallPage) -> ManualPacer:
    pacer = page.calls.pacer
    assert isinstance(pacer, ManualPacer)
    return pacer


def read(page: CallPage, qtbot: Any) -> None:
    """Let the follower's next read happen and wait for its answer."""
    with qtbot.waitSignal(page.call_updated, timeout=10000):
        pacer_of(page).fire()


def read_until(page: CallPage, qtbot: Any, done: Callable[[], bool], reads: int = 10) -> None:
    for _ in range(reads):
        if done():
            return
        read(page, qtbot)
    assert done(), page.state_label.text()


def call_reads(window: MainWindow) -> list[dict[str, Any]]:
    return [
        r for r in requests_to(window, "GET", "/api/v2/conversations/calls/") if "/user/" not in r["path"]
    ]


def type_number(page: CallPage, qtbot: Any, text: str) -> None:
    page.number_edit.clear()
    qtbot.keyClicks(page.number_edit, text)


def wait_connected(page: CallPage, qtbot: Any) -> None:
    read_until(page, qtbot, lambda: page.state_label.text().startswith("Connected"))


def hang_up_and_read(page: CallPage, qtbot: Any) -> Any:
    """Click Hang up, wait until it was sent, read the call again; the ``call_ended`` blocker."""
    with qtbot.waitSignal(page.calls.busy_changed, timeout=10000):
        qtbot.mouseClick(page.hang_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.calls.hanging_up and pacer_of(page).pending is not None, timeout=10000)
    with qtbot.waitSignal(page.call_ended, timeout=10000) as ended:
        pacer_of(page).fire()
    return ended


def test_client_credentials_route_places_follows_and_hangs_up(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    assert "client credentials" in page.route_label.text()
    assert "requires a user context" in page.route_label.text()
    assert page.user_combo.isVisible()
    assert page.region == "US"  # the org's defaultCountryCode
    page.user_combo.setCurrentIndex(page.user_combo.findText("Sam Supervisor", Qt.MatchFlag.MatchStartsWith))
    type_number(page, qtbot, "3175550123")
    assert page.number_edit.text() == "(317) 555-0123"
    assert "Valid" in page.number_status.text()
    assert "Indiana" in page.number_status.text()
    assert "local time" in page.number_status.text()
    page.caller_id_edit.setText("+1 317 555 0100")
    page.caller_id_name_edit.setText("Outbound QA")
    window.sandbox.control({"switches": {"station_answer": "never", "call_connect_after": 3600}})
    with qtbot.waitSignal(page.call_placed, timeout=10000):
        qtbot.mouseClick(page.place_button, Qt.MouseButton.LeftButton)
    read(page, qtbot)
    assert (
        page.state_label.text()
        == "Ringing the station of Sam Supervisor — it must be answered to start the call"
    )
    assert page.hang_up_button.isEnabled()
    window.sandbox.control({"switches": {"station_answer": 0}})  # the station answers
    read(page, qtbot)
    assert page.state_label.text() == "Dialing…"
    window.sandbox.control({"switches": {"call_connect_after": 0}})  # the number answers
    wait_connected(page, qtbot)
    assert page.hang_up_button.isEnabled()
    states = {
        page.participants.participant(r).purpose: page.participants.participant(r).state for r in range(2)
    }
    assert states == {"user": "connected", "external": "connected"}
    shot = window.grab()
    assert not shot.isNull()
    if os.environ.get("OUTBOUND_SCREENSHOTS"):  # regenerate docs/screenshots (scripts/screenshots.py too)
        assert shot.save(str(SCREENSHOTS / "call-panel.png"))
    ended = hang_up_and_read(page, qtbot)
    assert ended.args[0].participant("external").state == "disconnected"
    assert page.state_label.text().startswith("Ended")
    record = page.history.records[-1]
    assert record.route == "for Sam Supervisor"
    assert record.result.startswith("connected, ended by")
    posts = requests_to(window, "POST", "/api/v2/conversations/calls/user/")
    assert len(posts) == 1
    body = json.loads(posts[0]["body"])
    assert body == {"phoneNumber": "+13175550123", "callerId": "+13175550100", "callerIdName": "Outbound QA"}
    assert requests_to(window, "PATCH", "/participants/")
    assert pacer_of(page).pending is None  # following stopped
    assert min(pacer_of(page).waits[1:]) >= 2.0  # never faster than once per 2 s
    qtbot.waitUntil(lambda: page.place_button.isEnabled(), timeout=5000)


def test_signed_in_user_route(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    with qtbot.waitSignal(window.session.signed_in, timeout=15000):
        window.sign_in_action.trigger()
    page = open_call_page(window, qtbot)
    assert "Calling as <b>Sam Supervisor</b>" in page.route_label.text()
    assert not page.user_combo.isVisible()
    type_number(page, qtbot, "+44 20 7946 0000")
    window.sandbox.control({"switches": {"station_answer": "never"}})
    with qtbot.waitSignal(page.call_placed, timeout=10000):
        page.number_edit.setFocus()
        qtbot.keyClick(page.number_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    read(page, qtbot)
    assert page.state_label.text() == "Ringing your station — answer it to start the call"
    window.sandbox.control({"switches": {"station_answer": 0, "call_connect_after": 0}})
    wait_connected(page, qtbot)
    hang_up_and_read(page, qtbot)
    posts = requests_to(window, "POST", "/api/v2/conversations/calls")
    assert [p["path"] for p in posts] == ["/api/v2/conversations/calls"]
    assert json.loads(posts[0]["body"])["phoneNumber"] == "+442079460000"
    assert page.history.records[-1].route == "as Sam Supervisor"


def test_invalid_number_is_stopped_locally(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    type_number(page, qtbot, "555")
    assert "Cannot dial" in page.number_status.text()
    qtbot.mouseClick(page.place_button, Qt.MouseButton.LeftButton)
    assert "Number to call:" in page.error_label.text()
    assert "too short" in page.error_label.text()
    assert "Nothing was sent" in page.error_label.text()
    assert page.number_edit.text() == "555"  # nothing the user typed is lost
    assert page.number_edit.hasFocus()
    type_number(page, qtbot, "+1 317 555 0123")
    page.caller_id_edit.setText("12")
    assert not page.place()
    assert "Caller id number:" in page.error_label.text()
    assert requests_to(window, "POST", "/conversations/calls") == []
    assert page.history.rowCount() == 0


def test_server_rejection_links_to_the_field(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    type_number(page, qtbot, "+1 317 555 0123")
    page.queue_combo.addItem("Queue deleted since the page loaded", "00000000-0000-0000-0000-000000000000")
    page.queue_combo.setCurrentIndex(page.queue_combo.count() - 1)  # an unknown callFromQueueId → 400
    queue = page.queue_combo.currentText()
    with qtbot.waitSignal(window.sink.reported, timeout=10000) as reported:
        page.place_button.click()
    decoded = reported.args[0]
    assert decoded.status == 400
    assert decoded.target.field == "callFromQueueId"
    assert "Go to field callFromQueueId" in page.error_label.text()
    assert page.queue_combo.hasFocus()  # jumped at once
    assert page.queue_combo.currentText() == queue  # nothing lost
    assert page.history.records[-1].state == "rejected"
    assert window.error_bar.isVisible()
    page.number_edit.setFocus()
    page.error_label.linkActivated.emit("jump")
    assert page.queue_combo.hasFocus()


def test_call_is_never_retried(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    page.user_combo.setCurrentIndex(0)
    type_number(page, qtbot, "+1 317 555 0123")
    window.sandbox.control(
        {"faults": [{"kind": "status", "status": 503, "count": 3, "method": "POST", "path": "/calls"}]}
    )
    with qtbot.waitSignal(window.sink.reported, timeout=10000) as reported:
        page.place_button.click()
    assert reported.args[0].catalog_key == "server.error"
    assert len(requests_to(window, "POST", "/conversations/calls")) == 1


def test_link_external_contact(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    page.user_combo.setCurrentIndex(0)
    page.contact_new_button.click()
    page.first_name_edit.setText("Casey")
    assert not page.create_contact()  # no number yet
    assert "Number to call:" in page.contact_status.text()
    type_number(page, qtbot, "+1 317 555 0199")
    with qtbot.waitSignal(page.contact_linked, timeout=10000, raising=False) as linked:
        page.contact_create_button.click()
    assert linked.signal_triggered, (page.contact_status.text(), [d.title for d in window.sink.history])
    contact_id = linked.args[0].id
    assert page.contact_combo.currentData() == contact_id
    page.contact_combo.setCurrentIndex(0)
    qtbot.waitUntil(page.contact_search_button.isEnabled, timeout=5000)  # disabled while creating
    with qtbot.waitSignal(page.contact_linked, timeout=10000):
        page.contact_search_button.click()
    assert page.contact_combo.currentData() == contact_id
    assert "Casey" in page.contact_combo.currentText()
    window.sandbox.control({"switches": {"station_answer": 0, "call_connect_after": 0}})
    with qtbot.waitSignal(page.call_placed, timeout=10000):
        page.place_button.click()
    body = json.loads(requests_to(window, "POST", "/conversations/calls")[0]["body"])
    assert body["externalContactId"] == contact_id
    wait_connected(page, qtbot)
    hang_up_and_read(page, qtbot)


def place_ringing_call(window: Any, page: CallPage, qtbot: Any, **switches: object) -> str:
    """Place a call (for Sam) whose station does not answer; read it once: ringing."""
    window.sandbox.control({"switches": {"station_answer": "never", **switches}})
    page.user_combo.setCurrentIndex(page.user_combo.findText("Sam Supervisor", Qt.MatchFlag.MatchStartsWith))
    type_number(page, qtbot, "+1 317 555 0123")
    with qtbot.waitSignal(page.call_placed, timeout=10000) as placed:
        page.place_button.click()
    read(page, qtbot)
    assert page.state_label.text().startswith("Ringing the station of Sam Supervisor")
    assert [page.participants.participant(r).purpose for r in range(page.participants.rowCount())] == ["user"]
    assert page.hang_up_button.isEnabled()
    return str(placed.args[0])


def test_unanswered_station_shows_the_decoded_timeout_and_stops_polling(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    place_ringing_call(window, page, qtbot, station_timeout=30)
    window.sandbox.control({"switches": {"station_timeout": 0}})  # the station's ring time runs out
    with qtbot.waitSignal(page.call_ended, timeout=10000) as ended:
        pacer_of(page).fire()
    caller = ended.args[0].participants[0]
    assert (caller.state, caller.error_info.code) == (
        "terminated",
        "error.ininedgecontrol.connection.timeout",
    )
    assert "nobody answered the caller's station" in page.state_label.text()
    error = page.error_label.text().lower()
    assert "nobody answered the caller's station" in error
    assert "log in a station/softphone with auto-answer, or answer it" in error
    assert page.history.records[-1].result.startswith("failed: The call ended before the number was dialled")
    reads = len(call_reads(window))
    assert reads == 2
    assert pacer_of(page).pending is None  # nothing scheduled: polling stopped
    assert not page.hang_up_button.isEnabled()
    qtbot.waitUntil(lambda: page.place_button.isEnabled(), timeout=5000)
    assert len(call_reads(window)) == reads


def test_hang_up_while_ringing_ends_the_whole_conversation(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    cid = place_ringing_call(window, page, qtbot)
    ended = hang_up_and_read(page, qtbot)
    assert [p.state for p in ended.args[0].participants] == ["disconnected"]
    assert [r["path"] for r in requests_to(window, "PATCH", "/conversations/calls")] == [
        f"/api/v2/conversations/calls/{cid}"
    ]
    assert page.history.records[-1].result == "ended before the number was dialled (client)"


def test_gives_up_after_a_bounded_time(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_call_page(window, qtbot)
    place_ringing_call(window, page, qtbot, station_timeout=3600)  # a station that rings for an hour
    with qtbot.waitSignal(page.calls.gave_up, timeout=10000) as gave_up:
        for _ in range(40):
            if pacer_of(page).pending is None:
                break
            read(page, qtbot)
    assert "station was still ringing" in gave_up.args[0]
    assert "Stopped following after 1" in page.error_label.text()
    assert page.state_label.text() == "Stopped following the call."
    waits = pacer_of(page).waits[1:]
    assert waits[0] == 2.0
    assert waits == sorted(waits)  # backed off while nothing changed
    assert len(call_reads(window)) < 20
    assert pacer_of(page).pending is None
    assert page.hang_up_button.isEnabled()  # the call may still be ringing: Hang up ends it
    with qtbot.waitSignal(page.call_ended, timeout=10000):
        page.hang_up_button.click()
        qtbot.waitUntil(lambda: pacer_of(page).pending is not None, timeout=10000)
        pacer_of(page).fire()
