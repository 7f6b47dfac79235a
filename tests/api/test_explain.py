"""The error catalog: every entry provoked from the sandbox over HTTP, and its fix checked.

Each case makes the sandbox fail the way a supervisor would meet it, then asserts that
:func:`console.api.explain.explain` picks the right entry and that the fix names what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from console.api import Endpoint, GenesysClient
from console.api.auth import PkceLogin
from console.api.errors import ApiError, ApiStatusError, ConsoleError, CredentialsError, LoginError
from console.api.explain import CATALOG, ErrorFacts, ImportFailedError, explain, facts_of
from console.api.models import (
    ContactList,
    ContactPhoneNumberColumn,
    CreateCallRequest,
    ErrorBody,
    WritableDialerContact,
)

Provoke = Callable[[Any, Endpoint], object]


def _list(name: str = "Explain list") -> ContactList:
    return ContactList(
        name=name,
        column_names=["Id", "Name", "Mobile"],
        phone_columns=[ContactPhoneNumberColumn(column_name="Mobile", type="cell")],
    )


def _client(
    endpoint: Endpoint, client_id: str = "sandbox-client", secret: str = "sandbox-secret"
) -> GenesysClient:
    return GenesysClient.with_client_credentials(endpoint, client_id, secret, max_retries=0)


def _raised(fn: Callable[[], object]) -> ConsoleError:
    try:
        fn()
    except ConsoleError as exc:
        return exc
    raise AssertionError("the sandbox did not refuse")


def _with(endpoint: Endpoint, fn: Callable[[GenesysClient], object], **kw: str) -> ConsoleError:
    with _client(endpoint, **kw) as api:
        return _raised(lambda: fn(api))


def _fault(sb: Any, status: int, method: str = "GET", count: int = 1) -> bool:
    """Inject a status fault; returns True so it can sit in a lambda's tuple."""
    return bool(
        sb.control({"faults": [{"kind": "status", "status": status, "count": count, "method": method}]})
        or True
    )


def _sam(api: GenesysClient) -> str:
    user = next(u for u in api.get_users().entities if u.name == "Sam Supervisor")
    assert user.id
    return user.id


def _call(api: GenesysClient, **kw: Any) -> object:
    return api.create_call_for_user(_sam(api), CreateCallRequest(**kw))


def _import(sb: Any, endpoint: Endpoint, csv: bytes, id_column: str = "Id") -> object:
    sb.control({"import_delay": 0})
    with _client(endpoint) as api:
        created = api.create_contact_list(_list("Import target"))
        assert created.id
        api.upload_contacts_csv(created.id, csv, id_column)
        status = api.wait_for_import(created.id, poll_interval=0.05, timeout=10)
        assert status.is_failed, status
        return ImportFailedError(created.id, status)


def _tampered_code_browser(url: str) -> None:
    """A 'browser' that returns to the console with a forged code but the right state."""
    answer = httpx.get(url, follow_redirects=False, timeout=5)
    target = httpx.URL(answer.headers["location"])
    params = dict(target.params)
    params["code"] = "forged-code"
    httpx.get(target.copy_with(params=params), timeout=5)


def _pkce(endpoint: Endpoint, browser: Callable[[str], object], timeout: float = 5) -> ConsoleError:
    return _raised(lambda: PkceLogin(endpoint, "sandbox-pkce", open_browser=browser, timeout=timeout).run())


def _update(api: GenesysClient, **changes: Any) -> object:
    created = api.create_contact_list(_list("Update me"))
    return api.update_contact_list(created.model_copy(update=changes))


def _fill_lists(sb: Any) -> bool:
    with sb.state.lock:
        seed = {"name": "filler", "columnNames": ["A"], "version": 1}
        for i in range(1000 - len(sb.state.lists)):
            sb.state.lists[f"filler-{i}"] = {**seed, "id": f"filler-{i}", "name": f"filler {i}"}
    return True


