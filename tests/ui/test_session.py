"""SessionController clients share one connection pool; closing one client must not close it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from console.credentials import Profile
from console.ui.session import build_client

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


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


def test_window_session_reaches_the_sandbox_through_the_profile_proxy(make_window: Any, qtbot: Any) -> None:
    # The window's clients are built with a transport, so httpx ignored every proxy: a supervisor
    # behind a proxy could not connect from the window. The profile's proxy carries every request
    # (loopback included: an explicit proxy is the user's choice); env proxies follow NO_PROXY.
    from console.credentials import CUSTOM_REGION
    from tests.http_proxy import ForwardingProxy

    window = make_window(force_sandbox=True, auto_test=False)
    url = window.sandbox.url
    with ForwardingProxy() as proxy:
        profile = Profile(
            id="px", name="Behind a proxy", region=CUSTOM_REGION, custom_url=url,
            client_id="sandbox-client", proxy_url=proxy.url,
        )
        window.session.hold_secret(profile.id, SecretStr("sandbox-secret"))
        window.session.set_profile(profile)
        with qtbot.waitSignal(window.session.connection_tested, timeout=15000) as blocker:
            window.session.test_connection()
        assert blocker.args[0].org_name == "Sandbox Org"
        seen = proxy.seen
        assert f"POST {url}/oauth/token" in seen
        assert f"GET {url}/api/v2/organizations/me" in seen
        client = window.session.new_client()
        try:
            before = proxy.seen.count(f"GET {url}/api/v2/organizations/me")
            client.get_organization()
            assert proxy.seen.count(f"GET {url}/api/v2/organizations/me") == before + 1
        finally:
            client.close()
        window.close()


def test_client_spec_is_picklable_and_builds_the_same_client(make_window: Any, sandbox: Any) -> None:
    import pickle

    from console.connect import AuthKind, build_client
    from console.credentials import CUSTOM_REGION
    from console.ui.session import SessionController

    window = make_window(force_sandbox=True, auto_test=False)
    session: SessionController = window.session
    profile = Profile(
        id="sb2", name="Spec", region=CUSTOM_REGION, custom_url=sandbox.url, client_id="sandbox-client",
        proxy_url="http://127.0.0.1:9",
    )
    session.hold_secret(profile.id, SecretStr("sandbox-secret"))
    session.set_profile(profile)
    spec = pickle.loads(pickle.dumps(session.client_spec()))
    assert spec.auth is AuthKind.CLIENT_CREDENTIALS
    assert spec.secret is not None
    assert spec.secret.get_secret_value() == "sandbox-secret"
    assert spec.proxy == "http://127.0.0.1:9"
    assert "sandbox-secret" not in repr(spec)
    direct = pickle.loads(pickle.dumps(session.client_spec(profile.model_copy(update={"proxy_url": None}))))
    with build_client(direct) as client:
        assert client.get_organization().name == "Sandbox Org"
    window.close()
