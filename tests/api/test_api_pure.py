"""Pure tests of the api layer: retry tables, rate limits, redaction, regions, errors, models."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from console.api.auth import code_challenge, generate_code_verifier, token_error
from console.api.errors import (
    ApiStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from console.api.logging import REDACTED, ExchangeRecord, redact_body, redact_headers, redact_url
from console.api.models import (
    CallConversation,
    ContactList,
    ContactPhoneNumberColumn,
    CreateCallRequest,
    DialerContact,
    ErrorBody,
    ExternalContact,
    ImportStatus,
    Organization,
    Page,
    PhoneNumber,
    TokenInfo,
    UserMe,
    WritableDialerContact,
)
from console.api.ratelimit import Pacer, RateLimitState
from console.api.regions import Endpoint, Region
from console.api.retry import is_call_creating, is_idempotent, parse_retry_after, retry_delay, should_retry
from console.errors import Cancelled

LISTS = "/api/v2/outbound/contactlists"

# --------------------------------------------------------------------------- retry


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", LISTS, None, True),
        ("PUT", f"{LISTS}/x", {"version": 1}, True),
        ("DELETE", f"{LISTS}/x", None, True),
        ("POST", LISTS, {"name": "a"}, False),
        ("POST", f"{LISTS}/x/contacts", [{"id": "a"}, {"id": "b"}], True),
        ("POST", f"{LISTS}/x/contacts", [{"id": "a"}, {"data": {}}], False),
        ("POST", f"{LISTS}/x/contacts", [{"id": ""}], False),
        ("POST", f"{LISTS}/x/contacts", [], False),
        ("POST", f"{LISTS}/x/contacts/bulk", ["a", "b"], True),
        ("POST", f"{LISTS}/x/clear", None, False),
        ("POST", "/api/v2/conversations/calls", {"phoneNumber": "+1"}, False),
        ("POST", "/api/v2/conversations/calls/user/u1", {"phoneNumber": "+1"}, False),
    ],
)
def test_is_idempotent(method: str, path: str, body: object, expected: bool) -> None:
    assert is_idempotent(method, path, body) is expected


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/api/v2/conversations/calls", True),
        ("POST", "/api/v2/conversations/calls/user/abc", True),
        ("GET", "/api/v2/conversations/calls/abc", False),
        ("PATCH", "/api/v2/conversations/calls/abc/participants/p", False),
        ("POST", "/api/v2/conversations/calls/abc/participants", False),
    ],
)
def test_is_call_creating(method: str, path: str, expected: bool) -> None:
    assert is_call_creating(method, path) is expected


CALL = "/api/v2/conversations/calls"


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 429, "retry_after": 1}, True),
        ({"method": "POST", "path": LISTS, "idempotent": False, "status": 429, "retry_after": 1}, True),
        ({"method": "POST", "path": CALL, "idempotent": False, "status": 429, "retry_after": 1}, False),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 429, "retry_after": 600}, False),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 429}, True),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 503}, True),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 502}, True),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 504}, True),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 500}, False),
        ({"method": "POST", "path": LISTS, "idempotent": False, "status": 503}, False),
        ({"method": "POST", "path": CALL, "idempotent": False, "status": 503}, False),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 400}, False),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 401}, False),
        ({"method": "GET", "path": LISTS, "idempotent": True, "connection_error": True}, True),
        ({"method": "POST", "path": LISTS, "idempotent": False, "connection_error": True}, False),
        (
            {
                "method": "POST",
                "path": LISTS,
                "idempotent": False,
                "connection_error": True,
                "request_sent": False,
            },
            True,
        ),
        (
            {
                "method": "POST",
                "path": CALL,
                "idempotent": False,
                "connection_error": True,
                "request_sent": False,
            },
            False,
        ),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 503, "attempt": 5}, False),
        ({"method": "GET", "path": LISTS, "idempotent": True, "status": 503, "attempt": 4}, True),
    ],
)
def test_should_retry(kw: dict[str, object], expected: bool) -> None:
    args: dict[str, object] = {"attempt": 0, **kw}
    assert should_retry(**args) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("attempt", "retry_after", "rng", "expected"),
    [
        (0, 1.0, 0.0, 1.0),
        (3, 1.0, 0.0, 1.0),
        (0, 1.0, 0.999, 1.0999),
        (0, 3.0, 0.5, 3.15),
        (0, 500.0, 0.5, 60.0),  # capped
        (0, 59.0, 0.9, 60.0),  # jitter never exceeds the cap
        (0, None, 0.0, 0.25),  # half of base 0.5
        (0, None, 1.0, 0.5),
        (1, None, 0.0, 0.5),
        (2, None, 1.0, 2.0),
        (10, None, 1.0, 8.0),  # back-off cap
    ],
)
def test_retry_delay(attempt: int, retry_after: float | None, rng: float, expected: float) -> None:
    assert retry_delay(attempt, retry_after, rng=lambda: rng) == pytest.approx(expected, abs=1e-3)


def test_retry_delay_never_shorter_than_retry_after() -> None:
    import random

    r = random.Random(1)
    for _ in range(200):
        assert 2.0 <= retry_delay(0, 2.0, rng=r.random) <= 2.2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("-1", None),
        ("soon", None),
        ("Thu, 01 Jan 1970 00:00:10 GMT", 5.0),  # now=5
        ("Thu, 01 Jan 1970 00:00:01 GMT", 0.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=5.0) == expected


# --------------------------------------------------------------------------- rate limits


@pytest.mark.parametrize(
    ("headers", "remaining", "reset_at"),
    [
        (
            {"inin-ratelimit-count": "1", "inin-ratelimit-allowed": "180", "inin-ratelimit-reset": "61"},
            179,
            161.0,
        ),
        (
            {"ININ-RateLimit-Count": "300", "ININ-RateLimit-Allowed": "300", "ININ-RateLimit-Reset": "5"},
            0,
            105.0,
        ),
        ({"inin-ratelimit-count": "310", "inin-ratelimit-allowed": "300"}, 0, None),
        ({"inin-ratelimit-reset": "x", "inin-ratelimit-count": "3"}, None, None),
    ],
)
def test_rate_limit_state(headers: dict[str, str], remaining: int | None, reset_at: float | None) -> None:
    state = RateLimitState.from_headers(headers, now=100.0)
    assert state is not None
    assert state.remaining == remaining
    assert state.reset_at == reset_at


def test_rate_limit_state_absent() -> None:
    assert RateLimitState.from_headers({"X-RateLimit-Remaining": "5"}, now=0) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_waits_only_when_budget_runs_out() -> None:
    clock = FakeClock()
    pacer = Pacer(reserve=2, clock=clock, sleep=clock.sleep)
    assert pacer.acquire() == 0  # nothing known yet
    pacer.update(RateLimitState(count=296, allowed=300, reset_seconds=10, observed_at=0.0))
    # 4 left, reserve 2: two requests go straight through, the third waits for the window
    assert [pacer.acquire(), pacer.acquire()] == [0, 0]
    clock.now = 4.0
    assert pacer.acquire() == pytest.approx(6.0)
    assert clock.slept == [pytest.approx(6.0)]
    assert pacer.acquire() == 0  # new window, budget unknown until the next answer
    assert pacer.total_waited == pytest.approx(6.0)


def test_pacer_keeps_a_loop_under_the_limit() -> None:
    """Simulate a server window of 20 requests per 10 s: the paced loop never exceeds it."""
    clock = FakeClock()
    pacer = Pacer(reserve=1, clock=clock, sleep=clock.sleep)
    window_start, used, allowed, over = 0.0, 0, 20, 0
    for _ in range(100):
        pacer.acquire()
        if clock.now - window_start >= 10:
            window_start, used = clock.now, 0
        used += 1
        over += used > allowed
        clock.now += 0.01
        reset = 10 - (clock.now - window_start)
        pacer.update(RateLimitState(count=used, allowed=allowed, reset_seconds=reset, observed_at=clock.now))
    assert over == 0
    assert clock.slept  # it did have to wait


def test_pacer_wait_is_cancellable() -> None:
    clock = FakeClock()
    pacer = Pacer(reserve=0, clock=clock)
    pacer.update(RateLimitState(count=10, allowed=10, reset_seconds=30, observed_at=0.0))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        pacer.acquire(cancel)


# --------------------------------------------------------------------------- redaction

SECRET = "s3cr3t-VALUE"
TOKEN = "tok-abcdef123456"


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (f"grant_type=client_credentials&client_secret={SECRET}", "application/x-www-form-urlencoded"),
        (
            f"grant_type=authorization_code&code={SECRET}&code_verifier={SECRET}",
            "application/x-www-form-urlencoded",
        ),
        (f"grant_type=refresh_token&refresh_token={SECRET}", "application/x-www-form-urlencoded"),
        (
            json.dumps({"access_token": SECRET, "token_type": "bearer", "expires_in": 86399}),
            "application/json",
        ),
        (json.dumps({"nested": [{"clientSecret": SECRET}], "password": SECRET}), "application/json"),
        (f"Authorization: Bearer {SECRET}", "text/plain"),
        (json.dumps({"refresh_token": SECRET})[:-3], "application/json"),  # broken JSON
    ],
)
def test_redact_body_hides_secrets(body: str, ctype: str) -> None:
    out = redact_body(body.encode(), ctype)
    assert out is not None
    assert SECRET not in out
    assert REDACTED in out or "Bearer" in out


def test_redact_body_keeps_normal_fields_and_truncates() -> None:
    out = redact_body(
        json.dumps({"name": "List A", "columnNames": ["x"] * 2000}), "application/json", max_body=100
    )
    assert out is not None
    assert out.startswith('{"name":"List A"')
    assert "more characters" in out
    assert redact_body(b"--b\r\n...", "multipart/form-data; boundary=b") == "<multipart body, 8 bytes>"
    assert redact_body(None, None) is None


def test_redact_body_keeps_error_codes_in_json() -> None:
    # In JSON "code" is the ErrorBody's error code, which the API log and decoder must show;
    # only form bodies and URLs carry OAuth authorization codes.
    out = redact_body(
        json.dumps({"message": "m", "code": "cannot.update.phone.columns", "status": 400}), "application/json"
    )
    assert out is not None
    assert "cannot.update.phone.columns" in out
    form = redact_body(f"grant_type=authorization_code&code={SECRET}", "application/x-www-form-urlencoded")
    assert form is not None
    assert SECRET not in form


def test_redact_headers_and_url() -> None:
    headers = redact_headers(
        {"Authorization": f"Bearer {TOKEN}", "Cookie": "a=b", "Accept": "application/json"}
    )
    assert headers == {
        "Authorization": f"Bearer {REDACTED}",
        "Cookie": REDACTED,
        "Accept": "application/json",
    }
    url = redact_url(f"https://s3.example/k?X-Amz-Signature={SECRET}&X-Amz-Credential={SECRET}&partNumber=1")
    assert SECRET not in url
    assert "partNumber=1" in url
    assert redact_url("http://x/cb?code=abc&state=s").count("abc") == 0


def test_to_curl_uses_placeholder() -> None:
    rec = ExchangeRecord(
        method="POST",
        url="https://api.mypurecloud.ie/api/v2/outbound/contactlists",
        status=200,
        duration=0.1,
        request_headers=redact_headers(
            {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        ),
        request_body='{"name":"it\'s"}',
    )
    curl = rec.to_curl()
    assert TOKEN not in curl
    assert '"Authorization: Bearer $GENESYS_TOKEN"' in curl
    assert curl.startswith("curl -X POST https://api.mypurecloud.ie/api/v2/outbound/contactlists")
    assert "--data-raw" in curl
    import shlex

    argv = shlex.split(curl)
    assert argv[argv.index("--data-raw") + 1] == '{"name":"it\'s"}'


# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("eu_west_1", Region.EU_WEST_1),
        ("eu-west-1", Region.EU_WEST_1),
        ("mypurecloud.ie", Region.EU_WEST_1),
        ("https://api.mypurecloud.ie/", Region.EU_WEST_1),
        ("login.usw2.pure.cloud", Region.US_WEST_2),
        ("US_EAST_2", Region.US_EAST_2),
        ("edee1.eusc-pure.cloud", Region.EUSC_DE_EAST_1),
    ],
)
def test_region_parse(text: str, region: Region) -> None:
    assert Region.parse(text) is region


def test_every_region_derives_hosts() -> None:
    assert len(Region) == 18
    for region in Region:
        ep = Endpoint.for_region(region)
        assert ep.api_base == f"https://api.{region.value}"
        assert ep.login_base == ep.api_base.replace("//api.", "//login.")
        assert ep.apps_base == ep.api_base.replace("//api.", "//apps.")
    ie = Endpoint.for_region("eu_west_1")
    assert ie.token_url == "https://login.mypurecloud.ie/oauth/token"
    assert ie.login_host == "login.mypurecloud.ie"
    assert Endpoint.for_region(Region.AP_SOUTHEAST_2).apps_base == "https://apps.mypurecloud.com.au"


def test_custom_endpoint_and_bad_input() -> None:
    ep = Endpoint.custom("http://127.0.0.1:8123/")
    assert ep.api_base == ep.login_base == ep.apps_base == "http://127.0.0.1:8123"
    assert ep.region is None
    with pytest.raises(ValueError, match="unknown"):
        Region.parse("mars_1")
    with pytest.raises(ValueError, match="base URL"):
        Endpoint.custom("ftp://x")


# --------------------------------------------------------------------------- errors


def _response(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("PUT", "https://api.mypurecloud.ie/api/v2/outbound/contactlists/abc")
    content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return httpx.Response(status, content=content, headers=headers or {}, request=request)


@pytest.mark.parametrize(
    ("status", "klass"),
    [
        (400, BadRequestError),
        (413, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_error_classes(status: int, klass: type[ApiStatusError]) -> None:
    exc = ApiStatusError.from_response(_response(status, {"code": "x", "message": "m", "status": status}))
    assert type(exc) is klass
    assert exc.status_code == status


def test_status_error_carries_everything() -> None:
    body = {
        "message": "Unable to perform the requested action. You must have at least one of the following "
        "permissions assigned: [outbound:contactList:add]",
        "messageWithParams": "Unable to perform the requested action. You must have at least one of the "
        "following permissions assigned: {permissions}",
        "messageParams": {"permissions": "[outbound:contactList:add, outbound:contact:add]"},
        "code": "missing.any.permissions",
        "status": 403,
        "contextId": "ctx-1",
        "futureKey": {"kept": True},
    }
    exc = ApiStatusError.from_response(
        _response(403, body, {"ININ-Correlation-Id": "corr-9"}), request_body='{"name":"x"}'
    )
    assert isinstance(exc, PermissionDeniedError)
    assert exc.correlation_id == "corr-9"
    assert exc.method == "PUT"
    assert exc.path == "/api/v2/outbound/contactlists/abc"
    assert exc.request_body == '{"name":"x"}'
    assert exc.code == "missing.any.permissions"
    assert exc.missing_permissions == ["outbound:contactList:add", "outbound:contact:add"]
    assert exc.detail.endswith("[outbound:contactList:add, outbound:contact:add]")
    assert "corr-9" in str(exc)
    assert "403" in str(exc)
    assert exc.body is not None
    assert exc.body.model_extra == {"futureKey": {"kept": True}}


def test_status_error_non_json_and_version_mismatch() -> None:
    exc = ApiStatusError.from_response(_response(502, b"<html>Bad gateway</html>"))
    assert isinstance(exc, ServerError)
    assert exc.body is None
    assert exc.detail == "<html>Bad gateway</html>"
    stale = ApiStatusError.from_response(
        _response(400, {"code": "bad.request", "message": "Version 3 does not match the current version 4"})
    )
    assert stale.is_version_mismatch
    assert ApiStatusError.from_response(_response(409, {"code": "conflict"})).is_version_mismatch
    assert not ApiStatusError.from_response(_response(400, {"code": "bad.request"})).is_version_mismatch


def test_rate_limit_error_retry_after() -> None:
    exc = ApiStatusError.from_response(_response(429, {"code": "too.many.requests"}, {"Retry-After": "3"}))
    assert isinstance(exc, RateLimitError)
    assert exc.retry_after == 3.0


@pytest.mark.parametrize(
    ("template", "params", "message", "expected"),
    [
        ("Missing {permissions}", {"permissions": "[a:b:c]"}, "x", "Missing [a:b:c]"),
        ("{a} and {b}", {"a": "1"}, None, "1 and {b}"),
        (None, None, "plain", "plain"),
        ("No params", {}, "m", "No params"),
    ],
)
def test_error_body_rendering(
    template: str | None, params: dict[str, str] | None, message: str | None, expected: str
) -> None:
    body = ErrorBody(message_with_params=template, message_params=params, message=message)
    assert body.rendered_message() == expected


def test_oauth_token_error_names_login_host() -> None:
    request = httpx.Request("POST", "https://login.mypurecloud.ie/oauth/token", content=b"grant_type=x")
    body = {
        "error": "invalid_client",
        "description": "authentication failed",
        "error_description": "authentication failed",
    }
    exc = token_error(
        httpx.Response(401, json=body, request=request), "login.mypurecloud.ie", "client id or secret"
    )
    assert isinstance(exc, AuthenticationError)
    assert str(exc).startswith("the client id or secret was not accepted by login.mypurecloud.ie")
    assert exc.code == "invalid_client"
    server = token_error(httpx.Response(503, json={"code": "x"}, request=request), "h", "w")
    assert isinstance(server, ServerError)


# --------------------------------------------------------------------------- PKCE


def test_pkce_verifier_and_challenge() -> None:
    v = generate_code_verifier()
    assert len(v) == 64
    assert set(v) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._")
    from PureCloudPlatformClientV2.api_client import ApiClient

    sdk = ApiClient()
    for verifier in (v, generate_code_verifier(43), generate_code_verifier(128)):
        assert code_challenge(verifier) == sdk.compute_pkce_code_challenge(verifier)
        assert "=" not in code_challenge(verifier)
    with pytest.raises(ValueError, match="43 to 128"):
        generate_code_verifier(42)


# --------------------------------------------------------------------------- models


def test_contact_list_round_trip_and_bodies() -> None:
    wire = {
        "id": "cl-1",
        "name": "List",
        "dateCreated": "2024-05-01T12:00:00.000Z",
        "version": 3,
        "division": {"id": "d1", "name": "Home", "selfUri": "/api/v2/authorization/divisions/d1"},
        "columnNames": ["Id", "Mobile"],
        "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
        "importStatus": {
            "state": "IN_PROGRESS",
            "totalRecords": 2,
            "completedRecords": 1,
            "percentComplete": 50,
        },
        "size": 7,
        "selfUri": "/api/v2/outbound/contactlists/cl-1",
        "somethingNew": [1, 2],
    }
    cl = ContactList.model_validate(wire)
    assert cl.model_extra == {"somethingNew": [1, 2]}
    assert cl.import_status is not None
    assert not cl.import_status.is_done
    again = ContactList.model_validate(cl.model_dump(by_alias=True, mode="json"))
    assert again == cl
    create = cl.create_body()
    for ro in ("id", "version", "dateCreated", "selfUri", "size", "importStatus"):
        assert ro not in create
    assert create["division"] == {"id": "d1"}
    assert create["phoneColumns"] == [{"columnName": "Mobile", "type": "cell"}]
    update = cl.update_body()
    assert (update["id"], update["version"]) == ("cl-1", 3)
    assert "size" not in update
    fresh = ContactList(
        name="New", column_names=["A"], phone_columns=[ContactPhoneNumberColumn(column_name="A", type="cell")]
    )
    assert fresh.create_body() == {
        "name": "New",
        "columnNames": ["A"],
        "phoneColumns": [{"columnName": "A", "type": "cell"}],
    }
    assert "version" in cl.model_copy(update={"version": 9}).update_body()


@pytest.mark.parametrize(
    ("status", "done", "failed"),
    [
        ({"totalRecords": 3, "completedRecords": 3, "percentComplete": 100}, True, False),
        ({"state": "IN_PROGRESS", "percentComplete": 100}, False, False),
        ({"state": "FAILED", "failureReason": "CONTACT_COLUMNS_LIMIT_EXCEEDED"}, False, True),
    ],
)
def test_import_status(status: dict[str, object], done: bool, failed: bool) -> None:
    s = ImportStatus.model_validate(status)
    assert (s.is_done, s.is_failed) == (done, failed)


@pytest.mark.parametrize(
    ("model", "wire"),
    [
        (
            DialerContact,
            {
                "id": "c1",
                "contactListId": "L",
                "data": {"A": "1"},
                "callable": True,
                "callRecords": {"Mobile": {"lastAttempt": "2024-05-01T12:00:00Z", "lastResult": "x"}},
                "selfUri": "/x",
                "extraKey": 1,
            },
        ),
        (
            Organization,
            {
                "id": "o",
                "name": "Org",
                "thirdPartyOrgName": "org",
                "features": {"a": True},
                "productPlatform": "GenesysCloud",
            },
        ),
        (
            UserMe,
            {
                "id": "u",
                "name": "Sam",
                "email": "s@x",
                "state": "active",
                "organization": {"id": "o", "name": "Org"},
                "presence": {"x": 1},
            },
        ),
        (
            TokenInfo,
            {
                "organization": {"id": "o", "name": "Org"},
                "authorizedScope": ["outbound"],
                "OAuthClient": {"id": "c", "name": "n"},
            },
        ),
        (
            CallConversation,
            {
                "id": "conv",
                "participants": [
                    {
                        "id": "p1",
                        "purpose": "external",
                        "address": "tel:+15551234567",
                        "state": "dialing",
                        "errorInfo": {"code": "x", "message": "m"},
                    }
                ],
                "recordingState": "none",
            },
        ),
        (
            ExternalContact,
            {
                "id": "e",
                "firstName": "A",
                "workPhone": {"display": "+1 555", "e164": "+1555"},
                "createDate": "2024-05-01T12:00:00Z",
            },
        ),
        (
            Page[DialerContact],
            {
                "entities": [{"contactListId": "L", "data": {}}],
                "pageSize": 25,
                "pageNumber": 1,
                "total": 1,
                "pageCount": 1,
            },
        ),
    ],
)
def test_response_model_round_trip(model: type, wire: dict[str, object]) -> None:
    parsed = model.model_validate(wire)
    dumped = parsed.model_dump(by_alias=True, exclude_none=True, mode="json")
    assert model.model_validate(dumped) == parsed
    for key in wire:
        assert key in dumped


def test_request_bodies_omit_read_only_and_unset() -> None:
    contact = DialerContact.model_validate(
        {
            "id": "c1",
            "contactListId": "L",
            "data": {"A": "1"},
            "name": "n",
            "selfUri": "/x",
            "dateCreated": "2024-05-01T12:00:00Z",
            "callRecords": {},
        }
    )
    assert contact.to_wire(keep=frozenset({"id"})) == {"id": "c1", "contactListId": "L", "data": {"A": "1"}}
    assert WritableDialerContact(contact_list_id="L", data={"A": "1"}).to_wire() == {
        "contactListId": "L",
        "data": {"A": "1"},
    }
    call = CreateCallRequest(phone_number="+15551234567", caller_id="+15550000000")
    assert call.to_wire() == {"phoneNumber": "+15551234567", "callerId": "+15550000000"}
    ext = ExternalContact(id="x", first_name="A", work_phone=PhoneNumber(display="+1 555"))
    assert ext.to_wire() == {"firstName": "A", "workPhone": {"display": "+1 555"}}


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (datetime(2032, 1, 31, 23, 59, 59, 5000, tzinfo=UTC), "2032-01-31T23:59:59.005Z"),
        (datetime(2032, 1, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=2))), "2032-01-31T21:59:59.000Z"),
        (datetime(2024, 5, 1, 12, 0, 0, 999999), "2024-05-01T12:00:00.999Z"),  # naive = UTC
    ],
)
def test_datetimes_go_out_with_milliseconds_and_z(value: datetime, wire: str) -> None:
    body = ContactList(name="x", columnNames=["a"], dateExpiration=value).create_body()
    assert body["dateExpiration"] == wire