def _contacts(n: int, list_id: str, **data: str) -> list[WritableDialerContact]:
    return [
        WritableDialerContact(
            id=str(i),
            contact_list_id=list_id,
            data={"Id": str(i), "Name": "N", "Mobile": "+15551230000", **data},
        )
        for i in range(n)
    ]


def _add(api: GenesysClient, n: int, **data: str) -> object:
    created = api.create_contact_list(_list("Contacts"))
    assert created.id
    return api.add_contacts(created.id, _contacts(n, created.id, **data))


def _add_missing(api: GenesysClient) -> object:
    created = api.create_contact_list(_list("Contacts missing"))
    assert created.id
    item = WritableDialerContact(id="1", contact_list_id=created.id, data={"Id": "1"})
    return api.add_contacts(created.id, [item])


def _participant_error(sb: Any, api: GenesysClient) -> object:
    created = api.create_call_for_user(_sam(api), CreateCallRequest(phone_number="12345"))
    assert created.id
    sb.control({"advance_clock": 30})  # the ring time passes on the sandbox clock
    ext = api.get_call(created.id).participant("external")
    assert ext is not None
    assert ext.error_info is not None, "no errorInfo"
    return ext.error_info


def _anonymous(ep: Endpoint) -> ConsoleError:
    with GenesysClient(ep, httpx.Auth()) as api:
        return _raised(api.get_organization)


def _fail_later(sb: Any, ep: Endpoint) -> object:
    switches = {"call_bad_number": "fail_later", "call_connect_after": "30", "station_answer": 0}
    sb.control({"switches": switches})
    with _client(ep) as api:
        return _participant_error(sb, api)


def _station_timeout(sb: Any, ep: Endpoint) -> object:
    sb.control({"switches": {"station_answer": "never", "station_timeout": 0}})
    with _client(ep) as api:
        created = api.create_call_for_user(_sam(api), CreateCallRequest(phone_number="+15551234567"))
        assert created.id
        caller = api.get_call(created.id).participant("user")
        assert caller is not None
        assert caller.error_info is not None
        return caller.error_info


