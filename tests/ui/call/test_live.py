"""The call page following a call through the notification channel, over real WebSockets (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.api.notifications import ChannelPace
from console.ui.call.page import CallPage
from console.ui.live import UNAVAILABLE_TEXT
from tests.ui.call.test_page import ManualPacer, call_reads, make_window, open_call_page, type_number

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
__all__ = ["make_window"]  # the fixture, re-used

WAIT = 10000  # ms: a bound on waiting for the channel, never a sleep


def open_live(window: Any, qtbot: Any) -> CallPage:
    page = open_call_page(window, qtbot)
    page.calls.live_enabled = True
    return page


def place_for_sam(page: CallPage, qtbot: Any) -> str:
    page.user_combo.setCurrentIndex(page.user_combo.findText("Sam Supervisor", Qt.MatchFlag.MatchStartsWith))
    type_number(page, qtbot, "+1 317 555 0123")
    with qtbot.waitSignal(page.call_placed, timeout=WAIT) as placed:
        page.place_button.click()
    return str(placed.args[0])


def test_call_states_arrive_through_the_channel_and_the_page_shows_them(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_live(window, qtbot)
    window.sandbox.control({"switches": {"station_answer": "5", "call_connect_after": "5"}})
    try:
        with qtbot.waitSignal(page.calls.live_changed, timeout=WAIT):
            place_for_sam(page, qtbot)  # subscribed at once: the call is on behalf of Sam
        qtbot.waitUntil(lambda: page.state_label.text().startswith("Ringing the station"), timeout=WAIT)
        window.sandbox.control({"advance_clock": 6})
        qtbot.waitUntil(lambda: page.state_label.text() == "Dialing…", timeout=WAIT)
        window.sandbox.control({"advance_clock": 6})
        qtbot.waitUntil(lambda: page.state_label.text().startswith("Connected"), timeout=WAIT)
        with qtbot.waitSignal(page.call_ended, timeout=WAIT):
            page.hang_up_button.click()
        assert page.state_label.text().startswith("Ended")
        assert page.calls.live_on
        assert not page.live_label.isVisible()
        assert isinstance(page.calls.pacer, ManualPacer)
        assert page.calls.pacer.pending is None  # nothing was polled
        assert len(call_reads(window)) <= 1  # at most the one catch-up read
        assert window.live_label.text() == "Live updates: on"
    finally:
        page.calls.close_live()


def test_a_dropped_socket_reconnects_without_losing_the_final_state(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_live(window, qtbot)
    window.sandbox.control({"switches": {"station_answer": "never"}})
    try:
        with qtbot.waitSignal(page.calls.live_changed, timeout=WAIT):
            place_for_sam(page, qtbot)
        qtbot.waitUntil(lambda: page.state_label.text().startswith("Ringing"), timeout=WAIT)
        assert page.calls.updates is not None
        page.calls.updates.channel.pace = ChannelPace(first_retry=0.05)  # reconnect within the test's bound
        with qtbot.waitSignal(page.calls.live_changed, timeout=WAIT) as down:
            window.sandbox.control({"drop_sockets": True, "switches": {"station_timeout": "0"}})
        assert down.args[0] is False  # the end happens while the socket is down: no event for it
        # back live, the catch-up read shows the end
        qtbot.waitUntil(lambda: "nobody answered the caller" in page.state_label.text(), timeout=WAIT)
        assert not page.calls.following
        assert page.calls.updates.channel.connects == 2
    finally:
        page.calls.close_live()


def test_a_refused_topic_falls_back_to_polling_with_the_message(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = open_live(window, qtbot)
    window.sandbox.control({"switches": {"station_answer": "never", "refused_topics": "v2.users.*"}})
    try:
        with qtbot.waitSignal(page.calls.live_changed, timeout=WAIT) as changed:
            place_for_sam(page, qtbot)
        assert changed.args[0] is False
        qtbot.waitUntil(page.live_label.isVisible, timeout=WAIT)
        assert page.live_label.text() == UNAVAILABLE_TEXT == "live updates unavailable: checking every 2 s"
        assert "403" in page.live_label.toolTip()
        pacer = page.calls.pacer
        assert isinstance(pacer, ManualPacer)
        qtbot.waitUntil(lambda: pacer.pending is not None, timeout=WAIT)
        with qtbot.waitSignal(page.call_updated, timeout=WAIT):
            pacer.fire()
        assert page.state_label.text().startswith("Ringing the station of Sam")
        assert all(wait >= 2.0 for wait in pacer.waits[1:])  # polling never faster than every 2 s
    finally:
        page.calls.close_live()


def test_the_signed_in_users_call_is_followed_live_after_the_first_read(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    with qtbot.waitSignal(window.session.signed_in, timeout=15000):
        window.sign_in_action.trigger()
    page = open_live(window, qtbot)
    type_number(page, qtbot, "+44 20 7946 0000")
    window.sandbox.control({"switches": {"station_answer": "5"}})
    pacer = page.calls.pacer
    assert isinstance(pacer, ManualPacer)
    try:
        with qtbot.waitSignal(page.call_placed, timeout=WAIT):
            page.place_button.click()
        with qtbot.waitSignal(page.calls.live_changed, timeout=WAIT) as changed:
            pacer.fire()  # the first read names the caller: Sam's own calls topic is subscribed
        assert changed.args[0] is True
        pending = pacer.pending  # the catch-up read replaced the polling schedule
        window.sandbox.control({"advance_clock": 7})
        qtbot.waitUntil(lambda: page.state_label.text().startswith("Connected"), timeout=WAIT)
        assert pending is None
    finally:
        page.calls.close_live()


def test_a_read_older_than_a_shown_event_is_dropped(qtbot: Any) -> None:
    """The catch-up read can come back after a newer event; it must not put the call back a state."""
    from console.api.models import CallConversation, NotificationEvent
    from console.api.notifications import TopicStatus, calls_topic
    from console.ui.call.controller import CallController
    from console.ui.errors import ErrorSink

    def conv(*legs: tuple[str, str]) -> dict[str, Any]:
        return {"id": "c1", "participants": [{"id": p, "purpose": p, "state": s} for p, s in legs]}

    controller = CallController(lambda **_: None, ErrorSink())
    pacer = ManualPacer()
    controller.pacer, controller.clock = pacer, pacer.clock
    topic = calls_topic("u1")
    controller._topic = topic  # as _follow_live leaves it, without a channel
    controller._on_live_topic_changed(TopicStatus(topic, True))
    controller.conversation_id = "c1"
    controller._set_following(True)
    shown: list[CallConversation] = []
    controller.updated.connect(shown.append)
    controller._read_from = controller._events_taken  # a read starts ...
    connected = conv(("user", "connected"), ("external", "connected"))
    event = NotificationEvent.model_validate({"topicName": topic, "eventBody": connected})
    controller._on_live_event_received(event)  # ... an event is shown ...
    stale = CallConversation.model_validate(conv(("user", "alerting")))
    controller._on_follow_succeeded(stale)  # ... then the read answers
    assert [[p.state for p in c.participants] for c in shown] == [["connected", "connected"]]
    assert controller.conversation is not None
    assert controller.conversation.participants[1].state == "connected"
    controller._set_following(False)
