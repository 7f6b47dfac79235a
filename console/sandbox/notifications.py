"""Notifications (genesys-api.md §13): channels, topic subscriptions, and events over a WebSocket.

``POST /api/v2/notifications/channels`` opens a channel ``{id, connectUri, expires}``; its
subscriptions are read and changed with ``GET|PUT|POST|DELETE .../channels/{id}/subscriptions``
(``[{"id": topic}]``; PUT replaces, POST adds, DELETE removes all). Subscribing renews the channel
(``expires`` = now + ``channel_lifetime``, a switch, default 86400 s, as Genesys documents: "to keep a
channel longer than 24 hours, resubscribe"). The WebSocket at ``connectUri``
(``ws://HOST:PORT/channels/{id}``, the sandbox's own port) pushes ``{topicName, version, eventBody,
metadata}``:

- ``v2.users.{userId}.conversations.calls``: the conversation (SDK
  ``ConversationCallEventTopicCallConversation`` shape) on every participant state change of that
  user's calls, the intermediate states included when the sandbox clock jumps;
- ``v2.outbound.contactlists.{listId}.importstatus``: ``{importState, totalRecords, completedRecords,
  percentageComplete, failureReason}`` (SDK ``ContactlistImportStatusImportStatus``) on every change;
- ``channel.metadata`` heartbeats every ``heartbeat_seconds`` (switch, default 30) of sandbox time;
- ``v2.system.socket_closing`` before the sandbox closes a socket (channel expiry, stop, reset).

Which topics a token may see is [U]: here a user token sees its own user's calls only (another
user's → 403), a client-credentials token any user's, importstatus needs ``outbound:contactList:view``,
and the ``refused_topics`` switch (comma-separated ``fnmatch`` patterns) refuses matching topics with
403. The ``drop_sockets`` control key cuts every open socket without a close frame (a network fault).

Events are found by a watcher thread that re-reads every subscribed call and import each time the
sandbox clock moves (``advance_clock``) and every 20 ms of real time, and sends what changed; it runs
only while a socket is open.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.sandbox import calls
from console.sandbox.errors import ApiError, bad_request, missing_permission, not_found
from console.sandbox.lists import import_status
from console.sandbox.store import SandboxState, Token
from console.sandbox.wire import Request, Response, Route, iso, new_id

if TYPE_CHECKING:
    from websockets.sync.server import ServerConnection

CALLS_TOPIC = re.compile(r"v2\.users\.(?P<uid>[^.]+)\.conversations\.calls")
"""A user's call conversations."""
IMPORT_TOPIC = re.compile(r"v2\.outbound\.contactlists\.(?P<lid>[^.]+)\.importstatus")
"""A contact list's import status."""
HEARTBEAT = {"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}}
"""The heartbeat message (genesys-api.md §13)."""
SOCKET_CLOSING = "v2.system.socket_closing"
"""Topic of the warning sent before the sandbox closes a socket."""
CHANNEL_PATH = re.compile(r"/channels/(?P<id>[^/?]+)")
"""Path of a channel's WebSocket."""
_TICK = 0.02  # real seconds between watcher passes when the clock is not moved
_MAX_TOPICS = 1000  # per channel (the platform's documented limit)

_PARTICIPANT_KEYS = (
    "id",
    "name",
    "address",
    "startTime",
    "connectedTime",
    "endTime",
    "purpose",
    "state",
    "direction",
    "disconnectType",
    "held",
    "user",
    "queue",
    "attributes",
    "errorInfo",
    "externalContact",
    "muted",
    "ani",
    "dnis",
)


@dataclass
class Channel:
    """One notification channel.

    Attributes:
        id: Channel id (the secret part of ``connectUri``).
        client_id: OAuth client of the token that opened it.
        user_id: User of that token (None for client credentials).
        expires: Sandbox time after which it is gone.
        topics: Subscribed topics, in order.
        socket: The open WebSocket, if any (one per channel; a new one replaces it).
        next_heartbeat: Sandbox time of the next heartbeat on ``socket``.
        last: What was last sent (or seen at subscription) per (topic, entity id).
        seen_at: Per conversation id, the sandbox time up to which its states were looked at.
        finished: Conversations whose final state was rendered (not looked at again).
    """

    id: str
    client_id: str
    user_id: str | None
    expires: float
    topics: list[str] = field(default_factory=list)
    socket: ServerConnection | None = None
    next_heartbeat: float = 0.0
    last: dict[tuple[str, str], Any] = field(default_factory=dict)
    seen_at: dict[str, float] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)


