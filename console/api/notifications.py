"""Live updates through Genesys' notification channel (genesys-api.md §13), without Qt.

A :class:`LiveChannel` opens a channel (``POST /api/v2/notifications/channels``), subscribes the
topics its listeners asked for (``PUT .../subscriptions``) and reads the channel's WebSocket on a
thread of its own, handing each event to the topic's listener. It keeps itself open:

- a dropped socket, a ``v2.system.socket_closing`` warning or a silent socket (no heartbeat for
  :attr:`ChannelPace.silence` seconds) reconnects, with back-off after failures, on a new channel
  with the same topics;
- the channel is renewed (its topics PUT again) :attr:`ChannelPace.renew_margin` before it expires;
- a channel that cannot be opened, or a topic Genesys refuses (403, or ``state: Rejected``), is told
  to the listener as "not live, because …": the listener then reads by itself, no faster than every
  :data:`POLL_SECONDS` (the call page and the import confirmation do).

After every (re)subscription the listener hears "live" again and reads the entity once: events sent
while the socket was down are not replayed by Genesys, so that one read is what keeps a final state
from being lost.

The REST calls go through a :class:`~console.api.client.GenesysClient` from the caller's factory
(same auth, retries, API log); the WebSocket uses the ``websockets`` library with the OS trust store
(:func:`~console.api.transport.ssl_context`) and the proxy that client's transport would use for the
same host (:meth:`GenesysClient.proxy_for`).
"""

from __future__ import annotations

import contextlib
import enum
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from console.api.errors import ApiError, ApiStatusError, Cancelled
from console.api.models import ChannelTopic, NotificationEvent
from console.api.transport import USER_AGENT, ssl_context

POLL_SECONDS = 2.0
"""The slowest a listener that is not live reads by itself: never more often than this."""

HEARTBEAT_TOPIC = "channel.metadata"
"""Topic of heartbeats (and ``pong``)."""
CLOSING_TOPIC = "v2.system.socket_closing"
"""Topic of the warning Genesys sends before it closes a socket."""


def calls_topic(user_id: str) -> str:
    """The topic of a user's call conversations."""
    return f"v2.users.{user_id}.conversations.calls"


def import_topic(list_id: str) -> str:
    """The topic of a contact list's import status."""
    return f"v2.outbound.contactlists.{list_id}.importstatus"


class ChannelState(enum.Enum):
    """Whether live updates flow."""

    CONNECTING = "connecting"
    """Opening the channel or reconnecting."""
    LIVE = "live"
    """The socket is open and the topics are subscribed."""
    UNAVAILABLE = "unavailable"
    """No channel could be opened (or the socket keeps failing); listeners read by themselves."""
    CLOSED = "closed"
    """:meth:`LiveChannel.close` was called."""


@dataclass(frozen=True)
class ChannelStatus:
    """The channel's state and, when not live, why.

    Attributes:
        state: Where the channel is.
        reason: Why it is not live (None when live).
    """

    state: ChannelState
    reason: str | None = None


@dataclass(frozen=True)
class TopicStatus:
    """Whether one topic's events flow.

    Attributes:
        topic: The topic.
        live: True: events arrive (read the entity once now to catch up); False: read it by yourself.
        reason: Why it is not live.
    """

    topic: str
    live: bool
    reason: str | None = None


class TopicListener(Protocol):
    """What a subscriber gives :meth:`LiveChannel.subscribe` (both run on the channel's thread)."""

    def on_event(self, event: NotificationEvent) -> None:
        """One event of the topic."""

    def on_status(self, status: TopicStatus) -> None:
        """The topic became live (catch up by one read) or stopped being live (poll)."""