# (catalog key, provoke(sandbox, endpoint) -> error, words the fix must contain)
CASES: list[tuple[str, Provoke, tuple[str, ...]]] = [
    (
        "oauth.invalid_client",
        lambda sb, ep: _with(ep, lambda a: a.get_organization(), secret="wrong"),
        ("Client ID", "client secret", "Ctrl+T"),
    ),
    (
        "oauth.invalid_grant",
        lambda sb, ep: _pkce(ep, _tampered_code_browser),
        ("Sign in again", "redirect URI"),
    ),
    (
        "oauth.other",
        lambda sb, ep: _with(
            ep, lambda a: a.get_organization(), client_id="sandbox-code", secret="code-secret"
        ),
        ("grant type",),
    ),
    (
        "user.context",
        lambda sb, ep: _with(ep, lambda a: a.create_call(CreateCallRequest(phone_number="+15551234567"))),
        ("Sign in as a user", "/calls/user/{userId}"),
    ),
    (
        "user.context",
        lambda sb, ep: (
            sb.control({"switches": {"client_credentials_user_call": "403"}}),
            _with(ep, lambda a: a.create_call(CreateCallRequest(phone_number="+15551234567"))),
        )[1],
        ("Sign in as a user",),
    ),
    (
        "cannot.update.phone.columns",
        lambda sb, ep: _with(
            ep, lambda a: _update(a, phone_columns=[ContactPhoneNumberColumn(column_name="Id", type="home")])
        ),
        ("Keep phoneColumns", "create a new list"),
    ),
    (
        "cannot.update.column.names",
        lambda sb, ep: _with(ep, lambda a: _update(a, column_names=["Id", "Name", "Mobile", "Extra"])),
        ("Keep columnNames",),
    ),
    (
        "duplicate.name",
        lambda sb, ep: _with(ep, lambda a: [a.create_contact_list(_list("Twice")) for _ in range(2)]),
        ("another name",),
    ),
    (
        "duplicate.name",
        lambda sb, ep: (
            sb.control({"switches": {"duplicate_list_name": "409"}}),
            _with(ep, lambda a: [a.create_contact_list(_list("Twice")) for _ in range(2)]),
        )[1],
        ("another name",),
    ),
    ("version.mismatch", lambda sb, ep: _with(ep, lambda a: _update(a, version=0)), ("Reload the list",)),
    (
        "version.mismatch",
        lambda sb, ep: (
            sb.control({"switches": {"version_mismatch": "400"}}),
            _with(ep, lambda a: _update(a, version=0)),
        )[1],
        ("Reload the list",),
    ),
    ("contacts.cap", lambda sb, ep: _with(ep, lambda a: _add(a, 1001)), ("1,000 or fewer",)),
    (
        "contacts.cap",
        lambda sb, ep: (
            sb.control({"switches": {"contacts_cap_status": "413"}}),
            _with(ep, lambda a: _add(a, 1001)),
        )[1],
        ("1,000 or fewer",),
    ),
    (
        "limit.exceeded",
        lambda sb, ep: (_fill_lists(sb), _with(ep, lambda a: a.create_contact_list(_list("One more"))))[1],
        ("Delete lists",),
    ),
    (
        "contact.unknown.column",
        lambda sb, ep: _with(ep, lambda a: _add(a, 1, Fax="1")),
        ("Rename the CSV column",),
    ),
    (
        "contact.missing.columns",
        lambda sb, ep: (
            sb.control({"switches": {"missing_contact_columns": "reject"}}),
            _with(ep, _add_missing),
        )[1],
        ("Add the missing columns",),
    ),
    (
        "missing.permission",
        lambda sb, ep: _with(
            ep,
            lambda a: a.create_contact_list(_list("Nope")),
            client_id="sandbox-readonly",
            secret="readonly-secret",
        ),
        ("outbound:contactList:add", "Admin > Integrations > OAuth"),
    ),
    (
        "not.authorized",
        lambda sb, ep: (_fault(sb, 403), _with(ep, lambda a: a.get_organization()))[1],
        ("Roles",),
    ),
    (
        "call.invalid.number",
        lambda sb, ep: _with(ep, lambda a: _call(a, phone_number="12345")),
        ("country code",),
    ),
    ("call.invalid.number", lambda sb, ep: _fail_later(sb, ep), ("country code",)),
    ("call.station.timeout", lambda sb, ep: _station_timeout(sb, ep), ("auto-answer",)),
    (
        "call.caller.id",
        lambda sb, ep: _with(ep, lambda a: _call(a, phone_number="+15551234567", caller_id="5")),
        ("caller id",),
    ),
    (
        "call.unsupported.field",
        lambda sb, ep: _with(ep, lambda a: _call(a, phone_number="+15551234567", call_queue_id="q")),
        ("callQueueId",),
    ),
    (
        "invalid.value",
        lambda sb, ep: _with(
            ep, lambda a: a.send_raw("GET", "/api/v2/outbound/contactlists?filterType=Nope")
        ),
        ("filterType", "allowable values"),
    ),
    (
        "invalid.date",
        lambda sb, ep: _with(
            ep,
            lambda a: a.send_raw(
                "POST",
                "/api/v2/outbound/contactlists",
                {
                    "name": "Dated",
                    "columnNames": ["Id", "Mobile"],
                    "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
                    "dateExpiration": "next tuesday",
                },
            ),
        ),
        ("dateExpiration", "2025-01-31T12:00:00.000Z"),
    ),
    (
        "bad.credentials",
        lambda sb, ep: (_fault(sb, 401, count=3), _with(ep, lambda a: a.get_organization()))[1],
        ("Ctrl+T", "sign in again"),
    ),
    ("authentication.required", lambda sb, ep: _anonymous(ep), ("Test the connection",)),
    ("not.found", lambda sb, ep: _with(ep, lambda a: a.get_call("no-such-call")), ("Reload",)),
    (
        "method.not.allowed",
        lambda sb, ep: _with(ep, lambda a: a.send_raw("DELETE", "/api/v2/organizations/me")),
        ("method the API reference gives",),
    ),
    (
        "request.timeout",
        lambda sb, ep: (_fault(sb, 504), _with(ep, lambda a: a.get_organization()))[1],
        ("try again",),
    ),
    (
        "request.timeout",
        lambda sb, ep: (_fault(sb, 408), _with(ep, lambda a: a.get_organization()))[1],
        ("try again",),
    ),
    (
        "too.large",
        lambda sb, ep: (_fault(sb, 413), _with(ep, lambda a: a.get_organization()))[1],
        ("smaller chunks",),
    ),
    (
        "unsupported.media.type",
        lambda sb, ep: (_fault(sb, 415), _with(ep, lambda a: a.get_organization()))[1],
        ("application/json",),
    ),
    (
        "too.many.requests",
        lambda sb, ep: (
            sb.control({"faults": [{"kind": "429", "count": 1, "retry_after": 7}]}),
            _with(ep, lambda a: a.get_organization()),
        )[1],
        ("Wait 7 s",),
    ),
    (
        "server.error",
        lambda sb, ep: (_fault(sb, 500), _with(ep, lambda a: a.get_organization()))[1],
        ("correlation id",),
    ),
    (
        "server.error",
        lambda sb, ep: (_fault(sb, 503), _with(ep, lambda a: a.get_organization()))[1],
        ("correlation id",),
    ),
    (
        "import.CONTACT_COLUMNS_LIMIT_EXCEEDED",
        lambda sb, ep: _import(
            sb,
            ep,
            (
                ",".join(["Id", "Name", "Mobile", *[f"C{i}" for i in range(60)]])
                + "\n"
                + ",".join(["1"] * 63)
                + "\n"
            ).encode(),
        ),
        ("at most 50",),
    ),
    (
        "import.IMPORT_MISSING_CUSTOM_ID",
        lambda sb, ep: _import(sb, ep, b"Id,Name,Mobile\n,A,+15551230001\n"),
        ("id column",),
    ),
    (
        "import.IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST",
        lambda sb, ep: _import(sb, ep, b"Id,Name\n1,A\n"),
        ("every column of the list",),
    ),
    ("import.IMPORT_FAILED_TO_READ_HEADERS", lambda sb, ep: _import(sb, ep, b""), ("header row",)),
    (
        "import.IMPORT_FAILED_TO_READ_HEADERS",
        lambda sb, ep: _import(sb, ep, "Id,Name,Mobile\n1,Br\u00fbl\u00e9,+15551230001\n".encode("cp1252")),
        ("CSV UTF-8",),
    ),
    (
        "connection",
        lambda sb, ep: (
            sb.control({"faults": [{"kind": "drop", "count": 1}]}),
            _with(ep, lambda a: a.get_organization()),
        )[1],
        ("region",),
    ),
    ("login.timeout", lambda sb, ep: _pkce(ep, lambda url: None, timeout=0.3), ("Sign in again",)),
    (
        "login",
        lambda sb, ep: _pkce(
            ep,
            lambda url: httpx.get(f"{httpx.URL(url).params['redirect_uri']}?code=x&state=wrong", timeout=5),
        ),
        ("PKCE client id",),
    ),
    (
        "bad.request.field",
        lambda sb, ep: _with(ep, lambda a: a.create_contact_list(_list("   "))),
        ("Correct name",),
    ),
    (
        "bad.request",
        lambda sb, ep: _with(
            ep, lambda a: a.send_raw("POST", "/api/v2/outbound/contactlists/x/contacts", {"not": "a list"})
        ),
        ("Correct the request",),
    ),
]


