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


def test_user_call_walks_dialing_connected_disconnected(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control({"switches": {"call_connect_after": 30}})
    r = user_api.post(CALLS, json={"phoneNumber": "+1 (555) 555-0100"})
    assert r.status_code == 200, r.text
    cid = r.json()["id"]
    assert r.json()["selfUri"] == f"{CALLS}/{cid}"
    conv = user_api.get(f"{CALLS}/{cid}").json()
    p = parts(conv)
    assert p["external"]["address"] == "tel:+15555550100"
    assert (p["user"]["state"], p["external"]["state"]) == ("dialing", "dialing")
    assert p["user"]["user"]["id"] == users(user_api)["Sam Supervisor"]
    assert [c["id"] for c in user_api.get(CALLS).json()["entities"]] == [cid]
    sb.control({"advance_clock": 30})  # the ring time passes on the sandbox clock
    p = parts(user_api.get(f"{CALLS}/{cid}").json())
    assert p["external"]["state"] == "connected"
    assert p["external"]["connectedTime"].endswith("Z")
    r = user_api.patch(f"{CALLS}/{cid}/participants/{p['external']['id']}", json={"state": "disconnected"})
    assert (r.status_code, r.content) == (202, b"")
    p = parts(user_api.get(f"{CALLS}/{cid}").json())
    assert (p["user"]["state"], p["external"]["state"]) == ("disconnected", "disconnected")
    assert p["external"]["disconnectType"] == "client"
    assert "endTime" in p["user"]
    assert user_api.get(CALLS).json()["entities"] == []


@pytest.mark.parametrize(("mode", "status"), [("400", 400), ("403", 403)])
def test_client_credentials_on_user_route(sb: Sandbox, api: httpx.Client, mode: str, status: int) -> None:
    sb.control({"switches": {"client_credentials_user_call": mode}})
    r = api.post(CALLS, json={"phoneNumber": "+15555550100"})
    assert r.status_code == status
    assert "requires a user context" in r.json()["message"]


def test_call_on_behalf_of_user(api: httpx.Client) -> None:
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
        ({"phoneNumber": "+15555550100", "attributes": {"a": 1}}, "attributes"),
    ],
)
def test_call_validation(user_api: httpx.Client, body: dict[str, Any], field: str) -> None:
    err = assert_error(user_api.post(CALLS, json=body), 400, "bad.request")
    assert err["details"] == [{"fieldName": field}]


def test_bad_number_fail_later(sb: Sandbox, user_api: httpx.Client) -> None:
    sb.control({"switches": {"call_bad_number": "fail_later", "call_connect_after": 30}})
    cid = user_api.post(CALLS, json={"phoneNumber": "555-0100"}).json()["id"]
    assert parts(user_api.get(f"{CALLS}/{cid}").json())["external"]["state"] == "dialing"
    sb.control({"advance_clock": 30})
    ext = parts(user_api.get(f"{CALLS}/{cid}").json())["external"]
    assert ext["state"] == "disconnected"
    assert ext["disconnectType"] == "error"
    assert "555-0100" in ext["errorInfo"]["message"]


def test_patch_errors(user_api: httpx.Client) -> None:
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


def test_external_contacts_and_linked_call(user_api: httpx.Client) -> None:
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
