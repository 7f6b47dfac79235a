"""The doctor's steps without the sandbox: network (resolver and transport faults), TLS words, live updates
against a local WebSocket server, scrubbing, a user-login profile with no token."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from websockets.sync.server import Server, ServerConnection, serve

from console.api.auth import AccessToken, ClientCredentialsAuth
from console.api.client import GenesysClient
from console.api.regions import Endpoint
from console.api.transport import new_http_client
from console.connect.client import AuthKind, ClientSpec
from console.credentials import CUSTOM_REGION, Profile, SignInMethod
from console.doctor import DoctorOptions, Outcome, run_doctor, scrub, target_for
from console.doctor.api_steps import Found, oauth_step
from console.doctor.cli import _endpoint
from console.doctor.live import live_updates_step
from console.doctor.network import network_step, tls_failure_words
from console.errors import Cancelled
from console.sandbox.store import SUPERVISOR_ID
from tests.doctor.doctor_helpers import fast_heartbeat
from tests.sandbox.sandbox_helpers import pkce_login

REGION = Endpoint.for_region("eu_west_1")


@pytest.fixture(autouse=True)
def _no_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The network step reads the environment's proxies: the machine's must not change what is tested."""
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def _target(endpoint: Endpoint = REGION, proxy: str | None = None) -> Any:
    profile = Profile(name="EU", region="eu_west_1", client_id="cid", proxy_url=proxy)
    return target_for(profile, endpoint, "cid", sign_in=SignInMethod.CLIENT_CREDENTIALS)


def _http(handler: Any) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_network_names_every_host_and_the_proxy() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return httpx.Response(302)

    result = network_step(_target(proxy="http://proxy.corp:3128"), _http(answer), timeout=1, resolve=_refuse)
    assert result.outcome is Outcome.OK
    assert seen == ["api.mypurecloud.ie", "login.mypurecloud.ie", "apps.mypurecloud.ie"]
    assert "api.mypurecloud.ie TLS verified (OS trust store)" in result.detail
    assert result.detail.endswith("proxy http://proxy.corp:3128.")  # through the proxy: no local DNS


def _refuse(host: str, port: int) -> list[str]:
    raise socket.gaierror(-2, "Name or service not known")


def test_network_fails_when_a_host_does_not_resolve() -> None:
    result = network_step(_target(), _http(lambda r: httpx.Response(200)), timeout=1, resolve=_refuse)
    assert result.outcome is Outcome.FAIL
    assert result.detail.startswith("API host api.mypurecloud.ie does not resolve")
    assert "wrong region" in result.cause
    assert "HTTPS_PROXY" in result.fix


def test_network_tls_failure_says_a_proxy_certificate_may_be_missing() -> None:
    def untrusted(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "self-signed certificate in certificate chain"
        )

    result = network_step(_target(), _http(untrusted), timeout=1, resolve=lambda h, p: ["192.0.2.1"])
    assert result.outcome is Outcome.FAIL
    assert result.detail == "TLS to the API host api.mypurecloud.ie is not verified."
    assert "corporate proxy" in result.cause
    assert "trust store" in result.cause
    assert "root certificate" in result.fix


def test_tls_words_without_signs_of_inspection_point_at_the_region() -> None:
    error = ssl.SSLCertVerificationError("hostname mismatch")
    error.verify_message = "Hostname mismatch, certificate is not valid for 'api.example'."
    cause, fix = tls_failure_words(error, "api.example", None)
    assert "corporate" not in cause
    assert "check the region" in cause
    assert "region" in fix


def test_the_sandbox_url_skips_the_network_step() -> None:
    endpoint = Endpoint.custom("http://127.0.0.1:8765")
    result = network_step(_target(endpoint), _http(lambda r: httpx.Response(200)), timeout=1)
    assert result.outcome is Outcome.SKIP
    assert "plain http" in result.detail


def test_scrub_hides_every_secret_value() -> None:
    assert scrub("token abcd1234 and secret s3cret!", ["abcd1234", "s3cret!", "ab"]) == (
        "token <redacted> and secret <redacted>"
    )


