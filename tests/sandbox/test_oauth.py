"""OAuth: client credentials, PKCE, confidential code grant, refresh, token errors."""

from __future__ import annotations

import base64
import hashlib
import time
import urllib.parse

import httpx
import pytest

from console.sandbox import Sandbox
from tests.sandbox.sandbox_helpers import assert_error, cc_token, pkce_login

REDIRECT = "http://localhost:7777/callback"
FULL = ("sandbox-client", "sandbox-secret")
PKCE = "sandbox-pkce"
CC = {"grant_type": "client_credentials"}


def test_client_credentials_token_shape(http: httpx.Client) -> None:
    r = http.post("/oauth/token", auth=FULL, data=CC)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert "refresh_token" not in body
    assert r.headers["ININ-Correlation-Id"]


@pytest.mark.parametrize(
    ("auth", "data", "status", "error"),
    [
        (("sandbox-client", "wrong"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (("nobody", "x"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (None, {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (
            None,
            {
                "grant_type": "client_credentials",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
            },
            401,
            "invalid_client",
        ),
        (("sandbox-client", "sandbox-secret"), {"grant_type": "password"}, 400, "unsupported_grant_type"),
        (("sandbox-client", "sandbox-secret"), {}, 400, "invalid_request"),
        (("sandbox-code", "code-secret"), {"grant_type": "client_credentials"}, 400, "unauthorized_client"),
    ],
)
def test_token_errors_are_oauth_shaped(
    http: httpx.Client, auth: tuple[str, str] | None, data: dict[str, str], status: int, error: str
) -> None:
    r = http.post("/oauth/token", auth=auth, data=data)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == error
    assert body["error_description"] == body["description"]
    assert "code" not in body


def test_form_body_credentials_switch(sb: Sandbox, http: httpx.Client) -> None:
    sb.control({"switches": {"form_body_credentials": "accept"}})
    data = {
        "grant_type": "client_credentials",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    assert http.post("/oauth/token", data=data).status_code == 200


def test_token_lifetime_is_configurable(sb: Sandbox, http: httpx.Client) -> None:
    sb.control({"token_lifetime": 1})
    r = http.post("/oauth/token", auth=FULL, data=CC)
    assert r.json()["expires_in"] == 1
    tok = r.json()["access_token"]
    h = {"Authorization": f"Bearer {tok}"}
    assert http.get("/api/v2/organizations/me", headers=h).status_code == 200
    sb.control({"advance_clock": 1.05})  # the sandbox clock, not a wall-clock sleep
    assert_error(http.get("/api/v2/organizations/me", headers=h), 401, "bad.credentials", "Invalid login")


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "authentication.required"),
        ("Bearer", "authentication.required"),
        ("Basic abc", "authentication.required"),
        ("Bearer not-a-token", "bad.credentials"),
    ],
)
def test_api_401s(http: httpx.Client, header: str | None, code: str) -> None:
    headers = {"Authorization": header} if header is not None else {}
    assert_error(http.get("/api/v2/organizations/me", headers=headers), 401, code)


def test_expire_tokens_control(sb: Sandbox, http: httpx.Client) -> None:
    tok = cc_token(http)
    sb.control({"expire_tokens": True})
    r = http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {tok}"})
    assert_error(r, 401, "bad.credentials")
    assert http.get(
        "/api/v2/organizations/me", headers={"Authorization": f"Bearer {cc_token(http)}"}
    ).is_success


def test_pkce_login_and_user_context(http: httpx.Client) -> None:
    body = pkce_login(http)
    assert "refresh_token" not in body  # pkce_refresh_token defaults to false
    r = http.get("/api/v2/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert r.status_code == 200
    assert r.json()["email"] == "sam.supervisor@sandbox.example"


def test_pkce_refresh_token_switch(sb: Sandbox, http: httpx.Client) -> None:
    sb.control({"switches": {"pkce_refresh_token": True}})
    body = pkce_login(http)
    r = http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": "sandbox-pkce",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["access_token"] != body["access_token"]
    # refresh tokens rotate: the old one is spent
    r = http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": "sandbox-pkce",
        },
    )
    assert r.json()["error"] == "invalid_grant"


def _authorize(http: httpx.Client, **overrides: str) -> httpx.Response:
    params = {
        "client_id": "sandbox-pkce",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(b"v" * 43).digest()).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        **overrides,
    }
    return http.get("/oauth/authorize", params=params)


def _code(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 302, r.text
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))


def _exchange(
    http: httpx.Client, code: str, verifier: str = "v" * 43, redirect: str = REDIRECT
) -> httpx.Response:
    return http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "client_id": "sandbox-pkce",
            "redirect_uri": redirect,
        },
    )


def test_pkce_code_is_single_use(http: httpx.Client) -> None:
    code = _code(_authorize(http))["code"]
    assert _exchange(http, code).status_code == 200
    r = _exchange(http, code)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    ("verifier", "redirect"),
    [("w" * 43, REDIRECT), ("", REDIRECT), ("v" * 43, "http://localhost:7777/other")],
)
def test_pkce_bad_exchange(http: httpx.Client, verifier: str, redirect: str) -> None:
    code = _code(_authorize(http))["code"]
    r = _exchange(http, code, verifier, redirect)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


def test_pkce_code_expires(sb: Sandbox, http: httpx.Client) -> None:
    code = _code(_authorize(http))["code"]
    with sb.state.lock:
        sb.state.codes[code].expires_at = time.time() - 1  # 60 s is too long to wait in a test
    assert _exchange(http, code).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "redirect", ["https://127.0.0.1/cb", "http://evil.example/cb", "http://127.0.0.2.nip.io/cb", "not a url"]
)
def test_authorize_rejects_bad_redirect_without_redirecting(http: httpx.Client, redirect: str) -> None:
    r = _authorize(http, redirect_uri=redirect)
    assert r.status_code == 400
    assert "location" not in r.headers
    assert r.json()["error"] == "invalid_request"


def test_authorize_errors_redirect_with_state(http: httpx.Client) -> None:
    q = _code(_authorize(http, code_challenge_method="plain", state="s1"))
    assert q == {"error": "invalid_request", "error_description": q["error_description"], "state": "s1"}
    q = _code(_authorize(http, response_type="token"))
    assert q["error"] == "unsupported_response_type"
    assert _authorize(http, client_id="sandbox-client").status_code == 400


def test_confidential_code_grant_and_refresh(http: httpx.Client) -> None:
    r = http.get(
        "/oauth/authorize",
        params={"client_id": "sandbox-code", "redirect_uri": REDIRECT, "response_type": "code", "state": "a"},
    )
    code = _code(r)["code"]
    r = http.post(
        "/oauth/token",
        auth=("sandbox-code", "code-secret"),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
    )
    assert r.status_code == 200, r.text
    refresh = r.json()["refresh_token"]
    r = http.post(
        "/oauth/token",
        auth=("sandbox-code", "code-secret"),
        data={"grant_type": "refresh_token", "refresh_token": refresh},
    )
    assert r.status_code == 200
    assert r.json()["refresh_token"] != refresh
