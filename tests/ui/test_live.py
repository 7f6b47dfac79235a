"""The window's face of the notification channel (console/ui/live.py), without a network."""

from __future__ import annotations

from typing import Any

import pytest

from console.api.notifications import ChannelState, ChannelStatus
from console.ui.live import UNAVAILABLE_TEXT, LiveUpdates, status_text


@pytest.mark.parametrize(
    ("status", "text", "tip_part"),
    [
        (ChannelStatus(ChannelState.LIVE), "Live updates: on", "notification channel"),
        (ChannelStatus(ChannelState.CONNECTING), "Live updates: connecting…", "Opening"),
        (ChannelStatus(ChannelState.UNAVAILABLE, "HTTP 503: down"), "Live updates: off", "HTTP 503: down"),
        (ChannelStatus(ChannelState.CLOSED), "Live updates: off", "closed"),
    ],
)
def test_status_text(status: ChannelStatus, text: str, tip_part: str) -> None:
    shown, tip = status_text(status)
    assert shown == text
    assert tip_part in tip
    if status.state is ChannelState.UNAVAILABLE:
        assert tip.startswith(UNAVAILABLE_TEXT)


def test_deleting_the_object_closes_the_channel(qtbot: Any) -> None:
    def no_network(**_: Any) -> Any:
        raise OSError("no network here")

    updates = LiveUpdates(no_network)
    channel = updates.channel
    with qtbot.waitSignal(updates.topic_changed, timeout=5000) as told:
        updates.subscribe("v2.users.x.conversations.calls")
    assert told.args[0].live is False
    assert "no network here" in told.args[0].reason
    updates.deleteLater()
    qtbot.waitUntil(lambda: channel.status.state is ChannelState.CLOSED, timeout=5000)