@dataclass(frozen=True)
class ChannelPace:
    """Time limits of the channel (seconds).

    Attributes:
        first_retry: Wait before the first reconnect after a failure.
        factor: Each further failure multiplies the wait by this.
        longest: The wait never grows beyond this.
        silence: A socket without any message this long is taken for dead (heartbeats come every 30 s).
        renew_margin: The channel is subscribed again this long before it expires (at most 1/10 of its life).
        open_timeout: Time-out of the WebSocket handshake.
        poll_tick: How often the reader looks up from the socket to take new subscriptions.
    """

    first_retry: float = 1.0
    factor: float = 2.0
    longest: float = 60.0
    silence: float = 75.0
    renew_margin: float = 600.0
    open_timeout: float = 10.0
    poll_tick: float = 0.1

    def retry_delay(self, failures: int, rng: Callable[[], float] = random.random) -> float:
        """The wait before reconnect number ``failures`` (1-based), with ±20 % jitter, capped."""
        base = min(self.first_retry * self.factor ** max(0, failures - 1), self.longest)
        return float(base * (0.8 + 0.4 * rng()))


class ChannelUnavailableError(ApiError):
    """No notification channel could be opened or its socket connected."""


class _Reconnect(Exception):  # noqa: N818 - control flow inside the reader, never escapes
    """The socket must be replaced (closing warning, silence, renewal failure)."""


ClientFactory = Callable[..., Any]
"""``session.new_client``-like: ``factory(cancel=event)`` → a ``GenesysClient`` context manager."""


def _ws_proxy_url(connect_uri: str) -> str:
    """The http(s) URL whose proxy route a ``ws(s)://`` URI takes (proxies are chosen by HTTP scheme)."""
    if connect_uri.startswith("wss://"):
        return "https://" + connect_uri[6:]
    if connect_uri.startswith("ws://"):
        return "http://" + connect_uri[5:]
    return connect_uri


def describe(exc: BaseException) -> str:
    """A short reason for the window's tooltip."""
    if isinstance(exc, ApiStatusError):
        body = exc.body
        message = getattr(body, "message", None) if body is not None else None
        return f"HTTP {exc.status_code}: {message or exc}"
    text = str(exc) or type(exc).__name__
    return text if len(text) < 300 else text[:297] + "…"


