"""console.connect without Qt: credentials resolution, the client spec, the connection test on the sandbox."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from console.api.auth import AccessToken
from console.connect import (
    AuthKind,
    ClientSpec,
    build_client,
    endpoint_for,
    resolve_credentials,
    run_connection_test,
    sign_in_user,
    spec_for,
)
from console.connect.check import FIRST_USE, granted_permissions, permission_checks
from console.credentials import CUSTOM_REGION, Profile, SignInMethod
from console.errors import CredentialsError


def _profile(**kw: Any) -> Profile:
    data: dict[str, Any] = {
        "name": "p", "region": CUSTOM_REGION, "custom_url": "http://127.0.0.1:9", "client_id": "c",
    }  # fmt: skip
    data.update(kw)
    return Profile.model_validate(data)


def test_resolution_errors_are_credentials_errors() -> None:
    with pytest.raises(CredentialsError, match="No client secret"):
        resolve_credentials(_profile(), None, None)
    with pytest.raises(CredentialsError, match="signs in as a user"):
        resolve_credentials(_profile(sign_in=SignInMethod.PKCE), None, None)


def test_spec_for_user_token_and_secret() -> None:
    token = AccessToken(SecretStr("tok"))
    user = spec_for(_profile(pkce_client_id="pub"), None, token)
    assert (user.auth, user.client_id, user.secret) == (AuthKind.USER_TOKEN, "pub", None)
    secret = spec_for(_profile(proxy_url="http://proxy:1"), SecretStr("s"))
    assert (secret.auth, secret.client_id, secret.proxy) == (AuthKind.CLIENT_CREDENTIALS, "c", "http://proxy:1")
    back = pickle.loads(pickle.dumps(secret))
    assert back == secret
    assert "secret=" not in repr(back)
    with pytest.raises(ValueError, match="needs the secret"):
        ClientSpec(secret.endpoint, AuthKind.CLIENT_CREDENTIALS, "c")


def test_region_profile_endpoint() -> None:
    profile = Profile(name="eu", region="eu_west_1", client_id="c")
    assert endpoint_for(profile).api_base == "https://api.mypurecloud.ie"


def _writes(sandbox: Any) -> list[str]:
    """The POST/PUT/PATCH/DELETE requests the sandbox received (its request log)."""
    log = httpx.get(f"{sandbox.url}/sandbox/requests", timeout=10).json()["requests"]
    return [f"{r['method']} {r['path']}" for r in log if r["method"] in {"POST", "PUT", "PATCH", "DELETE"}]


def test_connection_test_without_qt_writes_nothing(sandbox: Any) -> None:
    profile = _profile(custom_url=sandbox.url, client_id="sandbox-client")
    spec = spec_for(profile, SecretStr("sandbox-secret"))
    httpx.delete(f"{sandbox.url}/sandbox/requests", timeout=10)
    with build_client(spec) as client:
        report = run_connection_test(client, profile)
    assert report.org_name == "Sandbox Org"
    assert report.grant.startswith("client credentials")
    # the client's roles are not readable: every action is checked when first used, nothing probed
    assert report.checks
    assert all(c.allowed is None and c.detail == FIRST_USE for c in report.checks), report.checks
    assert _writes(sandbox) == ["POST /oauth/token"]  # the token itself, nothing else


def test_user_connection_test_reads_the_roles(sandbox: Any) -> None:
    profile = _profile(custom_url=sandbox.url, client_id="sandbox-pkce", sign_in=SignInMethod.PKCE)
    user = sign_in_user(profile, open_browser=lambda url: httpx.get(url, follow_redirects=True, timeout=10))
    httpx.delete(f"{sandbox.url}/sandbox/requests", timeout=10)
    with build_client(spec_for(profile, None, user.token)) as client:
        report = run_connection_test(client, profile)
    assert report.user == "Sam Supervisor <sam.supervisor@sandbox.example>"
    rows = {c.action: c for c in report.checks}
    for action in ("Create contact lists", "Update contact lists", "Upload contacts", "Place test calls"):
        assert rows[action].allowed is True, rows[action]
        assert rows[action].detail == "role Outbound Supervisor"
    assert rows["Upload contacts"].permission == "outbound:contact:add"
    assert rows["Place test calls"].permission == "conversation:call:add"
    assert _writes(sandbox) == []


def test_permission_checks_from_policies() -> None:
    subject = {
        "grants": [
            {"role": {"name": "Viewer", "policies": [
                {"domain": "outbound", "entityName": "contactList", "actions": ["view"]},
                {"domain": "routing", "entityName": "*", "actions": ["*"]},
            ]}},
            {"role": {"name": "Caller", "policies": [
                {"domain": "conversation", "entityName": "call", "actions": ["add"]},
                {"domain": 7, "entityName": "odd", "actions": "x"},
            ]}},
            "not a grant",
        ]
    }  # fmt: skip
    granted = granted_permissions(subject)
    checks = {c.action: c for c in permission_checks(granted)}
    assert checks["Browse contact lists"].allowed is True
    assert checks["Browse contact lists"].detail == "role Viewer"
    assert checks["Pick queues for test calls"].allowed is True  # routing:*:*
    assert checks["Place test calls"].detail == "role Caller"
    assert checks["Create contact lists"].allowed is False
    assert checks["Create contact lists"].detail == "missing outbound:contactList:add"
    assert checks["Import a CSV file"].detail == (
        "missing outbound:contactList:upload, outbound:contact:add"
    )
    assert granted_permissions({"grants": None}) == {}