def call_event(conversation: dict[str, Any]) -> dict[str, Any]:
    """A CallConversation (REST) in the shape of the SDK's call-conversation event topic model."""
    participants = []
    for leg in conversation["participants"]:
        out = {k: leg.get(k) for k in _PARTICIPANT_KEYS if leg.get(k) is not None}
        for ref in ("user", "queue", "externalContact"):
            if ref in out:
                out[ref] = {"id": out[ref]["id"]}
        participants.append(out)
    return {
        "id": conversation["id"],
        "participants": participants,
        "otherMediaUris": [],
        "recordingState": conversation.get("recordingState", "none"),
        "maxParticipants": conversation.get("maxParticipants"),
        "divisions": [
            {"division": {"id": d["division"]["id"]}, "entities": d.get("entities", [])}
            for d in conversation.get("divisions", [])
        ],
    }


def import_event(status: dict[str, Any], list_id: str) -> dict[str, Any]:
    """An ImportStatus (REST) in the shape of the SDK's ``ContactlistImportStatusImportStatus``."""
    out: dict[str, Any] = {
        "importState": status.get("state"),
        "totalRecords": status.get("totalRecords"),
        "completedRecords": status.get("completedRecords"),
        "percentageComplete": status.get("percentComplete"),
        "failureReason": status.get("failureReason"),
        "targetContactListIds": [list_id],
    }
    return {k: v for k, v in out.items() if v is not None}


