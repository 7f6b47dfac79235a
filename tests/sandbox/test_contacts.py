"""Contacts (§5): add/upsert, the 1,000 cap, validation, get/put/delete, bulk get, clear."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from console.sandbox import Sandbox
from tests.sandbox.sandbox_helpers import assert_error

LISTS = "/api/v2/outbound/contactlists"


@pytest.fixture
def cl(make_list: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_list()


def row(cl: dict[str, Any], i: int, **data: str) -> dict[str, Any]:
    values = {
        "ContactId": str(i),
        "FirstName": f"N{i}",
        "Mobile": "+15555550100",
        "Email": "",
        "Zip": "02134",
    }
    return {"id": f"c{i}", "contactListId": cl["id"], "data": {**values, **data}}


def size(api: httpx.Client, cl: dict[str, Any]) -> int:
    return int(api.get(f"{LISTS}/{cl['id']}", params={"includeSize": "true"}).json()["size"])


def test_add_and_upsert(api: httpx.Client, cl: dict[str, Any]) -> None:
    url = f"{LISTS}/{cl['id']}/contacts"
    r = api.post(url, json=[row(cl, 1), row(cl, 2)])
    assert r.status_code == 200
    out = r.json()
    assert [c["id"] for c in out] == ["c1", "c2"]
    assert out[0]["selfUri"] == f"{url}/c1"
    assert out[0]["callable"] is True
    assert out[0]["dateCreated"].endswith("Z")
    r = api.post(url, json=[row(cl, 1, FirstName="Changed")])
    assert r.json()[0]["data"]["FirstName"] == "Changed"
    assert r.json()[0]["dateCreated"] == out[0]["dateCreated"]
    assert size(api, cl) == 2
    generated = api.post(url, json=[{"contactListId": cl["id"], "data": {"Mobile": "+15555550101"}}]).json()[
        0
    ]
    assert len(generated["id"]) == 36
    assert size(api, cl) == 3


@pytest.mark.parametrize(("mode", "status"), [("400", 400), ("413", 413)])
def test_cap_of_1000(sb: Sandbox, api: httpx.Client, cl: dict[str, Any], mode: str, status: int) -> None:
    sb.control({"switches": {"contacts_cap_status": mode}})
    url = f"{LISTS}/{cl['id']}/contacts"
    assert api.post(url, json=[row(cl, i) for i in range(1000)]).status_code == 200
    r = api.post(url, json=[row(cl, i) for i in range(1001)])
    err = assert_error(r, status, "bad.request" if status == 400 else "request.entity.too.large", "1000")
    assert err["messageParams"] == {"max": "1000", "count": "1001"}
    assert size(api, cl) == 1000


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"data": {"Mobile": "1"}}, "[0].contactListId"),
        ({"contactListId": "other", "data": {"Mobile": "1"}}, "[0].contactListId"),
        ({"contactListId": "$cl"}, "[0].data"),
        ({"contactListId": "$cl", "data": ["x"]}, "[0].data"),
        ({"contactListId": "$cl", "data": {"Mobile": 5551234}}, "[0].data.Mobile"),
        ({"contactListId": "$cl", "data": {"Mobile": None}}, "[0].data.Mobile"),
        ({"contactListId": "$cl", "data": {"Mobile": "x" * 513}}, "[0].data.Mobile"),
        ({"contactListId": "$cl", "data": {"Nope": "1"}}, "[0].data.Nope"),
        ({"contactListId": "$cl", "data": {}, "id": ""}, "[0].id"),
        ({"contactListId": "$cl", "data": {}, "callable": "yes"}, "[0].callable"),
        ({"contactListId": "$cl", "data": {}, "retentionType": "RetentionDays"}, "[0].retentionDays"),
        ({"contactListId": "$cl", "data": {}, "dateExpiration": "soon"}, "[0].dateExpiration"),
    ],
)
def test_contact_validation(api: httpx.Client, cl: dict[str, Any], item: dict[str, Any], field: str) -> None:
    if item.get("contactListId") == "$cl":
        item = {**item, "contactListId": cl["id"]}
    r = api.post(f"{LISTS}/{cl['id']}/contacts", json=[item])
    assert r.status_code == 400, r.text
    assert r.json()["details"] == [{"fieldName": field}]
    assert field in r.json()["message"]
    assert size(api, cl) == 0


def test_body_must_be_array(api: httpx.Client, cl: dict[str, Any]) -> None:
    assert_error(api.post(f"{LISTS}/{cl['id']}/contacts", json={"id": "x"}), 400, "bad.request", "array")
    assert_error(api.post(f"{LISTS}/{cl['id']}/contacts", content=b"{not json"), 400, "bad.request", "JSON")
    assert_error(api.post(f"{LISTS}/nope/contacts", json=[]), 404, "not.found")


@pytest.mark.parametrize(("mode", "stored"), [("ignore", False), ("store", True)])
def test_unknown_columns_switch(
    sb: Sandbox, api: httpx.Client, cl: dict[str, Any], mode: str, stored: bool
) -> None:
    sb.control({"switches": {"unknown_contact_columns": mode}})
    out = api.post(f"{LISTS}/{cl['id']}/contacts", json=[row(cl, 1, Extra="e")]).json()
    assert ("Extra" in out[0]["data"]) is stored


def test_missing_columns_switch(sb: Sandbox, api: httpx.Client, cl: dict[str, Any]) -> None:
    partial = {"contactListId": cl["id"], "data": {"Mobile": "+15555550100"}}
    assert api.post(f"{LISTS}/{cl['id']}/contacts", json=[partial]).status_code == 200
    sb.control({"switches": {"missing_contact_columns": "reject"}})
    assert_error(api.post(f"{LISTS}/{cl['id']}/contacts", json=[partial]), 400, "bad.request", "ContactId")


def test_get_put_delete_one(api: httpx.Client, cl: dict[str, Any]) -> None:
    url = f"{LISTS}/{cl['id']}/contacts"
    api.post(url, json=[row(cl, 1), row(cl, 2)])
    assert api.get(f"{url}/c1").json()["data"]["FirstName"] == "N1"
    r = api.put(f"{url}/c1", json={**row(cl, 1, FirstName="P"), "callable": False})
    assert r.status_code == 200
    assert api.get(f"{url}/c1").json()["callable"] is False
    assert_error(api.put(f"{url}/c9", json=row(cl, 9)), 404, "not.found")
    assert_error(api.put(f"{url}/c1", json=row(cl, 2)), 400, "bad.request", "does not match")
    r = api.delete(f"{url}/c1")
    assert (r.status_code, r.content) == (200, b"")
    assert_error(api.get(f"{url}/c1"), 404, "not.found")
    assert_error(api.delete(f"{url}/c1"), 404, "not.found")


def test_delete_many_and_bulk_get(api: httpx.Client, cl: dict[str, Any]) -> None:
    url = f"{LISTS}/{cl['id']}/contacts"
    api.post(url, json=[row(cl, i) for i in range(5)])
    got = api.post(f"{url}/bulk", json=["c4", "c0", "missing"]).json()
    assert [c["id"] for c in got] == ["c4", "c0"]
    assert api.delete(url, params={"contactIds": "c0,c1"}).status_code == 200
    assert size(api, cl) == 3
    assert_error(api.delete(url), 400, "bad.request", "contactIds")
    assert_error(api.post(f"{url}/bulk", json={"ids": []}), 400, "bad.request")


def test_clear_is_asynchronous(sb: Sandbox, api: httpx.Client, cl: dict[str, Any]) -> None:
    sb.control({"clear_delay": 3600})
    api.post(f"{LISTS}/{cl['id']}/contacts", json=[row(cl, i) for i in range(10)])
    r = api.post(f"{LISTS}/{cl['id']}/clear", content=b"null", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.content) == (204, b"")
    assert size(api, cl) == 10  # not yet: clear_delay
    sb.control({"advance_clock": 3600})
    deadline = time.monotonic() + 3
    while size(api, cl) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert size(api, cl) == 0


def test_thousand_contacts_are_fast(api: httpx.Client, cl: dict[str, Any]) -> None:
    url = f"{LISTS}/{cl['id']}/contacts"
    batch = [row(cl, i) for i in range(1000)]
    api.post(url, json=batch)  # warm-up
    start = time.perf_counter()
    for n in range(5):
        assert api.post(url, json=[row(cl, i + 1000 * n) for i in range(1000)]).status_code == 200
    per_request = (time.perf_counter() - start) / 5
    assert per_request < 0.25, per_request  # measured ~25 ms on the 2-core CI machine, incl. client
    assert size(api, cl) == 5000
