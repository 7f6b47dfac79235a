"""Plain helpers shared by the sandbox tests (imported by name; no package needed)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from typing import Any

import httpx

LIST_BODY: dict[str, Any] = {
    "name": "Console test list",
    "columnNames": ["ContactId", "FirstName", "Mobile", "Email", "Zip"],
    "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
    "emailColumns": [{"columnName": "Email", "type": "personal"}],
}


def cc_token(http: httpx.Client, client_id: str = "sandbox-client", secret: str = "sandbox-secret") -> str:
    r = http.post("/oauth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def pkce_login(http: httpx.Client, redirect: str = "http://127.0.0.1:5555/cb") -> dict[str, Any]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    r = http.get(
        "/oauth/authorize",
        params={
            "client_id": "sandbox-pkce",
            "redirect_uri": redirect,
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "xyz",
        },
    )
    assert r.status_code == 302, r.text
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
    assert query["state"] == "xyz"
    r = http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "code_verifier": verifier,
            "client_id": "sandbox-pkce",
            "redirect_uri": redirect,
        },
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def assert_error(r: httpx.Response, status: int, code: str, contains: str = "") -> dict[str, Any]:
    """The response is a full ErrorBody with that status and code."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["contextId"] == r.headers["ININ-Correlation-Id"]
    for key in ("message", "messageWithParams", "messageParams", "details", "errors"):
        assert key in body, key
    assert contains in body["message"], body["message"]
    return dict(body)
