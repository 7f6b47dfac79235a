"""Helpers for the sandbox tests: an httpx client, tokens, a list factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from console.sandbox import Sandbox
from tests.sandbox.sandbox_helpers import LIST_BODY, cc_token, pkce_login


@pytest.fixture
def sb(sandbox: Sandbox) -> Sandbox:
    return sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, timeout=10) as client:
        yield client


@pytest.fixture
def token(http: httpx.Client) -> str:
    return cc_token(http)


@pytest.fixture
def api(sb: Sandbox, token: str) -> Iterator[httpx.Client]:
    """A client with a full-permission client-credentials token."""
    with httpx.Client(base_url=sb.url, timeout=10, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def user_api(sb: Sandbox, http: httpx.Client) -> Iterator[httpx.Client]:
    """A client with a PKCE user token (Sam Supervisor)."""
    tok = pkce_login(http)["access_token"]
    with httpx.Client(base_url=sb.url, timeout=10, headers={"Authorization": f"Bearer {tok}"}) as client:
        yield client


@pytest.fixture
def make_list(api: httpx.Client) -> Callable[..., dict[str, Any]]:
    counter = iter(range(10**6))

    def make(**overrides: Any) -> dict[str, Any]:
        body = {**LIST_BODY, "name": f"List {next(counter)}", **overrides}
        r = api.post("/api/v2/outbound/contactlists", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    return make
