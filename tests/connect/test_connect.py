"""console.connect without Qt: credentials resolution, the client spec, the connection test on the sandbox."""

from __future__ import annotations

import pickle
import socket
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from console.api.auth import AccessToken
from console.connect import (
    AuthKind,
    ClientSpec,
    RedirectPortInUseError,
    SignInExpiredError,
    build_client,
    endpoint_for,
    redirect_uri,
    region_label,
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
    assert (secret.auth, secret.client_id, secret.proxy) == (
        AuthKind.CLIENT_CREDENTIALS,
        "c",
        "http://proxy:1",
    )
    back = pickle.loads(pickle.dumps(secret))
    assert back == secret
    assert "secret=" not in repr(back)
    with pytest.raises(ValueError, match="needs the secret"):
        ClientSpec(secret.endpoint, AuthKind.CLIENT_CREDENTIALS, "c")


def test_region_profile_endpoint() -> None:
    profile = Profile(name="eu", region="eu_west_1", client_id="c")
    assert endpoint_for(profile).api_base == "https://api.mypurecloud.ie"


def _free_port() -> int:
    """A loopback port free right now (the fixed redirect port may be in use on a shared machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pkce_profile(sandbox: Any) -> Profile:
    pkce = {"client_id": "sandbox-pkce", "sign_in": SignInMethod.PKCE, "redirect_port": _free_port()}
    return _profile(custom_url=sandbox.url, **pkce)


def _browser(url: str) -> None:
    """Stands in for the system browser: the sandbox approves and redirects to the loopback listener."""
    httpx.get(url, follow_redirects=True, timeout=10)


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
    profile = _pkce_profile(sandbox)
    user = sign_in_user(profile, open_browser=_browser)
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
    assert checks["Import a CSV file"].detail == ("missing outbound:contactList:upload, outbound:contact:add")
    assert granted_permissions({"grants": None}) == {}


def test_sign_in_listens_on_the_registered_uri(sandbox: Any) -> None:
    seen: list[str] = []

    def browser(url: str) -> None:
        seen.append(str(httpx.URL(url).params["redirect_uri"]))
        _browser(url)

    profile = _pkce_profile(sandbox)
    port = profile.redirect_port
    sign_in_user(profile, open_browser=browser)
    assert seen == [redirect_uri(port)] == [f"http://127.0.0.1:{port}/callback"]


def test_sign_in_says_when_the_redirect_port_is_taken(sandbox: Any) -> None:
    opened: list[str] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        profile = _profile(
            custom_url=sandbox.url, client_id="sandbox-pkce", sign_in=SignInMethod.PKCE, redirect_port=port
        )
        with pytest.raises(RedirectPortInUseError) as caught:
            sign_in_user(profile, open_browser=opened.append)
    message = str(caught.value)
    assert f"Port {port} on this computer is already in use by another program" in message
    assert f"http://127.0.0.1:{port}/callback" in message
    assert opened == []  # the browser is not sent to a listener that cannot answer


def test_expired_user_token_asks_to_sign_in_again(sandbox: Any) -> None:
    profile = _pkce_profile(sandbox)
    user = sign_in_user(profile, open_browser=_browser)
    sandbox.control({"expire_tokens": True})
    client = build_client(spec_for(profile, None, user.token))
    with client, pytest.raises(SignInExpiredError) as caught:
        run_connection_test(client, profile)
    assert "sign in again" in str(caught.value)
    assert "401" in str(caught.value)
    assert isinstance(caught.value, CredentialsError)


def test_port_zero_is_never_used_for_a_real_org(monkeypatch: pytest.MonkeyPatch) -> None:
    import console.connect.signin as signin

    ports: list[tuple[int, str]] = []

    class FakeLogin:
        def __init__(self, *_: object, port: int, redirect_path: str, **__: object) -> None:
            ports.append((port, redirect_path))

        def run(self, cancel: object = None) -> AccessToken:
            raise CredentialsError("stop here")

    monkeypatch.setattr(signin, "PkceLogin", FakeLogin)
    profile = Profile(name="eu", region="eu_west_1", client_id="c", sign_in=SignInMethod.PKCE)
    profile = profile.model_copy(update={"redirect_port": 0})
    with pytest.raises(CredentialsError, match="stop here"):
        sign_in_user(profile, open_browser=lambda url: None)
    assert ports == [(8085, "/callback")]


@pytest.mark.parametrize(
    ("profile", "label"),
    [
        (Profile(name="EU", region="eu_west_1", client_id="c"), "EU (Ireland) — mypurecloud.ie"),
        (Profile(name="US", region="us_east_1", client_id="c"), "Americas (US East) — mypurecloud.com"),
        (
            Profile(
                name="GW", region=CUSTOM_REGION, custom_url="https://gw.example.com/genesys", client_id="c"
            ),
            "gw.example.com",
        ),
        (
            Profile(name="Local", region=CUSTOM_REGION, custom_url="http://127.0.0.1:8765", client_id="c"),
            "127.0.0.1:8765",
        ),
    ],
)
def test_region_is_shown_by_name_and_a_custom_url_by_its_host(profile: Profile, label: str) -> None:
    """Issue 16, fault 6: the status bar and the confirmations read like this."""
    assert region_label(profile) == label


def test_every_region_has_a_name() -> None:
    from console.api.regions import Region
    from console.connect import REGION_NAMES

    assert set(REGION_NAMES) == set(Region)