class LiveChannel:
    """A notification channel that stays open, feeding events to per-topic listeners.

    Args:
        factory: Makes the REST client (``session.new_client``); called as ``factory(cancel=event)``.
        on_status: Called on the channel's thread whenever :attr:`status` changes.
        pace: Back-off, silence and renewal limits.
        clock: Wall-clock seconds (for the channel's ``expires``); tests move it.
        connect: Opens the WebSocket (``websockets.sync.client.connect`` by default; tests wrap it).
    """

    def __init__(
        self,
        factory: ClientFactory,
        *,
        on_status: Callable[[ChannelStatus], None] | None = None,
        pace: ChannelPace | None = None,
        clock: Callable[[], float] = time.time,
        connect: Callable[..., Any] | None = None,
    ) -> None:
        self._factory = factory
        self._on_status = on_status
        self.pace = pace or ChannelPace()
        self._clock = clock
        self._connect = connect
        self._lock = threading.Lock()
        self._listeners: dict[str, TopicListener] = {}
        self._refused: dict[str, str] = {}
        self._live_topics: set[str] = set()
        self._dirty = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: Any = None
        self.status = ChannelStatus(ChannelState.CONNECTING)
        """The latest status."""
        self.connects = 0
        """WebSocket connections opened so far (tests and the benchmark count them)."""

    # -- the caller's side (any thread) ---------------------------------------------------------
    def start(self) -> LiveChannel:
        """Start the channel's thread (idempotent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="live-channel", daemon=True)
                self._thread.start()
        return self

    def subscribe(self, topic: str, listener: TopicListener) -> None:
        """Follow ``topic``; the listener hears its status, then its events. Starts the channel."""
        with self._lock:
            self._listeners[topic] = listener
            refused = self._refused.get(topic)
            unavailable = self.status.state is ChannelState.UNAVAILABLE
            reason = self.status.reason
        if refused is not None:
            listener.on_status(TopicStatus(topic, False, refused))
        elif unavailable:
            listener.on_status(TopicStatus(topic, False, reason))
        self._dirty.set()
        self.start()

    def unsubscribe(self, topic: str) -> None:
        """Stop following ``topic`` (its listener hears nothing more)."""
        with self._lock:
            self._listeners.pop(topic, None)
            self._live_topics.discard(topic)
        self._dirty.set()

    def is_live(self, topic: str) -> bool:
        """Whether ``topic``'s events flow now."""
        with self._lock:
            return topic in self._live_topics

    def close(self) -> None:
        """Stop: close the socket and end the thread (waits up to 2 s for it)."""
        self._closed.set()
        self._dirty.set()
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(Exception):  # closing anyway
                sock.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        self._set_status(ChannelStatus(ChannelState.CLOSED))

    # -- the channel's thread -------------------------------------------------------------------
    def _set_status(self, status: ChannelStatus) -> None:
        with self._lock:
            if status == self.status:
                return
            self.status = status
        if self._on_status is not None:
            self._on_status(status)

    def _tell(self, topics: list[str], live: bool, reason: str | None) -> None:
        with self._lock:
            listeners = [(t, self._listeners.get(t)) for t in topics]
            for topic, _ in listeners:
                if live:
                    self._live_topics.add(topic)
                else:
                    self._live_topics.discard(topic)
        for topic, listener in listeners:
            if listener is not None:
                listener.on_status(TopicStatus(topic, live, reason))

    def _wanted(self) -> list[str]:
        with self._lock:
            return [t for t in self._listeners if t not in self._refused]

    def _run(self) -> None:
        failures = 0
        while not self._closed.is_set():
            try:
                if not self._wanted():  # nothing to follow yet: no channel either
                    self._dirty.wait(1.0)
                    self._dirty.clear()
                    continue
                failures = 0 if self._session() else failures
            except Cancelled:
                break
            except Exception as exc:  # noqa: BLE001 - every failure means "reconnect later"
                if self._closed.is_set():
                    break
                failures += 1
                reason = describe(exc)
                with self._lock:
                    lost = list(self._live_topics | set(self._listeners))
                self._tell([t for t in lost if t not in self._refused], False, reason)
                self._set_status(ChannelStatus(ChannelState.UNAVAILABLE, reason))
                if self._closed.wait(self.pace.retry_delay(failures)):
                    break
        with self._lock:
            live = list(self._live_topics)
        self._tell(live, False, "live updates stopped")

    def _session(self) -> bool:
        """One channel: open, subscribe, connect, read until it must be replaced. True if it went live."""
        went_live = False
        self._set_status(ChannelStatus(ChannelState.CONNECTING))
        with self._factory(cancel=self._closed) as client:
            try:
                channel = client.create_notification_channel()
            except ApiError as exc:
                raise ChannelUnavailableError(
                    f"could not open a notification channel ({describe(exc)})"
                ) from exc
            # the lifetime Genesys gives, by the wall clock; the renewal deadline runs on the clock seam
            life = channel.expires.timestamp() - time.time() if channel.expires is not None else 86400.0
            lifetime = max(1.0, life)
            expires = self._clock() + lifetime
            self._dirty.clear()  # the topics wanted now are the ones put now
            topics = self._put(client, channel.id)
            proxy = client.proxy_for(_ws_proxy_url(channel.connect_uri))
            with self._open(channel.connect_uri, proxy) as sock:
                self._socket = sock
                self.connects += 1
                try:
                    self._set_status(ChannelStatus(ChannelState.LIVE))
                    went_live = True
                    self._tell(topics, True, None)
                    last_message = time.monotonic()
                    while not self._closed.is_set():
                        margin = min(self.pace.renew_margin, lifetime / 10)
                        if self._clock() >= expires - margin:
                            self._put(client, channel.id)  # subscribing again renews the channel
                            expires = self._clock() + lifetime
                        if self._dirty.is_set():
                            self._dirty.clear()
                            before = set(topics)
                            topics = self._put(client, channel.id)
                            self._tell([t for t in topics if t not in before], True, None)
                        try:
                            raw = sock.recv(timeout=self.pace.poll_tick)
                        except TimeoutError:
                            if time.monotonic() - last_message > self.pace.silence:
                                raise _Reconnect("no heartbeat from the notification channel") from None
                            continue
                        last_message = time.monotonic()
                        if self._dispatch(raw):
                            raise _Reconnect("Genesys is closing the notification socket")
                except _Reconnect as exc:
                    with self._lock:
                        live = list(self._live_topics)
                    self._tell(live, False, str(exc))
                finally:
                    self._socket = None
        return went_live

    def _open(self, uri: str, proxy: str | None) -> Any:
        from websockets.sync.client import connect as ws_connect

        connect = self._connect or ws_connect
        options: dict[str, Any] = {
            "open_timeout": self.pace.open_timeout,
            "proxy": proxy,
            "user_agent_header": USER_AGENT,
            "ping_interval": None,  # Genesys sends heartbeats; the silence check uses them
            "close_timeout": 2,
        }
        if uri.startswith("wss://"):
            options["ssl"] = ssl_context()
        return connect(uri, **options)

    def _put(self, client: Any, channel_id: str) -> list[str]:
        """PUT the wanted topics; refused ones are told to their listener and left out. The topics taken."""
        wanted = self._wanted()
        if not wanted:
            client.put_channel_subscriptions(channel_id, [])
            return []
        try:
            answered: list[ChannelTopic] = client.put_channel_subscriptions(channel_id, wanted)
        except ApiStatusError as exc:
            if exc.status_code not in (400, 403) or self._closed.is_set():
                raise
            return self._put_one_by_one(client, channel_id, wanted)
        return self._take(client, channel_id, answered)

    def _put_one_by_one(self, client: Any, channel_id: str, wanted: list[str]) -> list[str]:
        """Find the topics Genesys refuses by subscribing each alone (the error need not name it)."""
        for topic in wanted:
            try:
                client.put_channel_subscriptions(channel_id, [topic])
            except ApiStatusError as exc:
                if exc.status_code not in (400, 403):
                    raise
                self._refuse(topic, f"Genesys refused the subscription ({describe(exc)})")
        ok = self._wanted()
        return self._take(client, channel_id, client.put_channel_subscriptions(channel_id, ok)) if ok else []

    def _take(self, client: Any, channel_id: str, answered: list[ChannelTopic]) -> list[str]:
        rejected = [t for t in answered if (t.state or "Permitted").lower() == "rejected"]
        for topic in rejected:
            why = topic.rejection_reason or "rejected"
            if topic.missing_permissions:
                why += f" (missing {', '.join(topic.missing_permissions)})"
            self._refuse(topic.id, f"Genesys rejected the subscription: {why}")
        if rejected:
            ok = self._wanted()
            client.put_channel_subscriptions(channel_id, ok)
            return ok
        return [t.id for t in answered if t.id in self._wanted()]

    def _refuse(self, topic: str, reason: str) -> None:
        with self._lock:
            self._refused[topic] = reason
        self._tell([topic], False, reason)

    def _dispatch(self, raw: str | bytes) -> bool:
        """Hand one message to its listener; True for ``socket_closing``."""
        try:
            event = NotificationEvent.model_validate(json.loads(raw))
        except (ValueError, TypeError):
            return False  # not an event (the platform only sends JSON; ignore anything else)
        if event.topic_name == CLOSING_TOPIC:
            return True
        if event.topic_name == HEARTBEAT_TOPIC:
            return False
        with self._lock:
            listener = self._listeners.get(event.topic_name)
        if listener is not None:
            listener.on_event(event)
        return False
