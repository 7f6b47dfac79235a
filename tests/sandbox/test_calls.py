"""Test calls (§8) and external contacts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from console.sandbox import Sandbox
from tests.sandbox.sandbox_helpers import assert_error

CALLS = "/api/v2/conversations/calls"
EXT = "/api/v2/externalcontacts/contacts"


def users(api: httpx.Client) -> dict[str, str]:
    return {u["name"]: u["id"] for u in api.get("/api/v2/users").json()["entities"]}


def parts(conv: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["purpose"]: p for p in conv["participants"]}


def test_user_call_rings_the_station_then_dials_connects_and_hangs_up(
    sb: Sandbox, user_api: httpx.Client
) -> None:
    sb.control({"switches": {"station_answer": "never", "call_connect_after": 3600}})
    r = user_api.post(CALLS, json={"phoneNumber": "+1 (555) 555-0100"})
    assert r.status_code == 200, r.text
    cid = r.json()["id"]
    assert r.json()["selfUri"] == f"{CALLS}/{cid}"
    conv = user_api.get(f"{CALLS}/{cid}").json()
    assert [(p["purpose"], p["state"]) for p in conv["participants"]] == [("user", "alerting")]
    assert conv["participants"][0]["user"]["id"] == users(user_api)["Sam Supervisor"]
    assert [c["id"] for c in user_api.get(CALLS).json()["entities"]] == [cid]
    sb.control({"switches": {"station_answer": 0}})  # the station answers
    p = parts(user_api.get(f"{CALLS}/{cid}").json())
    assert (p["user"]["state"], p["external"]["state"]) == ("connected", "dialing")
    assert p["external"]["address"] == "tel:+15555550100"
    sb.control({"switches": {"call_connect_after": 0, "station_answer": "never"}})  # never rewinds
    p = parts(user_api.get(f"{CALLS}/{cid}").json())
    assert (p["user"]["state"], p["external"]["state"]) == ("connected", "connected")
    assert p["external"]["connectedTime"].endswith("Z")
    r = user_api.patch(f"{CALLS}/{cid}/participants/{p['external']['id']}", json={"state": "disconnected"})
    assert (r.status_code, r.content) == (202, b"")
    p = parts(user_api.get(f"{CALLS}/{cid}").json())
    assert (p["user"]["state"], p["external"]["state"]) == ("disconnected", "disconnected")
    assert p["external"]["disconnectType"] == "client"
    assert "endTime" in p["user"]
    assert user_api.get(CALLS).json()["entities"] == []


def test_unanswered_station_times_out_without_a_far_end(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control({"switches": {"station_answer": "never"}})
    cid = user_api.post(CALLS, json={"phoneNumber": "+15555550100"}).json()["id"]
    assert parts(user_api.get(f"{CALLS}/{cid}").json())["user"]["state"] == "alerting"  # default 60 s
    sb.control({"switches": {"station_timeout": 0}})
    conv = user_api.get(f"{CALLS}/{cid}").json()
    assert len(conv["participants"]) == 1
    caller = conv["participants"][0]
    assert (caller["purpose"], caller["state"], caller["disconnectType"]) == ("user", "terminated", "error")
    assert caller["errorInfo"]["code"] == "error.ininedgecontrol.connection.timeout"
    assert caller["errorInfo"]["message"]
    assert "endTime" in caller
    assert user_api.get(CALLS).json()["entities"] == []
    sb.control({"switches": {"station_answer": 0}})  # answering later changes nothing
    assert len(user_api.get(f"{CALLS}/{cid}").json()["participants"]) == 1


def test_hang_up_while_the_station_rings(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control({"switches": {"station_answer": "never"}})
    cid = user_api.post(CALLS, json={"phoneNumber": "+15555550100"}).json()["id"]
    assert user_api.patch(f"{CALLS}/{cid}", json={"state": "disconnected"}).status_code == 200
    sb.control({"switches": {"station_answer": 0, "station_timeout": 0}})
    conv = user_api.get(f"{CALLS}/{cid}").json()
    assert [(p["state"], p["disconnectType"]) for p in conv["participants"]] == [("disconnected", "client")]
    assert "errorInfo" not in conv["participants"][0]


def test_default_station_answers_after_one_second(sb: Sandbox, user_api: httpx.Client) -> None:
    snapshot = sb.control({})
    assert (snapshot["switches"]["station_answer"], snapshot["switches"]["station_timeout"]) == ("1", "60")
    cid = user_api.post(CALLS, json={"phoneNumber": "+15555550100"}).json()["id"]
    conv = sb.state.conversations[cid]
    assert [p["state"] for p in user_api.get(f"{CALLS}/{cid}").json()["participants"]] == ["alerting"]
    with sb.state.lock:  # white box: one second of ring time has passed
        conv["created"] -= 1
    assert [p["purpose"] for p in user_api.get(f"{CALLS}/{cid}").json()["participants"]] == [
        "user",
        "external",
    ]


def test_ring_and_timeout_follow_the_sandbox_clock(sb: Sandbox, user_api: httpx.Client) -> None:
    cid = user_api.post(CALLS, json={"phoneNumber": "+15555550100"}).json()["id"]
    assert [p["state"] for p in user_api.get(f"{CALLS}/{cid}").json()["participants"]] == ["alerting"]
    sb.control({"advance_clock": 1})  # the default station answers after one second
    conv = user_api.get(f"{CALLS}/{cid}").json()
    assert [p["purpose"] for p in conv["participants"]] == ["user", "external"]
    sb.control({"switches": {"station_answer": "never"}})
    ringing = user_api.post(CALLS, json={"phoneNumber": "+15555550101"}).json()["id"]
    sb.control({"advance_clock": 59})
    assert user_api.get(f"{CALLS}/{ringing}").json()["participants"][0]["state"] == "alerting"
    sb.control({"advance_clock": 1})  # the default station_timeout is 60 s
    (caller,) = user_api.get(f"{CALLS}/{ringing}").json()["participants"]
    assert caller["state"] == "terminated"


def test_call_from_queue_shows_agent_and_customer(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control({"switches": {"station_answer": 0, "call_connect_after": 0}})
    queue = next(
        q for q in user_api.get("/api/v2/routing/queues").json()["entities"] if q["name"] == "Collections"
    )
    r = user_api.post(CALLS, json={"phoneNumber": "+15555550100", "callFromQueueId": queue["id"]})
    assert r.status_code == 200, r.text
    conv = user_api.get(f"{CALLS}/{r.json()['id']}").json()
    assert [(p["purpose"], p["state"]) for p in conv["participants"]] == [
        ("agent", "connected"),
        ("customer", "connected"),
    ]
    assert {p["queue"]["id"] for p in conv["participants"]} == {queue["id"]}
    err = assert_error(
        user_api.post(CALLS, json={"phoneNumber": "+15555550100", "callFromQueueId": "nope"}),
        400,
        "bad.request",
    )
    assert err["details"] == [{"fieldName": "callFromQueueId"}]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("station_answer", "soon"),
        ("station_answer", -1),
        ("station_timeout", "never"),
        ("station_timeout", "x"),
    ],
)
def test_station_switches_are_validated(sb: Sandbox, http: httpx.Client, name: str, value: object) -> None:
    r = http.post("/sandbox/control", json={"switches": {name: value}})
    assert r.status_code == 400
    assert name in r.text


def test_subjects_me_lists_roles_and_permissions(user_api: httpx.Client, api: httpx.Client) -> None:
    me = user_api.get("/api/v2/authorization/subjects/me").json()
    assert me["id"] == users(user_api)["Sam Supervisor"]
    assert me["name"] == "Sam Supervisor"
    assert me["version"] == 1
    grant = me["grants"][0]
    assert grant["subjectId"] == me["id"]
    assert grant["division"]["homeDivision"] is True
    assert grant["grantMadeAt"].endswith("Z")
    policies = {(p["domain"], p["entityName"]): p["actions"] for p in grant["role"]["policies"]}
    assert "add" in policies[("outbound", "contactList")]
    assert "add" in policies[("conversation", "call")]
    client = api.get("/api/v2/authorization/subjects/me").json()
    assert client["id"] == "sandbox-client"


@pytest.mark.parametrize(("mode", "status"), [("400", 400), ("403", 403)])
def test_client_credentials_on_user_route(sb: Sandbox, api: httpx.Client, mode: str, status: int) -> None:
    sb.control({"switches": {"client_credentials_user_call": mode}})
    r = api.post(CALLS, json={"phoneNumber": "+15555550100"})
    assert r.status_code == status
    assert "requires a user context" in r.json()["message"]


def test_call_on_behalf_of_user(sb: Sandbox, api: httpx.Client) -> None:
    sb.control({"switches": {"station_answer": 0}})
    agent = users(api)["Avery Agent"]
    r = api.post(f"{CALLS}/user/{agent}", json={"phoneNumber": "+442071234567", "callerId": "+15555550199"})
    assert r.status_code == 200, r.text
    conv = api.get(f"{CALLS}/{r.json()['id']}").json()
    assert parts(conv)["user"]["name"] == "Avery Agent"
    assert parts(conv)["external"]["ani"] == "+15555550199"
    r = api.patch(f"{CALLS}/{conv['id']}", json={"state": "disconnected"})
    assert r.status_code == 200
    assert parts(r.json())["user"]["state"] == "disconnected"
    assert_error(api.post(f"{CALLS}/user/nobody", json={"phoneNumber": "+15555550100"}), 404, "not.found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "phoneNumber"),
        ({"phoneNumber": "555-0100"}, "phoneNumber"),
        ({"phoneNumber": "+1555abc"}, "phoneNumber"),
        ({"phoneNumber": 15555550100}, "phoneNumber"),
        ({"phoneNumber": "+15555550100", "callerId": "nope"}, "callerId"),
        ({"phoneNumber": "+15555550100", "externalContactId": "nope"}, "externalContactId"),
        ({"phoneNumber": "+15555550100", "callQueueId": "q"}, "callQueueId"),
        ({"phoneNumber": "+15555550100", "callFromQueueId": 7}, "callFromQueueId"),
        ({"phoneNumber": "+15555550100", "attributes": {"a": 1}}, "attributes"),
    ],
)
def test_call_validation(user_api: httpx.Client, body: dict[str, Any], field: str) -> None:
    err = assert_error(user_api.post(CALLS, json=body), 400, "bad.request")
    assert err["details"] == [{"fieldName": field}]


def test_bad_number_fail_later(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control(
        {"switches": {"call_bad_number": "fail_later", "call_connect_after": 3600, "station_answer": 0}}
    )
    cid = user_api.post(CALLS, json={"phoneNumber": "555-0100"}).json()["id"]
    assert parts(user_api.get(f"{CALLS}/{cid}").json())["external"]["state"] == "dialing"
    sb.control({"switches": {"call_connect_after": 0}})
    ext = parts(user_api.get(f"{CALLS}/{cid}").json())["external"]
    assert ext["state"] == "disconnected"
    assert ext["disconnectType"] == "error"
    assert "555-0100" in ext["errorInfo"]["message"]


def test_patch_errors(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control({"switches": {"station_answer": "never"}})
    cid = user_api.post(CALLS, json={"phoneNumber": "+15555550100"}).json()["id"]
    pid = parts(user_api.get(f"{CALLS}/{cid}").json())["user"]["id"]
    assert_error(
        user_api.patch(f"{CALLS}/{cid}/participants/{pid}", json={"state": "held"}), 400, "invalid.value"
    )
    assert_error(
        user_api.patch(f"{CALLS}/{cid}/participants/nope", json={"state": "disconnected"}), 404, "not.found"
    )
    assert_error(user_api.get(f"{CALLS}/nope"), 404, "not.found")
    assert user_api.patch(f"{CALLS}/{cid}/participants/{pid}", json={"muted": True}).status_code == 202
    assert parts(user_api.get(f"{CALLS}/{cid}").json())["user"]["muted"] is True


def test_external_contacts_and_linked_call(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control({"switches": {"station_answer": 0}})
    body = {
        "firstName": "Casey",
        "lastName": "Customer",
        "workEmail": "casey@example.com",
        "cellPhone": {"display": "+1 555 555 0142"},
    }
    r = user_api.post(EXT, json=body)
    assert r.status_code == 200, r.text
    made = r.json()
    assert made["cellPhone"]["e164"] == "+15555550142"
    assert made["selfUri"] == f"{EXT}/{made['id']}"
    assert user_api.get(f"{EXT}/{made['id']}").json()["lastName"] == "Customer"
    for q in ("+15555550142", "555-0142", "casey customer", "casey@example.com"):
        assert [c["id"] for c in user_api.get(EXT, params={"q": q}).json()["entities"]] == [made["id"]], q
    assert user_api.get(EXT, params={"q": "nobody"}).json()["total"] == 0
    assert_error(user_api.get(f"{EXT}/nope"), 404, "not.found")
    assert_error(user_api.post(EXT, json={"title": "x"}), 400, "bad.request", "lastName")
    assert_error(user_api.post(EXT, json={"lastName": "x", "workPhone": {"e164": "123"}}), 400, "bad.request")
    cid = user_api.post(CALLS, json={"phoneNumber": "+15555550142", "externalContactId": made["id"]}).json()[
        "id"
    ]
    assert parts(user_api.get(f"{CALLS}/{cid}").json())["external"]["externalContact"]["id"] == made["id"]