class Hub:
    """Channels, their sockets, and the watcher thread that turns state changes into events.

    Args:
        state: The sandbox state (its lock guards the channels too).
    """

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.channels: dict[str, Channel] = {}
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    # -- channels -------------------------------------------------------------------------------
    def lifetime(self) -> float:
        """Seconds a channel lives after it was opened or last subscribed."""
        return float(self.state.switch("channel_lifetime"))

    def open(self, token: Token, now: float) -> Channel:
        """A new channel for ``token``'s client and user (call under the state lock)."""
        channel = Channel(new_id(), token.client.client_id, token.user_id, now + self.lifetime())
        self.channels[channel.id] = channel
        return channel

    def owned(self, token: Token, channel_id: str, now: float) -> Channel:
        """The caller's live channel; 404 for an unknown, expired or foreign one (under the lock)."""
        channel = self.channels.get(channel_id)
        if (
            channel is None
            or channel.expires <= now
            or channel.client_id != token.client.client_id
            or channel.user_id != token.user_id
        ):
            raise not_found(channel_id, "Channel")
        return channel

    def check_topic(self, token: Token, topic: str) -> None:
        """Raise the answer for a topic ``token`` may not subscribe to.

        Raises:
            ApiError: 400 for a topic the sandbox does not know, 403 for one the token may not see.
        """
        refused = [p.strip() for p in self.state.switch("refused_topics").split(",") if p.strip()]
        if any(fnmatch.fnmatchcase(topic, p) for p in refused):
            raise _forbidden(topic, "the organization does not allow this subscription")
        if m := CALLS_TOPIC.fullmatch(topic):
            if "conversation:communication:view" not in token.permissions:
                raise missing_permission("conversation:communication:view")
            if token.user_id is not None and m["uid"] != token.user_id:
                raise _forbidden(topic, "a user may only follow their own calls")
            if self.state.user(m["uid"]) is None:
                raise _forbidden(topic, "the user does not exist")
            return
        if IMPORT_TOPIC.fullmatch(topic):
            if "outbound:contactList:view" not in token.permissions:
                raise missing_permission("outbound:contactList:view")
            return
        raise ApiError(
            400,
            "notification.topic.invalid",
            f"The topic [{topic}] is not a topic the sandbox knows.",
            message_with_params="The topic [{topic}] is not a topic the sandbox knows.",
            params={"topic": topic},
        )

    def subscribe(self, channel: Channel, topics: list[str], now: float, *, replace: bool) -> None:
        """Set or add topics and renew the channel; current states become the baseline (under the lock)."""
        if replace:
            channel.topics = []
            channel.last.clear()
            channel.seen_at.clear()
            channel.finished.clear()
        for topic in topics:
            if topic not in channel.topics:
                channel.topics.append(topic)
                for key, body, _ in self._current(channel, topic, now, baseline=True):
                    channel.last[key] = body
        channel.expires = now + self.lifetime()

    # -- sockets --------------------------------------------------------------------------------
    def serve(self, sock: socket.socket, raw: bytes, channel_id: str) -> None:
        """Run a channel's WebSocket on a connection whose upgrade was read; blocks until it closes."""
        from websockets.http11 import Request as WsRequest
        from websockets.server import ServerProtocol
        from websockets.sync.server import ServerConnection

        protocol = ServerProtocol()
        protocol.receive_data(raw)  # the parser reads the request, then expects frames
        events = protocol.events_received()
        if len(events) != 1 or not isinstance(events[0], WsRequest):
            return
        request = events[0]
        response = protocol.accept(request)
        now = self.state.clock.now()
        with self.state.lock:
            channel = self.channels.get(channel_id)
            live = channel is not None and channel.expires > now
        if response.status_code == 101 and not live:
            response = protocol.reject(404, f"The channel [{channel_id}] does not exist or has expired.\n")
        sock.settimeout(None)
        if response.status_code != 101 or channel is None:
            protocol.send_response(response)
            with contextlib.suppress(OSError):
                sock.sendall(b"".join(protocol.data_to_send()))
            return
        # The HTTP server already read the upgrade request, so the handshake is answered here and the
        # socket handed to websockets' connection; ``request`` is set before the 101 goes out, so the
        # client's first frame finds the handshake done. ``server`` is only used by handshake().
        conn = ServerConnection(sock, protocol, None, ping_interval=None)  # type: ignore[arg-type]
        conn.request, conn.response = request, response
        with conn.protocol_mutex:
            protocol.send_response(response)
            data = b"".join(protocol.data_to_send())
        try:
            sock.sendall(data)
        except OSError:
            return
        with self.state.lock:
            old, channel.socket = channel.socket, conn
            channel.next_heartbeat = now + float(self.state.switch("heartbeat_seconds"))
            self._start()
        if old is not None:
            _close(old, "a new connection replaced this one")
        try:
            for message in conn:
                self._answer(conn, message)
        except Exception:  # noqa: BLE001 - a broken socket ends the channel's connection, nothing more
            pass
        finally:
            with self.state.lock:
                if channel.socket is conn:
                    channel.socket = None

    def _answer(self, conn: ServerConnection, message: str | bytes) -> None:
        """``{"message": "ping"}`` is answered with a ``pong`` metadata message; the rest is ignored."""
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            if json.loads(message).get("message") == "ping":
                conn.send(json.dumps({"topicName": "channel.metadata", "eventBody": {"message": "pong"}}))

    def drop_all(self) -> int:
        """Cut every open socket without a close frame (the ``drop_sockets`` fault); how many."""
        with self.state.lock:
            conns = [c.socket for c in self.channels.values() if c.socket is not None]
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.socket.shutdown(socket.SHUT_RDWR)
        return len(conns)

    def close_all(self, reason: str) -> None:
        """Send ``socket_closing`` on every open socket, close them and forget every channel."""
        with self.state.lock:
            conns = [c.socket for c in self.channels.values() if c.socket is not None]
            self.channels.clear()
        for conn in conns:
            _close(conn, reason)

    def stop(self) -> None:
        """Close everything and end the watcher."""
        self._stopped.set()
        self.close_all("the sandbox is stopping")

    # -- the watcher ----------------------------------------------------------------------------
    def _start(self) -> None:
        self._stopped.clear()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._watch, name="sandbox-notifications", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        while not self._stopped.is_set():
            with self.state.lock:  # no open socket: nothing to watch (serve() starts it again)
                if not any(c.socket is not None for c in self.channels.values()):
                    self._thread = None
                    return
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the watcher must outlive one bad pass
                import traceback

                traceback.print_exc()
            self.state.clock.wait_moved(_TICK)

    def tick(self) -> None:
        """One pass: send what changed, heartbeats due, and close expired channels."""
        now = self.state.clock.now()
        sends: list[tuple[ServerConnection, list[dict[str, Any]]]] = []
        closing: list[ServerConnection] = []
        with self.state.lock:
            beat = float(self.state.switch("heartbeat_seconds"))
            for channel in list(self.channels.values()):
                if channel.expires <= now:
                    del self.channels[channel.id]
                    if channel.socket is not None:
                        closing.append(channel.socket)
                    continue
                if channel.socket is None:
                    continue
                out: list[dict[str, Any]] = []
                for topic in channel.topics:
                    for key, body, _ in self._current(channel, topic, now, baseline=False):
                        if channel.last.get(key) != body:
                            channel.last[key] = body
                            out.append(
                                {
                                    "topicName": topic,
                                    "version": "2",
                                    "eventBody": body,
                                    "metadata": {"CorrelationId": new_id()},
                                }
                            )
                if now >= channel.next_heartbeat:
                    out.append(HEARTBEAT)
                    channel.next_heartbeat += beat
                    if channel.next_heartbeat <= now:  # the clock jumped: one heartbeat, then the beat again
                        channel.next_heartbeat = now + beat
                if out:
                    sends.append((channel.socket, out))
        for conn, messages in sends:
            for message in messages:
                try:
                    conn.send(json.dumps(message, separators=(",", ":")))
                except Exception:  # noqa: BLE001 - closed meanwhile; its reader ends the connection
                    break
        for conn in closing:
            _close(conn, "the channel expired")

    def _current(
        self, channel: Channel, topic: str, now: float, *, baseline: bool
    ) -> list[tuple[tuple[str, str], Any, float]]:
        """The states of ``topic``'s entities up to ``now``: ((topic, id), event body, time), oldest first.

        A followed call is rendered at each of its transition times since it was last looked at, so a
        clock moved by a minute still yields ringing → dialing → connected (under the lock).
        """
        if m := CALLS_TOPIC.fullmatch(topic):
            out: list[tuple[tuple[str, str], Any, float]] = []
            for conv in list(self.state.conversations.values()):
                if conv["user"]["id"] != m["uid"]:
                    continue
                key = (topic, conv["id"])
                since = channel.seen_at.get(conv["id"])
                if conv["id"] in channel.finished:
                    continue  # its final state was rendered; nothing will change
                times = (
                    []
                    if baseline
                    else [
                        t
                        for t in calls.transition_times(conv, self.state)
                        if (since is None or t > since) and t < now
                    ]
                )
                for t in [*sorted(times), now]:
                    out.append((key, call_event(calls.render(conv, self.state, t)), t))
                channel.seen_at[conv["id"]] = now
                if calls.is_over(conv):
                    channel.finished.add(conv["id"])
            return out
        if m := IMPORT_TOPIC.fullmatch(topic):
            lid = m["lid"]
            return [((topic, lid), import_event(import_status(self.state, lid), lid), now)]
        return []