def test_a_user_login_profile_without_a_token_skips_the_token_steps() -> None:
    profile = Profile(
        name="P", region=CUSTOM_REGION, custom_url="http://127.0.0.1:9", client_id="pub",
        sign_in=SignInMethod.PKCE, redirect_port=8123,
    )  # fmt: skip
    target = target_for(profile, Endpoint.custom("http://127.0.0.1:9"), "pub", sign_in=SignInMethod.PKCE)
    report = run_doctor(target, None, options=DoctorOptions(timeout=0.5, connect_timeout=0.5))
    oauth = report.step("oauth")
    assert oauth is not None
    assert oauth.outcome is Outcome.SKIP
    assert "sign in as a user first" in oauth.detail
    assert "http://127.0.0.1:8123/callback" in oauth.detail
    assert [s.outcome for s in report.steps[3:]] == [Outcome.SKIP] * 4


# -- live updates, against a local WebSocket server and a mock API ------------------------------


@pytest.fixture
def ws_server() -> Iterator[tuple[Server, list[str]]]:
    """A WebSocket server on 127.0.0.1; ``behaviour[0]`` says what it does: heartbeat, silent, other."""
    behaviour = ["heartbeat"]

    def handler(conn: ServerConnection) -> None:
        if behaviour[0] == "heartbeat":
            conn.send(json.dumps({"topicName": "v2.other", "eventBody": {}}))
            conn.send(
                json.dumps({"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}})
            )
        stop.wait(5)

    stop = threading.Event()
    server = serve(handler, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, behaviour
    finally:
        stop.set()
        server.shutdown()
        thread.join(5)


def _api(ws_url: str, subscription: int = 200, seen: list[httpx.Request] | None = None) -> GenesysClient:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "tok-value", "expires_in": 60})
        if request.method == "POST" and request.url.path == "/api/v2/notifications/channels":
            return httpx.Response(
                200, json={"id": "ch1", "connectUri": ws_url, "expires": "2030-01-01T00:00:00Z"}
            )
        if request.method == "PUT" and request.url.path.endswith("/subscriptions"):
            if subscription != 200:
                body = {"message": "Not allowed", "code": "not.authorized", "status": subscription}
                return httpx.Response(subscription, json=body)
            return httpx.Response(200, json={"entities": json.loads(request.content)})
        return httpx.Response(404, json={"code": "not.found", "status": 404, "message": "no"})

    endpoint = Endpoint.custom("http://127.0.0.1:9")
    auth = ClientCredentialsAuth(endpoint, "c", SecretStr("s"))
    client = GenesysClient(endpoint, auth, transport=httpx.MockTransport(answer))
    client.max_retries = 0
    return client


def _ws_url(server: Server) -> str:
    host, port = server.socket.getsockname()[:2]
    return f"ws://{host}:{port}/channels/ch1"


def test_live_updates_ok_when_a_heartbeat_arrives(ws_server: tuple[Server, list[str]]) -> None:
    server, _ = ws_server
    seen: list[httpx.Request] = []
    found = Found(list_id="L1")
    with _api(_ws_url(server), seen=seen) as client:
        result = live_updates_step(client, found, proxy=None, heartbeat_timeout=5, open_timeout=5)
    assert result.outcome is Outcome.OK, result.detail
    assert "subscribed to v2.outbound.contactlists.L1.importstatus" in result.detail
    assert "heartbeat after" in result.detail
    put = next(r for r in seen if r.method == "PUT")
    assert json.loads(put.content) == [{"id": "v2.outbound.contactlists.L1.importstatus"}]
    assert {r.method for r in seen} <= {
        "POST",
        "PUT",
    }  # the channel and the subscription only: nothing deleted


def test_live_updates_fails_when_the_topic_is_refused(ws_server: tuple[Server, list[str]]) -> None:
    server, _ = ws_server
    with _api(_ws_url(server), subscription=403) as client:
        result = live_updates_step(
            client, Found(user_id="U1"), proxy=None, heartbeat_timeout=5, open_timeout=5
        )
    assert result.outcome is Outcome.FAIL
    assert result.detail.startswith("the subscription to v2.users.U1.conversations.calls was refused")
    assert result.detail.endswith("the console will poll for changes instead.")
    assert result.fix


def test_live_updates_fails_when_no_heartbeat_comes(ws_server: tuple[Server, list[str]]) -> None:
    server, behaviour = ws_server
    behaviour[0] = "silent"
    with _api(_ws_url(server)) as client:
        result = live_updates_step(client, Found(), proxy=None, heartbeat_timeout=0.3, open_timeout=5)
    assert result.outcome is Outcome.FAIL
    assert "no topic to subscribe to" in result.detail
    assert "no heartbeat within 0.3 s" in result.detail


def test_live_updates_fails_when_the_websocket_does_not_open() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    with _api(f"ws://127.0.0.1:{port}/channels/ch1") as client:
        result = live_updates_step(client, Found(), proxy=None, heartbeat_timeout=1, open_timeout=1)
    assert result.outcome is Outcome.FAIL
    assert "the WebSocket did not" in result.detail
    assert "firewall" in result.cause


# -- on the sandbox: a user token, a grant-type mismatch, region base URLs ---------------------


def _sandbox_target(url: str, sign_in: SignInMethod, client_id: str) -> Any:
    profile = Profile(name="S", region=CUSTOM_REGION, custom_url=url, client_id=client_id, sign_in=sign_in)
    return target_for(profile, Endpoint.custom(url), client_id, sign_in=sign_in)


def test_a_user_token_checks_the_code_grant_and_the_users_topic(sandbox: Any) -> None:
    with httpx.Client(base_url=sandbox.url, timeout=10) as web:
        value = pkce_login(web)["access_token"]
    token = AccessToken(SecretStr(value), expires_at=time.monotonic() + 3600)
    spec = ClientSpec(Endpoint.custom(sandbox.url), AuthKind.USER_TOKEN, "sandbox-pkce", user_token=token)
    target = _sandbox_target(sandbox.url, SignInMethod.PKCE, "sandbox-pkce")
    fast_heartbeat(sandbox)
    report = run_doctor(target, spec, options=DoctorOptions(heartbeat_timeout=5))
    oauth, org = report.step("oauth"), report.step("org")
    assert oauth is not None
    assert oauth.outcome is Outcome.OK
    assert "grant type CODE matches user login (PKCE)" in oauth.detail
    assert "redirect URI http://127.0.0.1:8085/callback" in oauth.detail
    assert org is not None
    assert "token subject Sam Supervisor" in org.detail
    live = report.step("live-updates")
    assert live is not None
    assert live.outcome is Outcome.OK
    assert f"subscribed to v2.users.{SUPERVISOR_ID}.conversations.calls" in live.detail
    text = json.dumps(report.to_data())
    assert value not in text


def test_a_grant_type_other_than_the_profiles_fails_the_oauth_step(sandbox: Any) -> None:
    target = _sandbox_target(sandbox.url, SignInMethod.PKCE, "sandbox-client")
    with GenesysClient.with_client_credentials(
        Endpoint.custom(sandbox.url), "sandbox-client", "sandbox-secret"
    ) as c:
        result = oauth_step(c, target, Found())
    assert result.outcome is Outcome.FAIL
    assert "grant type is CLIENT-CREDENTIALS" in result.detail
    assert "Code Authorization (PKCE)" in result.fix


@pytest.mark.parametrize(
    ("url", "login"),
    [
        ("https://api.mypurecloud.ie", "https://login.mypurecloud.ie"),
        ("http://127.0.0.1:9", "http://127.0.0.1:9"),
    ],
)
def test_a_region_base_url_gets_the_regions_login_and_apps_hosts(url: str, login: str) -> None:
    assert _endpoint(url).login_base == login


@pytest.fixture
def self_signed_https(tmp_path: Any) -> Iterator[str]:
    """An https server on localhost with a self-signed certificate (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_certificate_missing_from_the_os_trust_store_fails_the_network_step(self_signed_https: str) -> None:
    endpoint = Endpoint.custom(self_signed_https)
    target = target_for(None, endpoint, "cid", sign_in=SignInMethod.CLIENT_CREDENTIALS)
    with new_http_client() as client:  # the console's transport: truststore, the OS trust store
        result = network_step(target, client, timeout=5)
    assert result.outcome is Outcome.FAIL
    assert result.detail == "TLS to the API+login+apps host localhost is not verified."
    assert "self-signed certificate" in result.cause
    assert "corporate proxy" in result.cause


def test_a_cancel_stops_the_run_between_steps() -> None:
    cancel = threading.Event()
    seen: list[str] = []

    def progress(result: Any) -> None:
        seen.append(result.step)
        cancel.set()

    target = _sandbox_target("http://127.0.0.1:9", SignInMethod.CLIENT_CREDENTIALS, "c")
    with pytest.raises(Cancelled):
        run_doctor(target, None, cancel=cancel, progress=progress)
    assert seen == ["network"]
