"""Live updates in the window: a :class:`~console.api.notifications.LiveChannel` seen through Qt signals.

The channel reads its WebSocket on its own (non-Qt) thread; this object lives on the GUI thread, so
each signal it emits from that thread is queued to the GUI-thread slots connected to it (STYLE.md:
controllers connect their ``@Slot`` methods, never lambdas).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from console.api.models import NotificationEvent
from console.api.notifications import (
    POLL_SECONDS,
    ChannelPace,
    ChannelState,
    ChannelStatus,
    ClientFactory,
    LiveChannel,
    TopicStatus,
)

UNAVAILABLE_TEXT = f"live updates unavailable: checking every {POLL_SECONDS:g} s"
"""What a page shows while it polls instead (the reason goes in the tooltip)."""


def status_text(status: ChannelStatus) -> tuple[str, str]:
    """The status bar's text and tooltip for the channel's status."""
    if status.state is ChannelState.LIVE:
        return "Live updates: on", "Calls and imports are followed through Genesys' notification channel."
    if status.state is ChannelState.CONNECTING:
        return "Live updates: connecting…", "Opening Genesys' notification channel."
    if status.state is ChannelState.UNAVAILABLE:
        return "Live updates: off", f"{UNAVAILABLE_TEXT} ({status.reason or 'no reason given'})"
    return "Live updates: off", "The notification channel is closed."


class LiveUpdates(QObject):
    """One notification channel for the window's pages.

    Signals:
        event_received(object): a :class:`NotificationEvent` of a subscribed topic.
        topic_changed(object): a :class:`TopicStatus` (live: catch up by one read; not live: poll).
        status_changed(object): the channel's :class:`ChannelStatus` (for the status bar).

    Args:
        factory: ``session.new_client``.
        parent: Owner.
        pace: The channel's limits (tests shorten the back-off).
    """

    event_received = Signal(object)  # object: NotificationEvent
    topic_changed = Signal(object)  # object: TopicStatus
    status_changed = Signal(object)  # object: ChannelStatus

    def __init__(
        self, factory: ClientFactory, parent: QObject | None = None, *, pace: ChannelPace | None = None
    ):
        super().__init__(parent)
        self.channel = LiveChannel(factory, on_status=self._on_channel_status, pace=pace)
        # a window torn down without closeEvent must not leave the channel's thread emitting into a
        # deleted object: when this object goes, emitting stops and the plain channel is closed
        self._alive = alive = threading.Event()
        alive.set()
        channel = self.channel

        def gone() -> None:
            alive.clear()
            channel.close()

        self.destroyed.connect(gone)

    def subscribe(self, topic: str) -> None:
        """Follow ``topic`` (starts the channel)."""
        self.channel.subscribe(topic, self)

    def unsubscribe(self, topic: str) -> None:
        """Stop following ``topic``."""
        self.channel.unsubscribe(topic)

    def is_live(self, topic: str) -> bool:
        """Whether ``topic``'s events flow now."""
        return self.channel.is_live(topic)

    def close(self) -> None:
        """Close the channel (joins its thread briefly)."""
        self.channel.close()

    # the channel's listener interface (called on the channel's thread)
    def on_event(self, event: NotificationEvent) -> None:
        """Re-emit an event."""
        if self._alive.is_set():
            self.event_received.emit(event)

    def on_status(self, status: TopicStatus) -> None:
        """Re-emit a topic's status."""
        if self._alive.is_set():
            self.topic_changed.emit(status)

    def _on_channel_status(self, status: ChannelStatus) -> None:
        if self._alive.is_set():
            self.status_changed.emit(status)