def _forbidden(topic: str, why: str) -> ApiError:
    return ApiError(
        403,
        "not.authorized",
        f"You are not authorized to subscribe to the topic [{topic}]: {why}.",
        message_with_params="You are not authorized to subscribe to the topic [{topic}]: {reason}.",
        params={"topic": topic, "reason": why},
    )


def _close(conn: ServerConnection, reason: str) -> None:
    """Warn with ``v2.system.socket_closing``, then close the socket with a close frame."""
    with contextlib.suppress(Exception):
        conn.send(json.dumps({"topicName": SOCKET_CLOSING, "eventBody": {"message": reason}}))
    with contextlib.suppress(Exception):
        conn.close(1000, "closing")


def hub(state: SandboxState) -> Hub:
    """The state's notification hub (made by the server at start)."""
    assert isinstance(state.hub, Hub)
    return state.hub


# -- HTTP handlers -------------------------------------------------------------------------------
def _channel_json(req: Request, channel: Channel) -> dict[str, Any]:
    host = req.headers.get("host", "127.0.0.1")
    return {
        "id": channel.id,
        "connectUri": f"ws://{host}/channels/{channel.id}",
        "expires": iso(channel.expires),
    }


def _topics(req: Request) -> list[str]:
    data = req.json(allow_null=False)
    if not isinstance(data, list) or not all(
        isinstance(t, dict) and isinstance(t.get("id"), str) for t in data
    ):
        raise bad_request('The body must be a list of topics: [{"id": "<topic>"}].')
    if len(data) > _MAX_TOPICS:
        raise bad_request(f"A channel takes at most {_MAX_TOPICS} topics.")
    return [str(t["id"]) for t in data]


