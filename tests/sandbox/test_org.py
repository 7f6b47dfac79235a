"""Connect-time lookups and permissions."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.sandbox_helpers import assert_error, cc_token


def test_organization(api: httpx.Client) -> None:
    body = api.get("/api/v2/organizations/me").json()
    assert body["name"] == "Sandbox Org"
    assert body["thirdPartyOrgName"] == "sandbox-org"
    assert body["selfUri"].startswith("/api/v2/organizations/")


def test_divisions(api: httpx.Client) -> None:
    body = api.get("/api/v2/authorization/divisions").json()
    assert [d["name"] for d in body["entities"]] == ["Home", "Outbound Team"]
    assert [d["homeDivision"] for d in body["entities"]] == [True, False]
    assert body["total"] == 2
    home = api.get("/api/v2/authorization/divisions/home").json()
    assert home["id"] == body["entities"][0]["id"]
    assert api.get(f"/api/v2/authorization/divisions/{home['id']}").json()["name"] == "Home"
    assert api.get("/api/v2/authorization/divisions", params={"name": "outbound"}).json()["total"] == 1


def test_users(api: httpx.Client) -> None:
    users = api.get("/api/v2/users").json()["entities"]
    assert {u["name"] for u in users} == {"Sam Supervisor", "Avery Agent"}
    one = api.get(f"/api/v2/users/{users[1]['id']}").json()
    assert one["id"] == users[1]["id"]
    assert one["state"] == "active"
    assert_error(api.get("/api/v2/users/nope"), 404, "not.found")


def test_users_me_needs_user_context(api: httpx.Client, user_api: httpx.Client) -> None:
    assert_error(api.get("/api/v2/users/me"), 400, "bad.request", "requires a user context")
    me = user_api.get("/api/v2/users/me", params={"expand": "organization,token"}).json()
    assert me["name"] == "Sam Supervisor"
    assert me["organization"]["name"] == "Sandbox Org"
    assert me["token"]["OAuthClient"]["id"] == "sandbox-pkce"


def test_tokens_me(api: httpx.Client) -> None:
    body = api.get("/api/v2/tokens/me").json()
    assert body["OAuthClient"]["id"] == "sandbox-client"
    assert body["OAuthClient"]["authorizedGrantType"] == "CLIENT-CREDENTIALS"
    assert body["organization"]["name"] == "Sandbox Org"
    head = api.head("/api/v2/tokens/me")
    assert head.status_code == 200
    assert head.content == b""
    assert api.delete("/api/v2/tokens/me").status_code == 200
    assert_error(api.get("/api/v2/tokens/me"), 401, "bad.credentials")


def test_queues_and_attempt_limits(api: httpx.Client) -> None:
    queues = api.get("/api/v2/routing/queues").json()
    assert queues["total"] >= 3
    assert (
        api.get("/api/v2/routing/queues", params={"name": "sales"}).json()["entities"][0]["name"]
        == "Outbound Sales"
    )
    limits = api.get("/api/v2/outbound/attemptlimits").json()
    assert limits["entities"][0]["maxAttemptsPerContact"] == 5


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [
        ("POST", "/api/v2/outbound/contactlists", "outbound:contactList:add"),
        ("POST", "/api/v2/conversations/calls/user/x", "conversation:call:add"),
        ("POST", "/api/v2/externalcontacts/contacts", "externalContacts:contact:add"),
        ("DELETE", "/api/v2/outbound/contactlists/x", "outbound:contactList:delete"),
    ],
)
def test_readonly_client_gets_403_naming_the_permission(
    http: httpx.Client, method: str, path: str, permission: str
) -> None:
    tok = cc_token(http, "sandbox-readonly", "readonly-secret")
    r = http.request(method, path, headers={"Authorization": f"Bearer {tok}"}, json={})
    body = assert_error(r, 403, "missing.permissions", f"[{permission}]")
    assert body["messageParams"] == {"permissions": f"[{permission}]"}
    assert "{permissions}" in body["messageWithParams"]


def test_readonly_client_can_read(http: httpx.Client) -> None:
    tok = cc_token(http, "sandbox-readonly", "readonly-secret")
    r = http.get("/api/v2/outbound/contactlists", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200
