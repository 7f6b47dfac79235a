"""Wire plumbing: headers, ErrorBody, rate limits, faults, control endpoint, request log."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from console.sandbox import Sandbox, SandboxConfig
from tests.sandbox.sandbox_helpers import assert_error

ORG = "/api/v2/organizations/me"


def test_every_response_has_correlation_and_rate_headers(api: httpx.Client) -> None:
    r = api.get(ORG)
    uuid.UUID(r.headers["ININ-Correlation-Id"])
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["inin-ratelimit-allowed"] == "300"
    assert 1 <= int(r.headers["inin-ratelimit-reset"]) <= 60
    count = int(r.headers["inin-ratelimit-count"])
    assert int(api.get(ORG).headers["inin-ratelimit-count"]) == count + 1
    err = api.get("/api/v2/outbound/contactlists/nope")
    assert "inin-ratelimit-count" in err.headers
    assert_error(err, 404, "not.found")
    assert_error(api.post(ORG), 405, "method.not.allowed")


def test_rate_limit_429(sb: Sandbox, api: httpx.Client) -> None:
    sb.control({"rate_limit": 3})
    codes = [api.get(ORG).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = api.get(ORG)
    err = assert_error(r, 429, "too.many.requests.retry.after", "Retry the request in [")
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert err["message"] == (
        f"Rate limit exceeded the maximum. Retry the request in [{r.headers['Retry-After']}] seconds"
    )
    assert err["details"] == []
    assert err["errors"] == []
    assert r.headers["inin-ratelimit-count"] == "3"
    assert err["messageParams"] == {"retryAfter": r.headers["Retry-After"]}


def test_fault_429_then_success(sb: Sandbox, api: httpx.Client) -> None:
    sb.control({"faults": [{"kind": "429", "count": 2, "retry_after": 2, "method": "GET"}]})
    for _ in range(2):
        r = api.get(ORG)
        assert (r.status_code, r.headers["Retry-After"]) == (429, "2")
    assert api.get(ORG).status_code == 200
    assert sb.control({})["faults"] == []


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_status_fault(sb: Sandbox, api: httpx.Client, status: int) -> None:
    sb.control({"faults": [{"kind": "status", "status": status, "path": "organizations"}]})
    assert api.get("/api/v2/users").status_code == 200  # path does not match
    body = assert_error(api.get(ORG), status, body_code(status))
    assert body["message"]
    assert api.get(ORG).status_code == 200


def body_code(status: int) -> str:
    return {500: "internal.server.error", 502: "bad.gateway", 503: "service.unavailable"}.get(
        status, "request.timeout"
    )


def test_drop_fault_closes_connection(sb: Sandbox, api: httpx.Client) -> None:
    sb.control({"faults": [{"kind": "drop", "count": 1}]})
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(ORG)
    assert api.get(ORG).status_code == 200


def test_delay_fault(sb: Sandbox, api: httpx.Client) -> None:
    sb.control({"faults": [{"kind": "delay", "seconds": 0.3}]})
    start = time.perf_counter()
    assert api.get(ORG).status_code == 200
    assert time.perf_counter() - start >= 0.3
    sb.control({"faults": [{"kind": "delay", "seconds": 0.5}]})
    with pytest.raises(httpx.ReadTimeout):
        api.get(ORG, timeout=0.1)


def test_faults_apply_to_oauth_when_path_says_so(sb: Sandbox, http: httpx.Client) -> None:
    sb.control({"faults": [{"kind": "status", "status": 503, "path": "^/oauth/token$"}]})
    r = http.post(
        "/oauth/token", auth=("sandbox-client", "sandbox-secret"), data={"grant_type": "client_credentials"}
    )
    assert r.status_code == 503


@pytest.mark.parametrize(
    ("doc", "text"),
    [
        ({"bogus": 1}, "unknown control keys"),
        ({"switches": {"nope": "1"}}, "unknown switch"),
        ({"switches": {"duplicate_list_name": "500"}}, "duplicate_list_name"),
        ({"switches": {"call_connect_after": "-1"}}, "call_connect_after"),
        ({"faults": [{"kind": "boom"}]}, "faults[0].kind"),
        ({"faults": [{"kind": "status", "status": 200}]}, "faults[0].status"),
        ({"faults": [{"kind": "429", "count": 0}]}, "faults[0].count"),
        ({"faults": [{"kind": "drop", "path": "("}]}, "faults[0].path"),
        ({"token_lifetime": 0}, "token_lifetime"),
        ({"expire_tokens": "yes"}, "expire_tokens"),
    ],
)
def test_control_validation(sb: Sandbox, http: httpx.Client, doc: dict[str, object], text: str) -> None:
    r = http.post("/sandbox/control", json=doc)
    assert_error(r, 400, "bad.request", text)
    with pytest.raises(ValueError, match=text.replace("[", r"\[").replace("]", r"\]")):
        sb.control(doc)


def test_control_over_http_and_reset(sb: Sandbox, http: httpx.Client, api: httpx.Client) -> None:
    r = http.post("/sandbox/control", json={"switches": {"duplicate_list_name": 409}, "rate_limit": 50})
    assert r.status_code == 200
    assert r.json()["switches"]["duplicate_list_name"] == "409"
    snap = http.get("/sandbox/control").json()
    assert snap["config"]["rate_limit"] == 50
    assert "client_secret" not in snap["config"]
    assert api.get(ORG).headers["inin-ratelimit-allowed"] == "50"
    http.post("/sandbox/reset")
    assert http.get("/sandbox/control").json()["switches"]["duplicate_list_name"] == "400"
    assert_error(api.get(ORG), 401, "bad.credentials")  # tokens cleared by reset


def test_request_log(http: httpx.Client, api: httpx.Client) -> None:
    http.delete("/sandbox/requests")
    api.post("/api/v2/outbound/contactlists", json={"name": "x"})
    log = http.get("/sandbox/requests").json()["requests"]
    assert [(e["method"], e["path"]) for e in log] == [("POST", "/api/v2/outbound/contactlists")]
    assert log[0]["headers"]["authorization"] == "<redacted>"
    assert '"name"' in log[0]["body"]


def test_null_body_and_keep_alive_speed(api: httpx.Client) -> None:
    r = api.post("/api/v2/tokens/me", content=b"null")  # wrong method, but body accepted and parsed
    assert r.status_code == 405
    start = time.perf_counter()
    for _ in range(100):
        api.get(ORG)
    per_request = (time.perf_counter() - start) / 100
    assert per_request < 0.02, per_request  # Nagle off: ~1 ms; with Nagle ~44 ms


def test_start_stop_fast() -> None:
    start = time.perf_counter()
    sb = Sandbox(SandboxConfig(client_id="other", client_secret="s3cret")).start()
    with httpx.Client(base_url=sb.url) as c:
        assert c.post(
            "/oauth/token", auth=("other", "s3cret"), data={"grant_type": "client_credentials"}
        ).is_success
        sb.stop()
    assert time.perf_counter() - start < 0.5
    with pytest.raises(httpx.ConnectError):
        httpx.get(sb.url + ORG.replace("/me", ""), timeout=1)
