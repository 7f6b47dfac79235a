"""Transport faults that a real server cannot produce on demand: time-outs and refused connections."""

from __future__ import annotations

import httpx
import pytest

from console.api import ApiConnectionError, ApiTimeoutError, Endpoint, GenesysClient
from console.api.models import ContactList, CreateCallRequest


class NoAuth(httpx.Auth):
    """No token: these tests are about the transport only."""


def make(errors: list[type[Exception]]) -> tuple[GenesysClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if errors:
            raise errors.pop(0)("simulated", request=request)  # type: ignore[call-arg]
        return httpx.Response(200, json={"id": "x", "name": "n"})

    client = GenesysClient(
        Endpoint.custom("https://example.test"),
        NoAuth(),
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
        rng=lambda: 0.0,
    )
    return client, seen


def test_read_timeout_retried_for_get() -> None:
    api, seen = make([httpx.ReadTimeout, httpx.ReadTimeout])
    assert api.get_organization().name == "n"
    assert len(seen) == 3
    assert api.waits == [0.25, 0.5]


def test_read_timeout_not_retried_for_create() -> None:
    api, seen = make([httpx.ReadTimeout])
    with pytest.raises(ApiTimeoutError) as info:
        api.create_contact_list(ContactList(name="x", column_names=["A"]))
    assert len(seen) == 1
    assert info.value.method == "POST"


def test_connect_error_retried_for_create_but_never_for_calls() -> None:
    api, seen = make([httpx.ConnectError])
    assert api.create_contact_list(ContactList(name="x", column_names=["A"])).id == "x"
    assert len(seen) == 2  # nothing reached the server the first time
    api, seen = make([httpx.ConnectError])
    with pytest.raises(ApiConnectionError):
        api.create_call_for_user("u1", CreateCallRequest(phone_number="+15551234567"))
    assert len(seen) == 1


def test_user_agent_and_timeouts() -> None:
    api, seen = make([])
    api.get_organization()
    assert seen[0].headers["User-Agent"].startswith("outbound-console/")
    assert seen[0].extensions["timeout"] == {"connect": 5.0, "read": 30.0, "write": 30.0, "pool": 30.0}
