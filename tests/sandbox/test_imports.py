"""CSV import (§6): legacy multipart and presigned flows, async status, failure reasons."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from console.sandbox import Sandbox
from tests.sandbox.sandbox_helpers import assert_error

LISTS = "/api/v2/outbound/contactlists"
CSV = (
    b"contactid,FIRSTNAME,mobile,email,zip,extra\r\n"
    b"1,Ann,+15555550100,a@x.example,02134,x\r\n"
    b"2, Bob ,+15555550101,,,y\r\n"
)


@pytest.fixture
def cl(sb: Sandbox, make_list: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    sb.control({"import_delay": 0.2})
    return make_list()


def wait_done(api: httpx.Client, list_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = api.get(f"{LISTS}/{list_id}/importstatus").json()
        if status.get("state") != "IN_PROGRESS" or (
            status["percentComplete"] == 100 and status["totalRecords"]
        ):
            return dict(status)
        time.sleep(0.02)
    raise AssertionError("import did not finish")


def wait_status(api: httpx.Client, list_id: str, expected: dict[str, Any]) -> None:
    """Poll importstatus until it equals ``expected`` (the lag shows the previous status first)."""
    deadline = time.monotonic() + 5
    while api.get(f"{LISTS}/{list_id}/importstatus").json() != expected:
        assert time.monotonic() < deadline, "the status never changed"


def legacy(api: httpx.Client, list_id: str, data: bytes, id_name: str | None = "ContactId") -> httpx.Response:
    fields = {"id": list_id, "fileType": "contactlist"}
    if id_name:
        fields["contact-id-name"] = id_name
    return api.post(
        "/uploads/v2/contactlist", data=fields, files={"file": ("contacts.csv", data, "text/csv")}
    )


def test_legacy_upload_runs_asynchronously(api: httpx.Client, cl: dict[str, Any]) -> None:
    r = legacy(api, cl["id"], CSV)
    assert r.status_code == 200, r.text
    assert r.headers["inin-ratelimit-allowed"] == "300"
    first = api.get(f"{LISTS}/{cl['id']}/importstatus").json()
    assert first["state"] == "IN_PROGRESS"
    assert first["totalRecords"] == 2
    assert wait_done(api, cl["id"]) == {"totalRecords": 2, "completedRecords": 2, "percentComplete": 100}
    bob = api.get(f"{LISTS}/{cl['id']}/contacts/2").json()
    assert bob["data"] == {
        "ContactId": "2",
        "FirstName": "Bob",
        "Mobile": "+15555550101",
        "Email": "",
        "Zip": "",
    }
    listed = api.get(
        f"{LISTS}/{cl['id']}", params={"includeImportStatus": "true", "includeSize": "true"}
    ).json()
    assert listed["size"] == 2
    assert listed["importStatus"]["percentComplete"] == 100


def test_reimport_upserts_by_id(api: httpx.Client, cl: dict[str, Any]) -> None:
    legacy(api, cl["id"], CSV)
    wait_done(api, cl["id"])
    legacy(api, cl["id"], CSV.replace(b"Ann", b"Anne"))
    wait_done(api, cl["id"])
    assert api.get(f"{LISTS}/{cl['id']}/contacts/1").json()["data"]["FirstName"] == "Anne"
    assert api.get(f"{LISTS}/{cl['id']}", params={"includeSize": "true"}).json()["size"] == 2


def test_in_progress_100_shape(sb: Sandbox, api: httpx.Client, cl: dict[str, Any]) -> None:
    sb.control({"switches": {"import_success_shape": "in_progress_100"}, "import_delay": 3600})
    legacy(api, cl["id"], CSV)
    assert api.get(f"{LISTS}/{cl['id']}/importstatus").json()["percentComplete"] < 100
    sb.control({"advance_clock": 3600})  # an hour-long import finishes when the sandbox clock moves
    status = wait_done(api, cl["id"])
    assert status == {
        "state": "IN_PROGRESS",
        "totalRecords": 2,
        "completedRecords": 2,
        "percentComplete": 100,
    }


@pytest.mark.parametrize(
    ("data", "id_name", "reason"),
    [
        (b",".join(b"c%d" % i for i in range(51)) + b"\n", None, "CONTACT_COLUMNS_LIMIT_EXCEEDED"),
        (b"ContactId,FirstName,Mobile,Email\n1,a,b,c\n", None, "IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST"),
        (CSV, "CustomerNo", "IMPORT_MISSING_CUSTOM_ID"),
        (CSV.replace(b"\r\n2,", b"\r\n,"), "ContactId", "IMPORT_MISSING_CUSTOM_ID"),
        (b"", None, "IMPORT_FAILED_TO_READ_HEADERS"),
        (b"\xff\xfe\x00bad", None, "IMPORT_FAILED_TO_READ_HEADERS"),
    ],
)
def test_failed_imports(
    api: httpx.Client, cl: dict[str, Any], data: bytes, id_name: str | None, reason: str
) -> None:
    assert legacy(api, cl["id"], data, id_name).status_code == 200
    status = wait_done(api, cl["id"])
    assert status["state"] == "FAILED"
    assert status["failureReason"] == reason
    assert reason in SDK_EVENT_CODES
    assert api.get(f"{LISTS}/{cl['id']}", params={"includeSize": "true"}).json()["size"] == 0
    events = api.get("/api/v2/outbound/events").json()
    assert events["total"] == 1
    entry = events["entities"][0]
    assert entry["eventMessage"]["code"] == reason
    assert entry["category"] == "IMPORT_ERROR"
    assert entry["level"] == "ERROR"
    assert entry["errorEntity"]["id"] == cl["id"]
    assert entry["correlationId"]


def _sdk_event_codes() -> frozenset[str]:
    """The outbound event code enum of the SDK (models/event_message.py, ``code`` setter)."""
    import inspect
    import re

    from PureCloudPlatformClientV2.models import event_message

    found = re.search(r"allowed_values = \[([^\]]*)\]", inspect.getsource(event_message))
    assert found is not None
    return frozenset(re.findall(r'"([A-Z_]+)"', found.group(1)))


SDK_EVENT_CODES = _sdk_event_codes()


def test_every_failure_reason_is_an_sdk_event_code() -> None:
    import re
    from pathlib import Path

    from console.sandbox import imports

    reasons = set(re.findall(r'ImportFailedError\(\s*"([A-Z_]+)"', Path(imports.__file__).read_text()))
    assert len(reasons) >= 5
    assert reasons <= SDK_EVENT_CODES


def test_status_shows_the_previous_import_during_the_lag(
    sb: Sandbox, api: httpx.Client, cl: dict[str, Any]
) -> None:
    assert legacy(api, cl["id"], b"", None).status_code == 200
    old = wait_done(api, cl["id"])
    assert old["failureReason"] == "IMPORT_FAILED_TO_READ_HEADERS"
    sb.control({"switches": {"import_lag": "3600"}})
    assert legacy(api, cl["id"], CSV).status_code == 200
    for _ in range(3):  # an hour of lag: every reading is still the old failure
        assert api.get(f"{LISTS}/{cl['id']}/importstatus").json() == old
    assert api.get(f"{LISTS}/{cl['id']}", params={"includeSize": "true"}).json()["size"] == 0
    assert_error(legacy(api, cl["id"], CSV), 400, "bad.request", "already in progress")


def test_status_changes_once_the_lag_has_passed(sb: Sandbox, api: httpx.Client, cl: dict[str, Any]) -> None:
    sb.control({"switches": {"import_lag": "0.05"}})
    assert legacy(api, cl["id"], CSV).status_code == 200
    wait_status(api, cl["id"], {"totalRecords": 2, "completedRecords": 2, "percentComplete": 100})


def test_presigned_import_starts_only_when_the_put_lands(
    sb: Sandbox, api: httpx.Client, cl: dict[str, Any]
) -> None:
    up = api.post(
        f"{LISTS}/uploads", json={"id": cl["id"], "contentType": "text/csv", "contactIdName": "ContactId"}
    ).json()
    never = {"totalRecords": 0, "completedRecords": 0, "percentComplete": 100}
    assert api.get(f"{LISTS}/{cl['id']}/importstatus").json() == never
    assert httpx.put(up["url"], content=CSV, headers=up["headers"]).status_code == 200
    wait_status(api, cl["id"], {"totalRecords": 2, "completedRecords": 2, "percentComplete": 100})


def test_status_never_updates_while_the_list_fills(
    sb: Sandbox, api: httpx.Client, cl: dict[str, Any]
) -> None:
    sb.control({"switches": {"import_status_updates": "never"}})
    never = {"totalRecords": 0, "completedRecords": 0, "percentComplete": 100}
    assert legacy(api, cl["id"], CSV).status_code == 200
    deadline = time.monotonic() + 5
    while api.get(f"{LISTS}/{cl['id']}", params={"includeSize": "true"}).json()["size"] < 2:
        assert api.get(f"{LISTS}/{cl['id']}/importstatus").json() == never
        assert time.monotonic() < deadline
    assert api.get(f"{LISTS}/{cl['id']}/importstatus").json() == never


def test_a_failure_under_never_still_lands_in_the_event_log(
    sb: Sandbox, api: httpx.Client, cl: dict[str, Any]
) -> None:
    sb.control({"switches": {"import_status_updates": "never"}})
    r = legacy(api, cl["id"], CSV, "CustomerNo")
    deadline = time.monotonic() + 5
    while not (events := api.get("/api/v2/outbound/events", params={"category": "IMPORT_ERROR"}).json())[
        "total"
    ]:
        assert time.monotonic() < deadline
    entry = events["entities"][0]
    assert entry["eventMessage"]["code"] == "IMPORT_MISSING_CUSTOM_ID"
    assert entry["correlationId"] == r.headers["inin-correlation-id"]
    assert "state" not in api.get(f"{LISTS}/{cl['id']}/importstatus").json()


def test_events_paging_and_filters(api: httpx.Client) -> None:
    assert api.get("/api/v2/outbound/events").json()["entities"] == []
    assert_error(api.get("/api/v2/outbound/events", params={"level": "LOUD"}), 400, "bad.request", "level")
    assert_error(api.get("/api/v2/outbound/events", params={"pageSize": "0"}), 400, "bad.request")


def test_import_switches_are_validated(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="import_lag"):
        sb.control({"switches": {"import_lag": "-1"}})
    with pytest.raises(ValueError, match="import_status_updates"):
        sb.control({"switches": {"import_status_updates": "sometimes"}})


def test_legacy_upload_errors(api: httpx.Client, cl: dict[str, Any]) -> None:
    assert_error(legacy(api, "nope", CSV), 404, "not.found")
    r = api.post("/uploads/v2/contactlist", data={"id": cl["id"], "fileType": "contactlist"})
    assert r.status_code in (400, 415)
    r = api.post(
        "/uploads/v2/contactlist", data={"id": cl["id"], "fileType": "dnclist"}, files={"file": ("a", b"x")}
    )
    assert_error(r, 400, "bad.request", "fileType")
    legacy(api, cl["id"], CSV)
    assert_error(legacy(api, cl["id"], CSV), 400, "bad.request", "already in progress")
    assert_error(
        httpx.post(f"{api.base_url}/uploads/v2/contactlist", data={}), 401, "authentication.required"
    )


def presign(api: httpx.Client, list_id: str, **extra: Any) -> httpx.Response:
    body = {"id": list_id, "contentType": "text/csv", "contactIdName": "ContactId", **extra}
    return api.post(f"{LISTS}/uploads", json=body)


def test_presigned_upload(api: httpx.Client, cl: dict[str, Any]) -> None:
    r = presign(api, cl["id"])
    assert r.status_code == 200, r.text
    up = r.json()
    assert set(up) == {"url", "uploadKey", "headers"}
    assert up["headers"]["Content-Type"] == "text/csv"
    assert any(h.startswith("x-amz-meta-") for h in up["headers"])
    put = httpx.put(up["url"], content=CSV, headers=up["headers"])
    assert put.status_code == 200, put.text
    assert wait_done(api, cl["id"])["completedRecords"] == 2
    assert api.get(f"{LISTS}/{cl['id']}/contacts/1").json()["data"]["FirstName"] == "Ann"


@pytest.mark.parametrize("drop", ["Content-Type", "x-amz-meta-contactlistid", "x-amz-meta-contactidname"])
def test_presigned_put_insists_on_headers(api: httpx.Client, cl: dict[str, Any], drop: str) -> None:
    up = presign(api, cl["id"]).json()
    headers = {k: v for k, v in up["headers"].items() if k != drop}
    if drop == "Content-Type":
        headers["Content-Type"] = "application/octet-stream"
    put = httpx.put(up["url"], content=CSV, headers=headers)
    assert put.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in put.content
    assert api.get(f"{LISTS}/{cl['id']}/importstatus").json() == {
        "totalRecords": 0,
        "completedRecords": 0,
        "percentComplete": 100,
    }


def test_presigned_signature_and_expiry(sb: Sandbox, api: httpx.Client, cl: dict[str, Any]) -> None:
    up = presign(api, cl["id"]).json()
    tampered = up["url"].replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert httpx.put(tampered, content=CSV, headers=up["headers"]).status_code == 403
    short = presign(api, cl["id"], signedUrlTimeoutSeconds=1).json()
    sb.control({"advance_clock": 1.1})
    put = httpx.put(short["url"], content=CSV, headers=short["headers"])
    assert (put.status_code, b"expired" in put.content) == (403, True)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"id": "$cl"}, 400, "bad.request"),
        ({"id": "$cl", "contentType": "text/plain"}, 400, "invalid.value"),
        ({"contentType": "text/csv"}, 400, "bad.request"),
        ({"id": "$cl", "contentType": "text/csv", "signedUrlTimeoutSeconds": 0}, 400, "bad.request"),
        ({"id": "nope", "contentType": "text/csv"}, 404, "not.found"),
    ],
)
def test_presign_validation(
    api: httpx.Client, cl: dict[str, Any], body: dict[str, Any], status: int, code: str
) -> None:
    body = {k: (cl["id"] if v == "$cl" else v) for k, v in body.items()}
    assert_error(api.post(f"{LISTS}/uploads", json=body), status, code)


def test_100k_row_import(api: httpx.Client, cl: dict[str, Any]) -> None:
    lines = [b"ContactId,FirstName,Mobile,Email,Zip"] + [
        b"%d,Name %d,+1555%07d,,02134" % (i, i, i) for i in range(100_000)
    ]
    start = time.perf_counter()
    assert legacy(api, cl["id"], b"\n".join(lines)).status_code == 200
    status = wait_done(api, cl["id"])
    elapsed = time.perf_counter() - start
    assert status["completedRecords"] == 100_000
    assert api.get(f"{LISTS}/{cl['id']}", params={"includeSize": "true"}).json()["size"] == 100_000
    assert elapsed < 5, elapsed


def test_import_switches_from_the_command_line_and_their_defaults() -> None:
    import argparse

    from console.sandbox import SandboxConfig
    from console.sandbox.cli import add_arguments
    from console.sandbox.store import default_switches

    assert default_switches()["import_lag"] == "2"  # the realistic default
    assert default_switches()["import_status_updates"] == "always"
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--switch", "import_lag=7", "--switch", "import_status_updates=never"])
    sb = Sandbox(SandboxConfig(switches=dict(args.switch)))
    switches = sb.control({})["switches"]
    assert (switches["import_lag"], switches["import_status_updates"]) == ("7", "never")
    with pytest.raises(ValueError, match="import_lag"):
        Sandbox(SandboxConfig(switches={"import_lag": "soon"}))