def _listing(channel: Channel) -> dict[str, Any]:
    return {
        "entities": [
            {
                "id": t,
                "state": "Permitted",
                "selfUri": f"/api/v2/notifications/channels/{channel.id}/subscriptions",
            }
            for t in channel.topics
        ]
    }


def open_channel(req: Request) -> Response:
    """``POST /api/v2/notifications/channels`` → Channel."""
    assert req.token is not None
    with req.state.lock:
        channel = hub(req.state).open(req.token, req.now)
        return Response(200, _channel_json(req, channel))


def list_channels(req: Request) -> Response:
    """``GET /api/v2/notifications/channels``: the caller's live channels."""
    assert req.token is not None
    now = req.now
    with req.state.lock:
        mine = [
            c
            for c in hub(req.state).channels.values()
            if c.expires > now
            and c.client_id == req.token.client.client_id
            and c.user_id == req.token.user_id
        ]
        return Response(200, {"entities": [_channel_json(req, c) for c in mine]})


def get_subscriptions(req: Request) -> Response:
    """``GET .../channels/{id}/subscriptions`` → ChannelTopicEntityListing."""
    assert req.token is not None
    with req.state.lock:
        return Response(200, _listing(hub(req.state).owned(req.token, req.params["id"], req.now)))


def _change(req: Request, *, replace: bool) -> Response:
    assert req.token is not None
    topics = _topics(req)
    h = hub(req.state)
    for topic in topics:  # every topic checked before any is taken: a refused one changes nothing
        h.check_topic(req.token, topic)
    with req.state.lock:
        channel = h.owned(req.token, req.params["id"], req.now)
        h.subscribe(channel, topics, req.now, replace=replace)
        return Response(200, _listing(channel))


def put_subscriptions(req: Request) -> Response:
    """``PUT .../subscriptions``: replace the topics (renews the channel)."""
    return _change(req, replace=True)


def post_subscriptions(req: Request) -> Response:
    """``POST .../subscriptions``: add topics (renews the channel)."""
    return _change(req, replace=False)


def delete_subscriptions(req: Request) -> Response:
    """``DELETE .../subscriptions``: remove every topic."""
    assert req.token is not None
    with req.state.lock:
        channel = hub(req.state).owned(req.token, req.params["id"], req.now)
        channel.topics = []
        channel.last.clear()
    return Response(200, None)


_SUBS = "/api/v2/notifications/channels/(?P<id>[^/]+)/subscriptions"
ROUTES = [
    Route("POST", "/api/v2/notifications/channels", open_channel),
    Route("GET", "/api/v2/notifications/channels", list_channels),
    Route("GET", _SUBS, get_subscriptions),
    Route("PUT", _SUBS, put_subscriptions),
    Route("POST", _SUBS, post_subscriptions),
    Route("DELETE", _SUBS, delete_subscriptions),
]
