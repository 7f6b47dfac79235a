"""The live-updates step: a notification channel opens, a subscription is accepted, a heartbeat arrives.

Wire contract (genesys-api.md §13, [C] paths/models, [L] messages): ``POST /api/v2/notifications/channels``
answers a Channel ``{id, connectUri, expires}``; ``PUT /api/v2/notifications/channels/{id}/subscriptions``
with ``[{"id": topic}]`` sets the topics; the WebSocket at ``connectUri`` carries JSON messages
``{topicName, eventBody, ...}`` and a heartbeat ``{"topicName": "channel.metadata", "eventBody": {"message":
"WebSocket Heartbeat"}}`` about every 30 s. Opening a channel and subscribing are the only writes the doctor
makes; the channel is left to expire on its own (nothing is deleted).

When any part fails the console still works: it polls instead (the step says so).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from console.api.client import GenesysClient
from console.api.errors import ApiError, ApiStatusError
from console.api.regions import is_loopback
from console.api.transport import USER_AGENT, proxy_for, ssl_context
from console.doctor.api_steps import Found, failure
from console.doctor.result import Outcome, StepResult
from console.errors import Cancelled

__all__ = ["CHANNELS", "HEARTBEAT_TOPIC", "live_updates_step", "topic_for"]

CHANNELS = "/api/v2/notifications/channels"
HEARTBEAT_TOPIC = "channel.metadata"
HEARTBEAT_MESSAGE = "WebSocket Heartbeat"
POLLS = "the console will poll for changes instead"


def topic_for(found: Found) -> str | None:
    """A topic the token may subscribe to: the user's calls, else the first contact list's import status."""
    # source: genesys-api.md §13 (topic names with SDK models)
    if found.user_id:
        return f"v2.users.{found.user_id}.conversations.calls"
    if found.list_id:
        return f"v2.outbound.contactlists.{found.list_id}.importstatus"
    return None


def _fail(detail: str, cause: str, fix: str, facts: dict[str, Any], ids: tuple[str, ...] = ()) -> StepResult:
    text = f"{detail.rstrip('.')}; {POLLS}."
    return StepResult("live-updates", Outcome.FAIL, text, cause, fix, facts, correlation_ids=ids)


def _accepted(body: Any, topic: str) -> bool:
    """Whether a subscriptions answer lists ``topic`` (an answer without a listing counts as accepted)."""
    entities = body.get("entities") if isinstance(body, dict) else body if isinstance(body, list) else None
    if not isinstance(entities, list):
        return True
    return any(isinstance(e, dict) and e.get("id") == topic for e in entities)


def live_updates_step(
    client: GenesysClient,
    found: Found,
    *,
    proxy: str | None,
    heartbeat_timeout: float,
    open_timeout: float,
    cancel: threading.Event | None = None,
) -> StepResult:
    """Open a channel, subscribe one topic, wait (at most ``heartbeat_timeout``) for a WebSocket heartbeat.

    Args:
        client: An authenticated client.
        found: What earlier steps learned (the topic comes from it).
        proxy: The profile's proxy (None: the environment's; loopback direct).
        heartbeat_timeout: Longest wait for the first heartbeat.
        open_timeout: Longest wait for the WebSocket handshake.
        cancel: Stops the wait.
    """
    facts: dict[str, Any] = {}
    try:
        channel = client.send_raw("POST", CHANNELS).json()
    except ApiStatusError as exc:
        if exc.status_code == 404:
            return StepResult(
                "live-updates",
                Outcome.SKIP,
                f"no notification service at {client.endpoint.api_base} (404 on POST {CHANNELS}); {POLLS}.",
                correlation_ids=(exc.correlation_id,) if exc.correlation_id else (),
            )
        result = failure("live-updates", "no notification channel", exc, found)
        return StepResult(
            result.step,
            result.outcome,
            f"{result.detail.rstrip('.')}; {POLLS}.",
            result.cause,
            result.fix,
            result.facts,
            result.correlation_ids,
        )
    except (ApiError, ValueError) as exc:
        return failure("live-updates", "no notification channel", exc, found)
    uri = channel.get("connectUri") if isinstance(channel, dict) else None
    channel_id = channel.get("id") if isinstance(channel, dict) else None
    if not isinstance(uri, str) or not isinstance(channel_id, str):
        # source: genesys-api.md §13 (Channel {connectUri, id, expires}, SDK models/channel.py)
        return _fail(
            "the channel answer has no connectUri/id",
            "The notification service answered, but not with a Channel.",
            "Quote the correlation ids to Genesys Cloud support.",
            facts,
        )
    # the channel id is the capability part of connectUri (anyone holding it can read the events): kept out
    facts["connect_host"] = urlsplit(uri).netloc
    topic = topic_for(found)
    facts["topic"] = topic
    if topic is not None:
        try:
            body = client.send_raw("PUT", f"{CHANNELS}/{channel_id}/subscriptions", [{"id": topic}]).json()
        except ApiStatusError as exc:
            result = failure("live-updates", f"the subscription to {topic} was refused", exc, found)
            return _fail(
                result.detail, result.cause, result.fix, {**facts, **result.facts}, result.correlation_ids
            )
        except (ApiError, ValueError) as exc:
            return failure("live-updates", f"the subscription to {topic} failed", exc, found)
        if not _accepted(body, topic):
            # source: genesys-api.md §13 (the subscriptions answer lists the channel's topics, ChannelTopic)
            return _fail(
                f"the subscription to {topic} was not accepted (the answer does not list it)",
                "The token may not receive this topic (which topics a token may subscribe to is [U]).",
                "Check the roles of the OAuth client or user; the console keeps working by polling.",
                facts,
            )
    return _wait_heartbeat(uri, channel_id, facts, topic, proxy, heartbeat_timeout, open_timeout, cancel)


def _wait_heartbeat(
    uri: str,
    channel_id: str,
    facts: dict[str, Any],
    topic: str | None,
    proxy: str | None,
    heartbeat_timeout: float,
    open_timeout: float,
    cancel: threading.Event | None,
) -> StepResult:
    from websockets.exceptions import InvalidHandshake, WebSocketException
    from websockets.sync.client import connect

    parts = urlsplit(uri)
    host = parts.hostname or ""
    route = None if is_loopback(host) else proxy_for(uri.replace("wss://", "https://", 1), proxy)
    facts["proxy"] = route
    options: dict[str, Any] = {
        "open_timeout": open_timeout,
        "proxy": route,
        "user_agent_header": USER_AGENT,
        "ping_interval": None,
    }
    if parts.scheme == "wss":
        options["ssl"] = ssl_context()
    subscribed = f"subscribed to {topic}" if topic else "no topic to subscribe to (no contact list yet)"
    # source: genesys-api.md §13 (wss://streaming.{domain}; WebSocket through proxies)
    blocked_cause = (
        f"The WebSocket to {host} did not open: a proxy or firewall may block WebSocket (wss) traffic or "
        "the streaming host."
    )
    blocked_fix = f"Ask IT to allow WebSocket connections to {host} (port 443) through the proxy."
    started = time.monotonic()
    try:
        with connect(uri, **options) as ws:
            deadline = started + heartbeat_timeout
            while True:
                if cancel is not None and cancel.is_set():
                    raise Cancelled("cancelled while waiting for a heartbeat")
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    raw = ws.recv(timeout=min(left, 0.5))
                except TimeoutError:
                    continue
                message = _json(raw)
                name = message.get("topicName")
                body = message.get("eventBody")
                if (
                    name == HEARTBEAT_TOPIC
                    and isinstance(body, dict)
                    and body.get("message") == HEARTBEAT_MESSAGE
                ):
                    waited = time.monotonic() - started
                    facts["heartbeat_seconds"] = round(waited, 1)
                    return StepResult(
                        "live-updates",
                        Outcome.OK,
                        f"channel open ({host}), {subscribed}, heartbeat after {waited:.1f} s.",
                        facts=facts,
                    )
    except (InvalidHandshake, WebSocketException, OSError, TimeoutError) as exc:
        why = f"{type(exc).__name__}: {exc}".replace(uri, "<connectUri>").replace(channel_id, "<channel>")
        facts["error"] = why
        return _fail(
            f"channel opened, but the WebSocket did not ({why})",
            blocked_cause,
            blocked_fix,
            facts,
        )
    # source: genesys-api.md §13 (heartbeats about every 30 s [L])
    return _fail(
        f"channel open ({host}), {subscribed}, but no heartbeat within {heartbeat_timeout:g} s",
        "The WebSocket opened but stayed silent: a proxy may hold WebSocket traffic back, or the service is "
        "slow.",
        f"Run the check again; if it persists ask IT whether WebSocket traffic to {host} is buffered or cut.",
        facts,
    )


def _json(raw: str | bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
