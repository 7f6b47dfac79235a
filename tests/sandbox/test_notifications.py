"""Notification channels over real WebSockets (console/sandbox/notifications.py, genesys-api.md §13)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidMessage, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from console.sandbox import Sandbox
from console.sandbox.notifications import HEARTBEAT
from console.sandbox.store import AGENT_ID, SUPERVISOR_ID
from tests.sandbox.sandbox_helpers import assert_error
from tests.sandbox.test_imports import CSV, legacy

CHANNELS = "/api/v2/notifications/channels"
SAM_CALLS = f"v2.users.{SUPERVISOR_ID}.conversations.calls"
WAIT = 5.0  # seconds a test waits for one message before failing (never slept)


def subscribe(api: httpx.Client, topics: list[str], method: str = "PUT") -> dict[str, Any]:
    channel = api.post(CHANNELS).json()
    r = api.request(method, f"{CHANNELS}/{channel['id']}/subscriptions", json=[{"id": t} for t in topics])
    assert r.status_code == 200, r.text
    return dict(channel)


def receive(ws: ClientConnection, topic: str | None = None) -> dict[str, Any]:
    """The next message (of ``topic``, skipping others such as heartbeats)."""
    while True:
        message = json.loads(ws.recv(timeout=WAIT))
        if topic is None or message["topicName"] == topic:
            return dict(message)


def states(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["purpose"], p["state"]) for p in message["eventBody"]["participants"]]


@pytest.fixture
def channel_ws(user_api: httpx.Client) -> Iterator[tuple[dict[str, Any], ClientConnection]]:
    channel = subscribe(user_api, [SAM_CALLS])
    with connect(channel["connectUri"]) as ws:
        yield channel, ws


def test_open_and_change_subscriptions(sb: Sandbox, api: httpx.Client, make_list: Callable[..., Any]) -> None:
    r = api.post(CHANNELS)
    assert r.status_code == 200, r.text
    channel = r.json()
    assert set(channel) == {"id", "connectUri", "expires"}
    assert channel["connectUri"] == f"ws://127.0.0.1:{sb.port}/channels/{channel['id']}"
    subs = f"{CHANNELS}/{channel['id']}/subscriptions"
    lid = make_list()["id"]
    imports = f"v2.outbound.contactlists.{lid}.importstatus"
    assert api.put(subs, json=[{"id": SAM_CALLS}]).json()["entities"][0]["id"] == SAM_CALLS
    assert [t["id"] for t in api.post(subs, json=[{"id": imports}]).json()["entities"]] == [
        SAM_CALLS,
        imports,
    ]
    assert [t["id"] for t in api.get(subs).json()["entities"]] == [SAM_CALLS, imports]
    assert api.delete(subs).status_code == 200
    assert api.get(subs).json()["entities"] == []
    assert_error(api.get(f"{CHANNELS}/nope/subscriptions"), 404, "not.found")
    assert [c["id"] for c in api.get(CHANNELS).json()["entities"]] == [channel["id"]]


def test_call_states_arrive_through_the_channel(
    sb: Sandbox, user_api: httpx.Client, channel_ws: tuple[dict[str, Any], ClientConnection]
) -> None:
    _, ws = channel_ws
    sb.control({"switches": {"station_answer": "2", "call_connect_after": "1"}})
    cid = user_api.post("/api/v2/conversations/calls", json={"phoneNumber": "+13175550123"}).json()["id"]
    first = receive(ws, SAM_CALLS)
    assert first["eventBody"]["id"] == cid
    assert first["version"] == "2"
    assert "CorrelationId" in first["metadata"]
    assert states(first) == [("user", "alerting")]
    assert set(first["eventBody"]["participants"][0]["user"]) == {"id"}  # an event reference, not a REST one
    sb.control({"advance_clock": 10})  # one jump: every state in between still arrives, in order
    assert states(receive(ws, SAM_CALLS)) == [("user", "connected"), ("external", "dialing")]
    assert states(receive(ws, SAM_CALLS)) == [("user", "connected"), ("external", "connected")]
    conv = user_api.get(f"/api/v2/conversations/calls/{cid}").json()
    user_api.patch(f"/api/v2/conversations/calls/{cid}", json={"state": "disconnected"})
    ended = receive(ws, SAM_CALLS)
    assert states(ended) == [("user", "disconnected"), ("external", "disconnected")]
    assert ended["eventBody"]["participants"][1]["id"] == conv["participants"][1]["id"]


def test_heartbeats_follow_the_sandbox_clock(
    sb: Sandbox, channel_ws: tuple[dict[str, Any], ClientConnection]
) -> None:
    _, ws = channel_ws
    sb.control({"switches": {"heartbeat_seconds": "5"}})
    sb.control({"advance_clock": 31})  # the beat set at connect time (30 s) is due; then every 5 s
    assert receive(ws) == {"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}}
    sb.control({"advance_clock": 5})
    assert receive(ws)["eventBody"]["message"] == "WebSocket Heartbeat"
    ws.send(json.dumps({"message": "ping"}))
    while (answer := receive(ws)["eventBody"]) == HEARTBEAT["eventBody"]:
        pass
    assert answer == {"message": "pong"}


def test_channel_expires_with_socket_closing_and_subscribing_renews_it(
    sb: Sandbox, user_api: httpx.Client
) -> None:
    sb.control({"switches": {"channel_lifetime": "100"}})
    channel = subscribe(user_api, [SAM_CALLS])
    subs = f"{CHANNELS}/{channel['id']}/subscriptions"
    with connect(channel["connectUri"]) as ws:
        sb.control({"advance_clock": 60})
        assert user_api.put(subs, json=[{"id": SAM_CALLS}]).status_code == 200  # renewed: 100 s from now
        sb.control({"advance_clock": 60})
        assert user_api.get(subs).status_code == 200
        sb.control({"advance_clock": 41})
        closing = receive(ws, "v2.system.socket_closing")
        assert closing["eventBody"]["message"] == "the channel expired"
        with pytest.raises(ConnectionClosed):
            receive(ws)
    assert_error(user_api.get(subs), 404, "not.found")
    with pytest.raises(InvalidStatus) as info:
        connect(channel["connectUri"])
    assert info.value.response.status_code == 404


def test_refused_topics_answer_403_with_an_error_body(
    sb: Sandbox, user_api: httpx.Client, api: httpx.Client
) -> None:
    channel = user_api.post(CHANNELS).json()
    subs = f"{CHANNELS}/{channel['id']}/subscriptions"
    other = f"v2.users.{AGENT_ID}.conversations.calls"
    body = assert_error(
        user_api.put(subs, json=[{"id": SAM_CALLS}, {"id": other}]), 403, "not.authorized", other
    )
    assert body["messageParams"]["topic"] == other
    assert user_api.get(subs).json()["entities"] == []  # a refused topic changes nothing
    cc = api.post(CHANNELS).json()  # client credentials may follow any user's calls ([U]; switchable)
    assert api.put(f"{CHANNELS}/{cc['id']}/subscriptions", json=[{"id": other}]).status_code == 200
    sb.control({"switches": {"refused_topics": "v2.users.*.conversations.calls"}})
    assert_error(api.put(f"{CHANNELS}/{cc['id']}/subscriptions", json=[{"id": other}]), 403, "not.authorized")
    assert_error(user_api.put(subs, json=[{"id": "v2.nothing"}]), 400, "notification.topic.invalid")
    assert_error(user_api.put(subs, json={"id": SAM_CALLS}), 400, "bad.request")


def test_drop_sockets_cuts_without_a_close_frame_and_the_channel_lives_on(
    sb: Sandbox, user_api: httpx.Client, channel_ws: tuple[dict[str, Any], ClientConnection]
) -> None:
    channel, ws = channel_ws
    sb.control({"drop_sockets": True})
    with pytest.raises(ConnectionClosedError):
        receive(ws)
    sb.control({"switches": {"station_answer": "never"}})
    with connect(channel["connectUri"]) as again:
        user_api.post("/api/v2/conversations/calls", json={"phoneNumber": "+13175550123"})
        assert states(receive(again, SAM_CALLS)) == [("user", "alerting")]


def test_a_drop_fault_refuses_the_socket(sb: Sandbox, user_api: httpx.Client) -> None:
    channel = subscribe(user_api, [SAM_CALLS])
    sb.control({"faults": [{"kind": "drop", "path": "^/channels/"}]})
    with pytest.raises(InvalidMessage):
        connect(channel["connectUri"], open_timeout=WAIT)
    with connect(channel["connectUri"]) as ws:  # the fault was consumed
        assert ws.protocol.state.name == "OPEN"


def test_an_import_end_arrives_as_an_event(
    sb: Sandbox, api: httpx.Client, make_list: Callable[..., dict[str, Any]]
) -> None:
    lid = make_list()["id"]
    topic = f"v2.outbound.contactlists.{lid}.importstatus"
    channel = subscribe(api, [topic])
    with connect(channel["connectUri"]) as ws:
        assert legacy(api, lid, CSV).status_code == 200
        sb.control({"advance_clock": 60})  # how many progress events the jump leaves is up to the watcher
        seen = [receive(ws, topic)["eventBody"]]
        while seen[-1].get("percentageComplete") != 100:
            seen.append(receive(ws, topic)["eventBody"])
    done = [e["completedRecords"] for e in seen]
    assert done == sorted(done)
    assert all(e["importState"] == "IN_PROGRESS" for e in seen[:-1])
    assert seen[-1] == {
        "totalRecords": 2,
        "completedRecords": 2,
        "percentageComplete": 100,
        "targetContactListIds": [lid],
    }


def test_sdk_models_read_the_channel(sb: Sandbox) -> None:
    sdk = pytest.importorskip("PureCloudPlatformClientV2")
    client = sdk.ApiClient(host=sb.url).get_client_credentials_token("sandbox-client", "sandbox-secret")
    api = sdk.NotificationsApi(client)
    channel = api.post_notifications_channels()
    assert channel.connect_uri.endswith(f"/channels/{channel.id}")
    listing = api.put_notifications_channel_subscriptions(channel.id, [build_topic(sdk, SAM_CALLS)])
    assert [t.id for t in listing.entities] == [SAM_CALLS]
    assert listing.entities[0].state == "Permitted"


def build_topic(sdk: Any, topic: str) -> Any:
    obj = sdk.ChannelTopic()
    obj.id = topic
    return obj


@pytest.mark.parametrize(
    ("name", "value"),
    [("heartbeat_seconds", "0"), ("heartbeat_seconds", "x"), ("channel_lifetime", "-1")],
)
def test_notification_switches_are_validated(sb: Sandbox, name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        sb.control({"switches": {name: value}})


def test_reset_warns_open_sockets(sb: Sandbox, channel_ws: tuple[dict[str, Any], ClientConnection]) -> None:
    _, ws = channel_ws
    sb.reset()
    assert receive(ws, "v2.system.socket_closing")["eventBody"]["message"] == "the sandbox was reset"