@pytest.fixture
def endpoint(sandbox: Any) -> Endpoint:
    return Endpoint.custom(sandbox.url)


@pytest.mark.parametrize(
    ("key", "provoke", "fix_words"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_catalog_entry_provoked_from_sandbox(
    sandbox: Any, endpoint: Endpoint, key: str, provoke: Provoke, fix_words: tuple[str, ...]
) -> None:
    error = provoke(sandbox, endpoint)
    explanation = explain(error)
    assert explanation.key == key, (explanation, error)
    for word in fix_words:
        assert word.lower() in explanation.fix.lower(), (word, explanation.fix)
    assert "{" not in explanation.summary.replace("{userId}", ""), explanation.summary


def test_every_catalog_entry_is_provoked_or_listed_as_local() -> None:
    provoked = {c[0] for c in CASES}
    # not producible over HTTP: below (proxy.gateway: tests/api/test_transport.py)
    local = {"import.failed", "credentials", "credentials.expired", "proxy.gateway"}
    local |= set(LOCAL_IMPORT_REASONS.values())  # reasons the sandbox never gives: test_import_reasons
    assert {e.key for e in CATALOG} == provoked | local


#: Import reasons the sandbox does not produce, decoded from the reason alone.
LOCAL_IMPORT_REASONS = {
    "IMPORT_TOO_MANY_COLUMNS": "import.IMPORT_TOO_MANY_COLUMNS",
    "IMPORT_INVALID_CUSTOM_ID": "import.IMPORT_INVALID_CUSTOM_ID",
    "IMPORT_ENTRY_DOES_NOT_ALIGN_WITH_HEADERS": "import.IMPORT_COULD_NOT_PARSE_AN_ENTRY",
    "IMPORT_DATUM_EXCEEDS_LENGTH_LIMIT": "import.IMPORT_DATUM_EXCEEDS_LENGTH_LIMIT",
    "IMPORT_LIST_NO_LONGER_EXISTS": "import.IMPORT_LIST_NO_LONGER_EXISTS",
    "EXCEEDED_CONTACT_LIMIT": "import.EXCEEDED_CONTACT_LIMIT",
}


@pytest.mark.parametrize(("reason", "key"), LOCAL_IMPORT_REASONS.items())
def test_import_reasons(reason: str, key: str) -> None:
    assert explain(reason).key == key
    assert "import" in explain(reason).fix.lower()


def test_every_import_entry_is_an_sdk_event_code() -> None:
    import inspect
    import re

    from PureCloudPlatformClientV2.models import event_message

    found = re.search(r"allowed_values = \[([^\]]*)\]", inspect.getsource(event_message))
    assert found is not None
    codes = set(re.findall(r'"([A-Z_]+)"', found.group(1)))
    keys = {e.key.removeprefix("import.") for e in CATALOG if e.key.startswith("import.")} - {"failed"}
    assert keys <= codes
    assert not keys & {"MISSING_CUSTOM_ID", "MISSING_COLUMNS", "EMPTY_FILE", "INVALID_FILE"}


@pytest.mark.parametrize(
    ("error", "key", "word"),
    [
        ("SOMETHING_NEW", "import.failed", "import again"),
        (CredentialsError("no secret"), "credentials", "Ctrl+P"),
        # the sandbox never answers credentials.expired (genesys-api.md §1.7: when it is used is unknown)
        (
            ErrorBody(code="credentials.expired", status=401, message="expired"),
            "credentials.expired",
            "Sign in",
        ),
        (RuntimeError("boom"), "unknown", "correlation id"),
    ],
)
def test_local_entries(error: object, key: str, word: str) -> None:
    assert explain(error).key == key
    assert word.lower() in explain(error).fix.lower()


def test_facts_carry_fields_permissions_and_params(sandbox: Any, endpoint: Endpoint) -> None:
    error = _with(endpoint, lambda a: _call(a, phone_number="12345"))
    facts = facts_of(error)
    assert facts.fields == ("phoneNumber",)
    assert facts.params == {"phoneNumber": "12345"}
    assert facts.method == "POST"
    assert facts.path is not None
    assert facts.path.startswith("/api/v2/conversations/calls/user/")
    assert "[12345]" in facts.message
    assert isinstance(facts, ErrorFacts)
    assert isinstance(error, ApiError)


def test_pkce_error_is_login_error(endpoint: Endpoint) -> None:
    assert isinstance(_pkce(endpoint, lambda url: None, timeout=0.2), LoginError)


# -- the catalog is sourced (issue 15 item 7) -------------------------------------------------


def test_every_catalog_entry_names_its_source_or_is_sandbox_only() -> None:
    """Each CatalogEntry block (comments above it and its own lines) has a source or sandbox-only line."""
    import ast
    from pathlib import Path

    import console.api.explain as module

    text = Path(module.__file__).read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    catalog = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "CATALOG"
    )
    assert isinstance(catalog, ast.Tuple)
    unsourced: list[str] = []
    start = catalog.lineno  # the block of the first entry starts after "CATALOG = ("
    for element in catalog.elts:
        assert isinstance(element, ast.Call)
        key = element.args[0]
        assert isinstance(key, ast.Constant)
        assert element.end_lineno is not None
        block = lines[start : element.end_lineno]
        if not any(line.strip().startswith(("# source:", "# sandbox-only")) for line in block):
            unsourced.append(str(key.value))
        start = element.end_lineno
    assert len(catalog.elts) == len(CATALOG)
    assert unsourced == []


def test_the_429_entry_matches_the_normalized_code() -> None:
    body = ErrorBody(code="too.many.requests.retry.after", message="Rate limit exceeded the maximum.")
    assert explain(body).key == "too.many.requests"


_HUGE = "x" * 2_000_000

ODD_BODIES: list[tuple[str, bytes, str]] = [
    (
        "non-string messageParams",
        b'{"code":"bad.request","status":400,"messageParams":{"max":1000,"n":null}}',
        "json",
    ),
    (
        "messageParams a list",
        b'{"code":"bad.request","messageParams":[1,2],"details":"oops","errors":{}}',
        "json",
    ),
    ("status a string", b'{"status":"four hundred","message":["a","b"],"code":7}', "json"),
    ("html", b"<!DOCTYPE html><html><body><h1>400 Bad Request</h1></body></html>", "text/html"),
    ("empty", b"", "json"),
    ("json array", b'[{"code":"bad.request"}]', "json"),
    ("json string", b'"just a string"', "json"),
    ("not json", b"{not json", "json"),
    ("huge", b'{"code":"bad.request","message":"' + _HUGE.encode() + b'"}', "json"),
]


@pytest.mark.parametrize(("name", "content", "ctype"), ODD_BODIES, ids=[c[0] for c in ODD_BODIES])
@pytest.mark.parametrize("status", [400, 502])
def test_odd_error_bodies_are_explained_never_raised(
    name: str, content: bytes, ctype: str, status: int
) -> None:
    """The catalog path decodes whatever came back (ErrorBody.lenient) and always gives an explanation."""
    request = httpx.Request("POST", "https://api.example.test/api/v2/outbound/contactlists")
    headers = {"Content-Type": "application/json" if ctype == "json" else ctype}
    response = httpx.Response(status, content=content, headers=headers, request=request)
    error = ApiStatusError.from_response(response)
    explanation = explain(error)
    assert explanation.key in {e.key for e in CATALOG}
    assert explanation.facts.status == status
    assert explanation.text()


@pytest.mark.parametrize(
    "data",
    [
        {"code": "bad.request", "status": 400, "messageParams": {"max": 1000}},
        {"code": ["not", "a", "string"], "status": "400", "details": 5},
        {},
        {"message": _HUGE},
    ],
    ids=["non-string params", "wrong types", "empty", "huge"],
)
def test_raw_error_body_dicts_are_decoded_leniently(data: dict[str, Any]) -> None:
    explanation = explain(data)
    assert explanation.facts.kind == "status"
    assert explanation.text()
