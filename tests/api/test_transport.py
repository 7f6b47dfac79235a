"""The console's transport: the proxy rule, the abort switch, bounded time-outs, refused base URLs."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from console.api.auth import ClientCredentialsAuth
from console.api.client import GenesysClient
from console.api.errors import ApiConnectionError, ApiStatusError, ApiTimeoutError, ServerError
from console.api.explain import explain
from console.api.models import ErrorBody
from console.api.regions import Endpoint
from console.api.transport import ConsoleTransport, TransportHookMissing, proxy_for
from console.connect import AuthKind, ClientSpec, build_client
from tests.http_proxy import ForwardingProxy, SilentServer

P = "http://proxy.corp:3128"


@pytest.mark.parametrize(
    ("url", "explicit", "env", "expected"),
    [
        # an explicit (profile) proxy carries everything, loopback included
        ("https://api.mypurecloud.ie/x", "http://mine:1", {"https": P}, "http://mine:1"),
        ("http://127.0.0.1:8765/x", "http://mine:1", {}, "http://mine:1"),
        # the environment: by scheme, then all_proxy; loopback always direct
        ("https://api.mypurecloud.ie/x", None, {"https": P}, P),
        ("http://api.example/x", None, {"https": P}, None),
        ("http://api.example/x", None, {"all": "socks-less:8080"}, "http://socks-less:8080"),
        ("http://127.0.0.1:8765/x", None, {"http": P, "all": P}, None),
        ("http://localhost:8765/x", None, {"http": P}, None),
        ("http://[::1]:8765/x", None, {"http": P}, None),
        # NO_PROXY
        ("https://api.mypurecloud.ie/x", None, {"https": P, "no": "mypurecloud.ie"}, None),
        ("https://api.mypurecloud.ie/x", None, {"https": P, "no": ".mypurecloud.ie"}, None),
        ("https://api.mypurecloud.ie/x", None, {"https": P, "no": "*"}, None),
        ("https://api.mypurecloud.ie/x", None, {"https": P, "no": "purecloud.ie"}, P),
        ("https://10.1.2.3/x", None, {"https": P, "no": "10.0.0.0/8"}, None),
        ("https://api.example:8443/x", None, {"https": P, "no": "api.example:443"}, P),
        ("https://api.example:8443/x", None, {"https": P, "no": "api.example:8443"}, None),
        ("https://api.example/x", None, {}, None),
    ],
)
def test_proxy_rule(url: str, explicit: str | None, env: dict[str, str], expected: str | None) -> None:
    assert proxy_for(url, explicit, env=env) == expected


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", P)
    monkeypatch.setenv("NO_PROXY", "internal.example")
    transport = ConsoleTransport()
    assert transport.route_for("https://api.mypurecloud.ie/") == P
    assert transport.route_for("https://x.internal.example/") is None
    assert transport.route_for("http://127.0.0.1:1/") is None
    transport.close()


def test_requests_go_through_the_explicit_proxy(sandbox: Any) -> None:
    with ForwardingProxy() as proxy:
        spec = ClientSpec(
            Endpoint.custom(sandbox.url),
            AuthKind.CLIENT_CREDENTIALS,
            "sandbox-client",
            secret=SecretStr("sandbox-secret"),
            proxy=proxy.url,
        )
        with build_client(spec) as client:
            assert client.get_organization().id
        assert any(f"{sandbox.url}/oauth/token" in line for line in proxy.seen)
        assert any(f"{sandbox.url}/api/v2/organizations/me" in line for line in proxy.seen)


def test_environment_proxy_follows_no_proxy(sandbox: Any) -> None:
    # An environment proxy is used for other hosts, skipped for NO_PROXY hosts, and never used for
    # the embedded sandbox on loopback (a request to it goes direct: the proxy sees nothing).
    with ForwardingProxy() as proxy:
        routed = ConsoleTransport(env={"http": proxy.url})
        skipped = ConsoleTransport(env={"http": proxy.url, "no": "example.test"})
        assert routed.route_for("http://example.test/") == proxy.url
        assert skipped.route_for("http://example.test/") is None
        assert routed.route_for(f"{sandbox.url}/") is None  # the embedded sandbox: direct
        response = routed.handle_request(httpx.Request("GET", f"{sandbox.url}/api/v2/organizations/me"))
        response.close()
        assert proxy.seen == []
        routed.close()
        skipped.close()


def test_abort_unblocks_a_blocked_read() -> None:
    with SilentServer() as server:
        transport = ConsoleTransport()
        http = httpx.Client(transport=transport, timeout=httpx.Timeout(60.0))
        failed: list[BaseException] = []

        def send() -> None:
            try:
                http.get(f"{server.url}/slow")
            except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
                failed.append(exc)

        thread = threading.Thread(target=send)
        thread.start()
        assert server.received.wait(10)  # the request went out; the worker now blocks in its read
        transport.abort()
        thread.join(10)
        assert not thread.is_alive(), "abort() did not unblock the read"
        assert failed
        assert isinstance(failed[0], httpx.TransportError)
        with pytest.raises(httpx.ConnectError, match="closing"):
            http.get(f"{server.url}/again")
        http.close()


def test_missing_hook_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    class Bare(httpx.BaseTransport):
        def __init__(self, **_kw: object) -> None:
            pass

    monkeypatch.setattr(httpx, "HTTPTransport", Bare)
    with pytest.raises(TransportHookMissing, match=r"encode/httpx.*3180"):
        ConsoleTransport()


def test_token_request_is_bounded_by_the_client_timeouts() -> None:
    # The token endpoint accepts and never answers: before, the token request carried no
    # time-out and waited for ever.
    with SilentServer() as server:
        endpoint = Endpoint.custom(server.url)
        auth = ClientCredentialsAuth(endpoint, "c", SecretStr("s"))
        client = GenesysClient(
            endpoint, auth, timeout=httpx.Timeout(0.3, connect=1.0), max_retries=0, sleep=lambda s: None
        )
        failed: list[BaseException] = []

        def call() -> None:
            try:
                client.get_organization()
            except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
                failed.append(exc)

        thread = threading.Thread(target=call)
        thread.start()
        thread.join(20)
        hung = thread.is_alive()
        client.close()
        assert not hung, "the token request has no time-out"
        assert failed
        assert isinstance(failed[0], ApiTimeoutError)
        assert server.received.is_set()


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2@api.example.com",
            "ftp://user:hunter2@api.example.com",
        "http://user@127.0.0.1:8765",
    ],
)
def test_base_url_with_credentials_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="user name or password") as info:
        Endpoint.custom(url)
    assert "hunter2" not in str(info.value)


def test_plain_http_only_to_loopback() -> None:
    with pytest.raises(ValueError, match="plain http:// is only allowed"):
        Endpoint.custom("http://gateway.example.com")
    for url in ("http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:8765", "https://gw.example"):
        assert Endpoint.custom(url).api_base == url


def _answer(status: int, content: bytes, ctype: str) -> httpx.Response:
    request = httpx.Request("GET", "https://api.mypurecloud.ie/api/v2/organizations/me")
    return httpx.Response(status, content=content, headers={"Content-Type": ctype}, request=request)


def test_html_5xx_from_a_proxy_is_decoded() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    exc = ApiStatusError.from_response(_answer(502, page, "text/html"))
    assert isinstance(exc, ServerError)
    assert "<" not in str(exc)
    assert "the proxy/gateway answered 502" in str(exc)
    assert exc.response_text == page.decode()
    ex = explain(exc)
    assert ex.key == "proxy.gateway"
    assert ex.summary == "The proxy/gateway answered 502."
    assert "correlation id" not in f"{ex.cause} {ex.fix}"


@pytest.mark.parametrize(
    "body",
    [
        {"messageWithParams": "m {n}", "messageParams": {"n": 3, "list": [1, 2], "z": None}},
        {"message": 5, "code": ["x"], "status": "abc", "details": "not a list", "limit": 7},
        {"errors": [{"code": 1}, "junk"], "contextId": 12, "messageParams": "text"},
    ],
)
def test_error_body_never_raises(body: dict[str, Any]) -> None:
    parsed = ErrorBody.lenient(body)
    assert isinstance(parsed.rendered_message(), str)
    exc = ApiStatusError.from_response(
        httpx.Response(
            400, json=body, request=httpx.Request("GET", "https://api.mypurecloud.ie/api/v2/x")
        )
    )
    assert exc.status_code == 400


def test_non_string_message_params_are_kept_as_text() -> None:
    body = {"messageWithParams": "at most {max} contacts", "messageParams": {"max": 1000}}
    parsed = ErrorBody.lenient(body)
    assert parsed.rendered_message() == "at most 1000 contacts"


def test_connection_error_type_unchanged() -> None:
    assert issubclass(ApiTimeoutError, ApiConnectionError)
