"""GenesysClient against the running sandbox over real HTTP: endpoints, faults, redaction."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import httpx
import pytest

from console.api import (
    ApiConnectionError,
    AuthenticationError,
    ClientCredentialsAuth,
    ConflictError,
    Endpoint,
    GenesysClient,
    NotFoundError,
    Pacer,
    PermissionDeniedError,
    PkceLogin,
    ServerError,
    UserTokenAuth,
)
from console.api.errors import BadRequestError, LoginError, LoginTimeoutError
from console.api.models import (
    ContactList,
    ContactListUploadUrlRequest,
    ContactPhoneNumberColumn,
    CreateCallRequest,
    ExternalContact,
    PhoneNumber,
    WritableDialerContact,
)
from console.errors import Cancelled
from tests.api.conftest import Recorder, sandbox_requests

LISTS = "/api/v2/outbound/contactlists"


def new_list(name: str = "Console test list") -> ContactList:
    return ContactList(
        name=name,
        column_names=["Id", "Name", "Mobile"],
        phone_columns=[ContactPhoneNumberColumn(column_name="Mobile", type="cell")],
    )


def contacts(list_id: str, n: int, *, with_ids: bool = True) -> list[WritableDialerContact]:
    return [
        WritableDialerContact(
            id=f"c{i}" if with_ids else None,
            contact_list_id=list_id,
            data={"Id": str(i), "Name": f"N{i}", "Mobile": f"+1555123{i:04d}"},
        )
        for i in range(n)
    ]


def body_of(record: dict[str, Any]) -> Any:
    body = record["body"]
    return json.loads(body) if isinstance(body, str) else body


def calls_to(sandbox: Any, method: str, path_part: str) -> int:
    return sum(1 for r in sandbox_requests(sandbox) if r["method"] == method and path_part in r["path"])


# --------------------------------------------------------------------------- endpoints


def test_lookups(api: GenesysClient) -> None:
    org = api.get_organization()
    assert org.name == "Sandbox Org"
    assert org.third_party_org_name == "sandbox-org"
    divisions = list(api.iter_divisions())
    assert {d.name for d in divisions} >= {"Home", "Outbound Team"}
    assert api.get_home_division().home_division is True
    users = api.get_users()
    assert {"Sam Supervisor", "Avery Agent"} <= {u.name for u in users.entities}
    assert api.get_queues().entities
    assert api.get_attempt_limits().entities[0].max_attempts_per_contact is not None
    info = api.get_token_info()
    assert info.organization is not None
    assert info.organization.name == "Sandbox Org"
    with pytest.raises(BadRequestError, match="user context"):
        api.get_me()  # client credentials cannot use /users/me
    assert api.rate_limit is not None
    assert api.rate_limit.allowed == 300
    assert api.rate_limit.remaining is not None


def test_contact_list_crud_and_paging(sandbox: Any, api: GenesysClient) -> None:
    created = [api.create_contact_list(new_list(f"Paging {i}")) for i in range(3)]
    first = created[0]
    assert first.id
    assert first.version == 1
    assert first.self_uri == f"{LISTS}/{first.id}"
    page = api.list_contact_lists(page_size=2, name="Paging")
    assert page.total == 3
    assert page.has_next
    assert len(page.entities) == 2
    assert sorted(c.name or "" for c in api.iter_contact_lists(page_size=2, name="Paging")) == [
        "Paging 0",
        "Paging 1",
        "Paging 2",
    ]
    assert api.find_contact_list("Paging 1") is not None
    assert api.find_contact_list("Paging") is None
    got = api.get_contact_list(first.id, include_size=True, include_import_status=True)
    assert got.size == 0
    renamed = api.update_contact_list(got.model_copy(update={"name": "Renamed"}))
    assert renamed.name == "Renamed"
    assert renamed.version == 2
    # the POST/PUT bodies carried no read-only fields
    log = sandbox_requests(sandbox)
    post = next(r for r in log if r["method"] == "POST" and r["path"] == LISTS)
    put = next(r for r in log if r["method"] == "PUT")
    for key in ("id", "version", "dateCreated", "selfUri", "size", "importStatus"):
        assert key not in body_of(post)
    assert body_of(put)["version"] == 1
    assert "size" not in body_of(put)
    api.delete_contact_list(first.id)
    with pytest.raises(NotFoundError) as info:
        api.get_contact_list(first.id)
    assert info.value.correlation_id


def test_stale_version(api: GenesysClient) -> None:
    cl = api.create_contact_list(new_list("Versioned"))
    api.update_contact_list(cl.model_copy(update={"name": "Versioned 2"}))
    with pytest.raises(ConflictError) as info:
        api.update_contact_list(cl.model_copy(update={"name": "Versioned 3"}))  # still version 1
    assert info.value.is_version_mismatch
    assert info.value.method == "PUT"
    assert info.value.request_body is not None
    assert '"version":1' in info.value.request_body
    latest = api.update_contact_list(cl.model_copy(update={"name": "Versioned 3"}), use_current_version=True)
    assert latest.version == 3


def test_contacts(sandbox: Any, api: GenesysClient) -> None:
    cl = api.create_contact_list(new_list("Contacts"))
    assert cl.id
    stored = api.add_contacts(cl.id, contacts(cl.id, 3), priority=False, do_not_queue=True)
    assert [c.id for c in stored] == ["c0", "c1", "c2"]
    one = api.get_contact(cl.id, "c1")
    assert one.data["Name"] == "N1"
    one.data["Name"] = "Changed"
    assert api.update_contact(cl.id, one).data["Name"] == "Changed"
    bulk = api.get_contacts_bulk(cl.id, ["c0", "c2"])
    assert sorted(c.id or "" for c in bulk) == ["c0", "c2"]
    api.delete_contact(cl.id, "c0")
    with pytest.raises(NotFoundError):
        api.get_contact(cl.id, "c0")
    api.delete_contacts(cl.id, ["c1"])
    assert [c.id for c in api.get_contacts_bulk(cl.id, ["c1", "c2"])] == ["c2"]
    api.clear_contacts(cl.id)
    deadline = time.monotonic() + 5
    while api.get_contact_list(cl.id, include_size=True).size and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.get_contact_list(cl.id, include_size=True).size == 0
    query = next(
        r for r in sandbox_requests(sandbox) if r["method"] == "POST" and r["path"].endswith("/contacts")
    )
    assert query["query"].get("doNotQueue") in ("true", ["true"])


def test_csv_imports_both_flows(sandbox: Any, api: GenesysClient) -> None:
    cl = api.create_contact_list(new_list("Imports"))
    assert cl.id
    api.upload_contacts_csv(cl.id, b"Id,Name,Mobile\n1,A,+15551230001\n2,B,+15551230002\n", "Id")
    seen: list[int | None] = []
    status = api.wait_for_import(
        cl.id, poll_interval=0.1, timeout=10, on_progress=lambda s: seen.append(s.percent_complete)
    )
    assert status.is_done
    assert seen[-1] == 100
    upload = api.request_upload_url(ContactListUploadUrlRequest(id=cl.id, contact_id_name="Id"))
    assert upload.url
    assert upload.headers
    api.put_presigned(upload, b"Id,Name,Mobile\n3,C,+15551230003\n")
    assert api.wait_for_import(cl.id, poll_interval=0.1, timeout=10).is_done
    assert api.get_contact_list(cl.id, include_size=True).size == 3
    put = next(r for r in sandbox_requests(sandbox) if r["method"] == "PUT")
    assert "authorization" not in {k.lower() for k in put["headers"]}  # no bearer token to storage


def test_external_contacts(api: GenesysClient) -> None:
    created = api.create_external_contact(
        ExternalContact(first_name="Ann", last_name="Lee", work_phone=PhoneNumber(display="+15551234567"))
    )
    assert created.id
    found = api.search_external_contacts("Ann")
    assert created.id in {c.id for c in found.entities}


def test_call_for_user_and_hang_up(sandbox: Any, api: GenesysClient) -> None:
    sandbox.control({"switches": {"station_answer": 0}})  # the far end exists once the station answered
    agent = next(u for u in api.get_users().entities if u.name == "Sam Supervisor")
    assert agent.id
    created = api.create_call_for_user(agent.id, CreateCallRequest(phone_number="+15551234567"))
    assert created.id
    conv = api.get_call(created.id)
    external = conv.participant("external")
    assert external is not None
    assert external.address == "tel:+15551234567"
    assert external.id
    api.disconnect_participant(created.id, external.id)
    after = api.get_call(created.id).participant("external")
    assert after is not None
    assert after.state in ("disconnected", "terminated")


# --------------------------------------------------------------------------- PKCE / user token


def follow(url: str) -> None:
    """The 'browser': follow the authorize redirect to the loopback listener."""
    httpx.get(url, follow_redirects=True, timeout=5)


def test_pkce_login_user_calls_and_sign_out(endpoint: Endpoint, recorder: Recorder) -> None:
    login = PkceLogin(endpoint, "sandbox-pkce", open_browser=follow, timeout=10)
    token = login.run()
    assert login.redirect_uri is not None
    assert login.redirect_uri.startswith("http://127.0.0.1:")
    auth = UserTokenAuth(endpoint, "sandbox-pkce", token)
    with GenesysClient(endpoint, auth, on_exchange=recorder) as user_api:
        me = user_api.get_me()
        assert me.name == "Sam Supervisor"
        call = user_api.create_call(CreateCallRequest(phone_number="+15551234567"))
        assert call.id
        user_api.disconnect_call(call.id)
        user_api.revoke_token()
        auth.sign_out()
        assert not auth.signed_in
        with pytest.raises(LoginError, match="not signed in"):
            user_api.get_me()
    assert token.value.get_secret_value() not in repr([r for r in recorder.records])


def test_pkce_state_mismatch_and_timeout(endpoint: Endpoint) -> None:
    def forged(url: str) -> None:
        # an attacker's redirect with the wrong state reaches the listener first
        query = httpx.URL(url).params
        redirect = query["redirect_uri"]
        httpx.get(f"{redirect}?code=evil&state=wrong", timeout=5)

    with pytest.raises(LoginError, match="wrong state"):
        PkceLogin(endpoint, "sandbox-pkce", open_browser=forged, timeout=5).run()
    start = time.monotonic()
    with pytest.raises(LoginTimeoutError):
        PkceLogin(endpoint, "sandbox-pkce", open_browser=lambda url: None, timeout=0.3).run()
    assert time.monotonic() - start < 3


# --------------------------------------------------------------------------- faults


def test_429_storm_honours_retry_after(sandbox: Any, api: GenesysClient, recorder: Recorder) -> None:
    sandbox.control({"faults": [{"kind": "429", "count": 3, "retry_after": 1, "path": "contactlists"}]})
    page = api.list_contact_lists()
    assert page.page_number == 1
    assert recorder.slept == [1.0, 1.0, 1.0]
    statuses = [r.status for r in recorder.records if "contactlists" in r.url]
    assert statuses == [429, 429, 429, 200]
    assert [r.attempt for r in recorder.records if "contactlists" in r.url] == [0, 1, 2, 3]


def test_429_real_waits_elapse(sandbox: Any, endpoint: Endpoint) -> None:
    sandbox.control({"faults": [{"kind": "429", "count": 2, "retry_after": 1, "path": "organizations"}]})
    with GenesysClient.with_client_credentials(
        endpoint, "sandbox-client", "sandbox-secret", rng=lambda: 0.0
    ) as api:
        start = time.monotonic()
        assert api.get_organization().name == "Sandbox Org"
        elapsed = time.monotonic() - start
    assert api.waits == [1.0, 1.0]
    assert 2.0 <= elapsed < 4.0


def test_503_retried_for_get_not_for_create(sandbox: Any, api: GenesysClient, recorder: Recorder) -> None:
    sandbox.control(
        {"faults": [{"kind": "status", "count": 2, "status": 503, "path": "organizations", "method": "GET"}]}
    )
    assert api.get_organization().name == "Sandbox Org"
    assert recorder.slept == [0.25, 0.5]  # back-off with rng=0
    sandbox.control(
        {"faults": [{"kind": "status", "count": 1, "status": 503, "path": "contactlists$", "method": "POST"}]}
    )
    with pytest.raises(ServerError) as info:
        api.create_contact_list(new_list("Not retried"))
    assert info.value.status_code == 503
    assert info.value.body is not None
    assert info.value.body.code
    assert calls_to(sandbox, "POST", LISTS) == 1


def test_contacts_post_retried_only_with_ids(sandbox: Any, api: GenesysClient) -> None:
    cl = api.create_contact_list(new_list("Upsert retry"))
    assert cl.id
    sandbox.control(
        {"faults": [{"kind": "status", "count": 1, "status": 503, "path": "/contacts$", "method": "POST"}]}
    )
    assert len(api.add_contacts(cl.id, contacts(cl.id, 2))) == 2
    assert calls_to(sandbox, "POST", f"{cl.id}/contacts") == 2
    sandbox.control(
        {"faults": [{"kind": "status", "count": 1, "status": 503, "path": "/contacts$", "method": "POST"}]}
    )
    with pytest.raises(ServerError):
        api.add_contacts(cl.id, contacts(cl.id, 2, with_ids=False))
    assert calls_to(sandbox, "POST", f"{cl.id}/contacts") == 3


def test_dropped_connection(sandbox: Any, api: GenesysClient, recorder: Recorder) -> None:
    sandbox.control({"faults": [{"kind": "drop", "count": 1, "path": "organizations"}]})
    assert api.get_organization().name == "Sandbox Org"
    failed = [r for r in recorder.records if r.status is None]
    assert len(failed) == 1
    assert failed[0].error
    sandbox.control({"faults": [{"kind": "drop", "count": 1, "path": "contactlists$", "method": "POST"}]})
    with pytest.raises(ApiConnectionError):
        api.create_contact_list(new_list("Dropped"))
    assert calls_to(sandbox, "POST", LISTS) == 1


def test_call_creating_post_sent_exactly_once_on_503(sandbox: Any, api: GenesysClient) -> None:
    agent = api.get_users().entities[0]
    assert agent.id
    sandbox.control(
        {"faults": [{"kind": "status", "count": 1, "status": 503, "path": "conversations/calls"}]}
    )
    with pytest.raises(ServerError):
        api.create_call_for_user(agent.id, CreateCallRequest(phone_number="+15551234567"))
    sandbox.control(
        {"faults": [{"kind": "429", "count": 1, "retry_after": 1, "path": "conversations/calls"}]}
    )
    with pytest.raises(Exception, match="429"):
        api.create_call_for_user(agent.id, CreateCallRequest(phone_number="+15551234567"))
    sent = [
        r for r in sandbox_requests(sandbox) if r["method"] == "POST" and "/conversations/calls" in r["path"]
    ]
    assert len(sent) == 2  # one per attempt, none repeated


def test_token_expiry_mid_sequence_reauths_once(sandbox: Any, endpoint: Endpoint, recorder: Recorder) -> None:
    auth = ClientCredentialsAuth(endpoint, "sandbox-client", "sandbox-secret")
    with GenesysClient(endpoint, auth, on_exchange=recorder) as api:
        api.get_organization()
        api.list_contact_lists()
        assert auth.fetch_count == 1
        sandbox.control({"expire_tokens": True})
        api.get_organization()
        api.list_contact_lists()
        api.get_token_info()
    assert auth.fetch_count == 2
    assert [r.status for r in recorder.records if "organizations" in r.url] == [200, 401, 200]
    assert sum(1 for r in recorder.records if r.url.endswith("/oauth/token")) == 2


def test_token_cached_until_shortly_before_expiry(endpoint: Endpoint) -> None:
    now = [0.0]
    auth = ClientCredentialsAuth(
        endpoint, "sandbox-client", "sandbox-secret", clock=lambda: now[0], leeway=60
    )
    with GenesysClient(endpoint, auth) as api:
        api.get_organization()
        now[0] = 86399 - 61
        api.get_organization()
        assert auth.fetch_count == 1
        now[0] = 86399 - 59
        api.get_organization()
        assert auth.fetch_count == 2


def test_bad_secret(endpoint: Endpoint) -> None:
    api = GenesysClient.with_client_credentials(endpoint, "sandbox-client", "wrong")
    with api, pytest.raises(AuthenticationError) as info:
        api.get_organization()
    host = httpx.URL(endpoint.login_base).netloc.decode()
    assert str(info.value).startswith(f"the client id or secret was not accepted by {host}")
    assert "wrong" not in str(info.value)


def test_read_only_client_403_names_permission(endpoint: Endpoint) -> None:
    with GenesysClient.with_client_credentials(endpoint, "sandbox-readonly", "readonly-secret") as api:
        assert api.list_contact_lists().page_number == 1
        with pytest.raises(PermissionDeniedError) as info:
            api.create_contact_list(new_list("Forbidden"))
    assert "outbound:contactList:add" in info.value.missing_permissions
    assert "outbound:contactList:add" in info.value.detail


def test_cancel_interrupts_retry_wait(sandbox: Any, endpoint: Endpoint) -> None:
    sandbox.control({"faults": [{"kind": "429", "count": 1, "retry_after": 30, "path": "organizations"}]})
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with GenesysClient.with_client_credentials(
        endpoint, "sandbox-client", "sandbox-secret", cancel=cancel
    ) as api:
        start = time.monotonic()
        with pytest.raises(Cancelled):
            api.get_organization()
    assert time.monotonic() - start < 5


def test_pacer_fed_by_responses(sandbox: Any, endpoint: Endpoint) -> None:
    sandbox.control({"rate_limit": 4})
    clock_sleeps: list[float] = []
    pacer = Pacer(reserve=1, sleep=clock_sleeps.append)
    with GenesysClient.with_client_credentials(
        endpoint, "sandbox-client", "sandbox-secret", pacer=pacer
    ) as api:
        for _ in range(3):
            api.get_organization()
        assert api.rate_limit is not None
        assert api.rate_limit.allowed == 4
        api.get_organization()  # budget at the reserve: the pacer waits for the window instead of a 429
    assert clock_sleeps
    assert 0 < clock_sleeps[0] <= 61


# --------------------------------------------------------------------------- redaction


def test_no_secret_or_token_in_any_record(sandbox: Any, endpoint: Endpoint, recorder: Recorder) -> None:
    auth = ClientCredentialsAuth(endpoint, "sandbox-client", "sandbox-secret")
    with GenesysClient(endpoint, auth, on_exchange=recorder) as api:
        api.get_organization()
        sandbox.control({"expire_tokens": True})
        api.get_organization()
        cl = api.create_contact_list(new_list("Redaction"))
        assert cl.id
        api.add_contacts(cl.id, contacts(cl.id, 1))
    with (
        GenesysClient.with_client_credentials(
            endpoint, "sandbox-client", "bad-secret-value", on_exchange=recorder
        ) as bad,
        pytest.raises(AuthenticationError),
    ):
        bad.get_organization()
    token = auth.token
    assert token is not None
    secrets = {
        "sandbox-secret",
        "bad-secret-value",
        token.value.get_secret_value(),
        base64.b64encode(b"sandbox-client:sandbox-secret").decode(),
    }
    assert any(r.url.endswith("/oauth/token") for r in recorder.records)
    for record in recorder.records:
        text = repr(record) + record.to_curl()
        for secret in secrets:
            assert secret not in text
    token_answer = next(r for r in recorder.records if r.url.endswith("/oauth/token") and r.status == 200)
    assert token_answer.response_body is not None
    assert "[REDACTED]" in token_answer.response_body
    assert "$GENESYS_TOKEN" in next(r for r in recorder.records if "organizations" in r.url).to_curl()
