"""The console's notification channel against the sandbox over real WebSockets (api/notifications.py)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from console.api import Endpoint, GenesysClient
from console.api.models import CreateCallRequest, NotificationEvent
from console.api.notifications import (
    ChannelPace,
    ChannelState,
    ChannelStatus,
    LiveChannel,
    TopicStatus,
    calls_topic,
    import_topic,
)
from console.api.transport import ConsoleTransport
from console.sandbox import Sandbox
from console.sandbox.store import SUPERVISOR_ID
from tests.api.conftest import sandbox_requests
from tests.http_proxy import ForwardingProxy

WAIT = 5.0  # the longest a test waits for one thing to happen (a bound, never a sleep)
FAST = ChannelPace(first_retry=0.05, longest=0.2)
TOPIC = calls_topic(SUPERVISOR_ID)


class Listener:
    """Collects what the channel tells one topic."""

    def __init__(self) -> None:
        self.things: queue.Queue[NotificationEvent | TopicStatus] = queue.Queue()

    def on_event(self, event: NotificationEvent) -> None:
        self.things.put(event)

    def on_status(self, status: TopicStatus) -> None:
        self.things.put(status)

    def next_status(self) -> TopicStatus:
        while True:
            thing = self.things.get(timeout=WAIT)
            if isinstance(thing, TopicStatus):
                return thing

    def next_event(self) -> NotificationEvent:
        while True:
            thing = self.things.get(timeout=WAIT)
            if isinstance(thing, NotificationEvent):
                return thing


def states(event: NotificationEvent) -> list[tuple[str, str]]:
    return [(p["purpose"], p["state"]) for p in event.event_body["participants"]]


@pytest.fixture
def factory(endpoint: Endpoint) -> Callable[..., GenesysClient]:
    def make(cancel: threading.Event | None = None, **_: Any) -> GenesysClient:
        return GenesysClient.with_client_credentials(
            endpoint, "sandbox-client", "sandbox-secret", cancel=cancel
        )

    return make


@pytest.fixture
def statuses() -> list[ChannelStatus]:
    return []


@pytest.fixture
def channel(factory: Callable[..., GenesysClient], statuses: list[ChannelStatus]) -> Iterator[LiveChannel]:
    live = LiveChannel(factory, on_status=statuses.append, pace=FAST)
    yield live
    live.close()


def place(api: GenesysClient) -> str:
    created = api.create_call_for_user(SUPERVISOR_ID, CreateCallRequest(phoneNumber="+13175550123"))
    assert created.id
    return created.id


def test_call_states_arrive_through_the_channel(
    sandbox: Sandbox, api: GenesysClient, channel: LiveChannel
) -> None:
    listener = Listener()
    channel.subscribe(TOPIC, listener)
    assert listener.next_status() == TopicStatus(TOPIC, True)
    assert channel.is_live(TOPIC)
    assert channel.status.state is ChannelState.LIVE
    sandbox.control({"switches": {"station_answer": "5"}})
    cid = place(api)
    first = listener.next_event()
    assert first.event_body["id"] == cid
    assert states(first) == [("user", "alerting")]
    sandbox.control({"advance_clock": 10})
    assert states(listener.next_event()) == [("user", "connected"), ("external", "dialing")]
    assert states(listener.next_event()) == [("user", "connected"), ("external", "connected")]


def test_a_dropped_socket_reconnects_and_resubscribes(
    sandbox: Sandbox, api: GenesysClient, channel: LiveChannel
) -> None:
    listener = Listener()
    channel.subscribe(TOPIC, listener)
    assert listener.next_status().live
    sandbox.control({"drop_sockets": True})
    down = listener.next_status()
    assert not down.live
    assert down.reason
    assert listener.next_status() == TopicStatus(TOPIC, True)  # a new channel, the same topic
    assert channel.connects == 2
    sandbox.control({"switches": {"station_answer": "never"}})
    place(api)
    assert states(listener.next_event()) == [("user", "alerting")]


def test_socket_closing_moves_to_a_new_channel(sandbox: Sandbox, channel: LiveChannel) -> None:
    sandbox.control({"switches": {"channel_lifetime": "100"}})
    listener = Listener()
    channel.subscribe(TOPIC, listener)
    assert listener.next_status().live
    sandbox.control({"advance_clock": 101})  # the sandbox expires the channel: socket_closing, close
    assert not listener.next_status().live
    assert listener.next_status().live
    assert channel.connects == 2


def test_the_channel_is_renewed_before_it_expires(
    sandbox: Sandbox, factory: Callable[..., GenesysClient]
) -> None:
    sandbox.control({"switches": {"channel_lifetime": "100"}})
    now = [1_000_000.0]
    channel = LiveChannel(factory, pace=FAST, clock=lambda: now[0])
    try:
        listener = Listener()
        channel.subscribe(TOPIC, listener)
        assert listener.next_status().live
        httpx.delete(f"{sandbox.url}/sandbox/requests")
        now[0] += 95  # within a tenth of the lifetime of the end: subscribe again
        deadline = threading.Event()
        for _ in range(int(WAIT / 0.05)):
            puts = [r for r in sandbox_requests(sandbox) if r["method"] == "PUT"]
            if puts:
                break
            deadline.wait(0.05)
        assert [r["path"].rsplit("/", 1)[-1] for r in puts] == ["subscriptions"]
        sandbox.control({"advance_clock": 95})  # renewed on the sandbox too: the socket stays
        assert channel.is_live(TOPIC)
        assert channel.connects == 1
    finally:
        channel.close()


def test_a_refused_topic_is_told_with_the_reason(sandbox: Sandbox, channel: LiveChannel) -> None:
    sandbox.control({"switches": {"refused_topics": "v2.users.*"}})
    refused, fine = Listener(), Listener()
    channel.subscribe(TOPIC, refused)
    channel.subscribe(import_topic("some-list"), fine)
    status = refused.next_status()
    assert not status.live
    assert "403" in (status.reason or "")
    assert "not allow" in (status.reason or "")
    assert fine.next_status().live  # the other topic is unaffected
    again = Listener()
    channel.subscribe(TOPIC, again)  # a later subscriber hears the refusal at once
    assert not again.next_status().live


def test_no_channel_means_not_live_with_the_reason_and_retries(
    sandbox: Sandbox, channel: LiveChannel, statuses: list[ChannelStatus]
) -> None:
    sandbox.control(
        {"faults": [{"kind": "status", "status": 503, "path": "notifications/channels$", "count": 2}]}
    )
    listener = Listener()
    channel.subscribe(TOPIC, listener)
    status = listener.next_status()
    assert not status.live
    assert "could not open a notification channel" in (status.reason or "")
    assert "503" in (status.reason or "")
    while not (status := listener.next_status()).live:  # the faults run out: the channel opens
        pass
    assert any(s.state is ChannelState.UNAVAILABLE for s in statuses)
    assert channel.status.state is ChannelState.LIVE


def test_the_socket_goes_through_the_clients_proxy(sandbox: Sandbox, endpoint: Endpoint) -> None:
    with ForwardingProxy() as proxy:

        def make(cancel: threading.Event | None = None, **_: Any) -> GenesysClient:
            return GenesysClient.with_client_credentials(
                endpoint,
                "sandbox-client",
                "sandbox-secret",
                cancel=cancel,
                transport=ConsoleTransport(proxy.url),
            )

        channel = LiveChannel(make, pace=FAST)
        try:
            listener = Listener()
            channel.subscribe(TOPIC, listener)
            assert listener.next_status().live
        finally:
            channel.close()
        assert f"CONNECT 127.0.0.1:{sandbox.port}" in proxy.seen
        assert any(s.startswith("POST ") and s.endswith("/api/v2/notifications/channels") for s in proxy.seen)


def test_pace_backs_off_and_caps() -> None:
    pace = ChannelPace(first_retry=1, factor=2, longest=5)
    assert [pace.retry_delay(n, rng=lambda: 0.5) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]
    assert pace.retry_delay(1, rng=lambda: 0.0) == pytest.approx(0.8)


def test_a_sibling_client_serves_the_channel(sandbox: Sandbox, api: GenesysClient) -> None:
    channel = LiveChannel(api.sibling, pace=FAST)
    try:
        listener = Listener()
        channel.subscribe(TOPIC, listener)
        assert listener.next_status().live
    finally:
        channel.close()
    assert api.get_organization().id  # the sibling's close left the shared transport open
