"""SessionController clients share one connection pool; closing one client must not close it."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from console.credentials import Profile
from console.ui.session import build_client


class SpyTransport(httpx.BaseTransport):
    """Answers every request with 200 {} and remembers whether anyone closed it."""

    def __init__(self) -> None:
        self.closed = False
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(200, json={"access_token": "t", "expires_in": 3600, "id": "org", "name": "Org"})

    def close(self) -> None:
        self.closed = True


def test_closing_a_client_leaves_the_shared_transport_open() -> None:
    # Every page's client borrows the session's transport; when a page closed its client, httpx
    # closed the shared pool and cut the sockets under other workers' requests ("Bad file descriptor").
    shared = SpyTransport()
    profile = Profile(name="p", region="custom", custom_url="http://127.0.0.1:9", client_id="c")
    first = build_client(profile, SecretStr("s"), transport=shared)
    second = build_client(profile, SecretStr("s"), transport=shared)
    assert first.get_organization().name == "Org"
    first.close()
    assert not shared.closed
    assert second.get_organization().name == "Org"
    second.close()
    assert not shared.closed
    assert shared.requests >= 3
