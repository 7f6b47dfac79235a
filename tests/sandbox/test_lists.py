"""Contact lists: create/get/put/delete, validation rules (§4.4), listing envelope, switches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from console.sandbox import Sandbox
from tests.sandbox.sandbox_helpers import LIST_BODY, assert_error

LISTS = "/api/v2/outbound/contactlists"
MakeList = Callable[..., dict[str, Any]]


def test_create_get_shape(api: httpx.Client) -> None:
    r = api.post(LISTS, json=LIST_BODY)
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 1
    assert body["selfUri"] == f"{LISTS}/{body['id']}"
    assert body["division"]["name"] == "Home"
    assert body["dateCreated"].endswith("Z")
    assert len(body["dateCreated"]) == 24
    assert "size" not in body
    assert "importStatus" not in body
    assert "previewModeColumnName" not in body  # nulls are omitted
    got = api.get(
        f"{LISTS}/{body['id']}", params={"includeSize": "true", "includeImportStatus": "true"}
    ).json()
    assert got["size"] == 0
    assert got["importStatus"]["percentComplete"] == 100
    assert got["columnNames"] == LIST_BODY["columnNames"]


def _with(**changes: Any) -> dict[str, Any]:
    body = {**LIST_BODY, **changes}
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (_with(name=None), "name", "bad.request"),
        (_with(name="  "), "name", "bad.request"),
        (_with(columnNames=None), "columnNames", "bad.request"),
        (_with(columnNames=[]), "columnNames", "bad.request"),
        (_with(columnNames=["A", "a", "Mobile", "Email"]), "columnNames[1]", "bad.request"),
        (_with(columnNames=[f"c{i}" for i in range(49)] + ["Mobile", "Email"]), "columnNames", "bad.request"),
        (_with(columnNames=["x" * 129, "Mobile", "Email"]), "columnNames[0]", "bad.request"),
        (_with(columnNames=["a\\b", "Mobile", "Email"]), "columnNames[0]", "bad.request"),
        (
            _with(phoneColumns=[{"columnName": "Nope", "type": "cell"}]),
            "phoneColumns[0].columnName",
            "bad.request",
        ),
        (_with(phoneColumns=[{"columnName": "Mobile"}]), "phoneColumns[0].type", "bad.request"),
        (_with(phoneColumns=[], emailColumns=[]), "phoneColumns", "bad.request"),
        (
            _with(emailColumns=[{"columnName": "Zip", "type": "work"}, {"columnName": "X", "type": "w"}]),
            "emailColumns[1].columnName",
            "bad.request",
        ),
        (_with(zipCodeColumnName="Zip"), "zipCodeColumnName", "bad.request"),
        (_with(automaticTimeZoneMapping=True, zipCodeColumnName="Nope"), "zipCodeColumnName", "bad.request"),
        (
            _with(
                automaticTimeZoneMapping=True,
                phoneColumns=[{"columnName": "Mobile", "type": "cell", "callableTimeColumn": "Zip"}],
            ),
            "phoneColumns[0].callableTimeColumn",
            "bad.request",
        ),
        (_with(previewModeColumnName="Nope"), "previewModeColumnName", "bad.request"),
        (
            _with(columnDataTypeSpecifications=[{"columnName": "Zip", "columnDataType": "INTEGER"}]),
            "columnDataTypeSpecifications[0].columnDataType",
            "invalid.value",
        ),
        (
            _with(columnDataTypeSpecifications=[{"columnName": "Nope", "columnDataType": "TEXT"}]),
            "columnDataTypeSpecifications[0].columnName",
            "bad.request",
        ),
        (
            _with(
                columnDataTypeSpecifications=[
                    {"columnName": "Zip", "columnDataType": "NUMERIC", "min": 5, "max": 1}
                ]
            ),
            "columnDataTypeSpecifications[0].min",
            "bad.request",
        ),
        (_with(retentionType="Forever"), "retentionType", "invalid.value"),
        (_with(retentionType="RetentionDays"), "retentionDays", "bad.request"),
        (_with(retentionType="Never", retentionDays=3), "retentionDays", "bad.request"),
        (_with(dateExpiration="tomorrow"), "dateExpiration", "invalid.date"),
        (_with(timeZone="Mars/Olympus"), "timeZone", "bad.request"),
        (_with(division={"id": "nope"}), "division.id", "bad.request"),
        (_with(attemptLimits={"id": "nope"}), "attemptLimits.id", "bad.request"),
        (_with(trimWhitespace="yes"), "trimWhitespace", "bad.request"),
    ],
)
def test_create_validation(api: httpx.Client, body: dict[str, Any], field: str, code: str) -> None:
    err = assert_error(api.post(LISTS, json=body), 400, code)
    assert err["details"] == [{"fieldName": field}]
    assert field.split("[")[0].split(".")[0] in err["message"]


def test_create_accepts_full_feature_set(api: httpx.Client) -> None:
    r = api.post(
        LISTS,
        json=_with(
            name="Full",
            automaticTimeZoneMapping=True,
            zipCodeColumnName="Zip",
            previewModeColumnName="FirstName",
            previewModeAcceptedValues=["VIP"],
            columnDataTypeSpecifications=[
                {"columnName": "Zip", "columnDataType": "NUMERIC", "min": 0, "max": 99999}
            ],
            retentionType="RetentionDays",
            retentionDays=30,
            dateExpiration="2030-01-01T00:00:00.000Z",
            timeZone="Europe/London",
            whatsAppColumns=[{"columnName": "Mobile", "type": "cell"}],
        ),
    )
    assert r.status_code == 200, r.text
    divisions = api.get("/api/v2/authorization/divisions").json()["entities"]
    limits = api.get("/api/v2/outbound/attemptlimits").json()["entities"]
    r = api.post(
        LISTS,
        json=_with(name="Div", division={"id": divisions[1]["id"]}, attemptLimits={"id": limits[0]["id"]}),
    )
    assert r.json()["division"]["name"] == "Outbound Team"
    assert r.json()["attemptLimits"]["name"] == limits[0]["name"]


@pytest.mark.parametrize(("mode", "status"), [("400", 400), ("409", 409), ("allow", 200)])
def test_duplicate_name_switch(sb: Sandbox, api: httpx.Client, mode: str, status: int) -> None:
    sb.control({"switches": {"duplicate_list_name": mode}})
    assert api.post(LISTS, json=_with(name="Same")).status_code == 200
    r = api.post(LISTS, json=_with(name="same"))
    assert r.status_code == status
    if status != 200:
        assert "[same]" in r.json()["message"]
        assert r.json()["messageParams"] == {"name": "same"}


def test_readonly_fields_on_create_switch(sb: Sandbox, api: httpx.Client) -> None:
    assert api.post(LISTS, json=_with(name="ro1", id="mine", version=7)).json()["version"] == 1
    sb.control({"switches": {"readonly_fields_on_create": "reject"}})
    assert_error(
        api.post(LISTS, json=_with(name="ro2", version=7)), 400, "bad.request", "version is read-only"
    )


def test_reject_list_write_switch_fires_once(sb: Sandbox, api: httpx.Client) -> None:
    sb.control({"switches": {"reject_list_write": "previewModeColumnName"}})
    err = assert_error(api.post(LISTS, json=_with(name="r1")), 400, "bad.request")
    assert err["details"] == [{"fieldName": "previewModeColumnName"}]
    assert api.post(LISTS, json=_with(name="r1")).status_code == 200


def test_put_with_version(sb: Sandbox, api: httpx.Client, make_list: MakeList) -> None:
    made = make_list()
    sb.control({"advance_clock": 1})  # dateModified must move past dateCreated
    r = api.put(
        f"{LISTS}/{made['id']}", json={**made, "name": "Renamed", "previewModeColumnName": "FirstName"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    assert r.json()["name"] == "Renamed"
    assert r.json()["dateModified"] > made["dateModified"]
    assert r.json()["dateCreated"] == made["dateCreated"]


@pytest.mark.parametrize(("mode", "status", "code"), [("409", 409, "conflict"), ("400", 400, "bad.request")])
def test_stale_version(
    sb: Sandbox, api: httpx.Client, make_list: MakeList, mode: str, status: int, code: str
) -> None:
    sb.control({"switches": {"version_mismatch": mode}})
    made = make_list()
    assert api.put(f"{LISTS}/{made['id']}", json=made).status_code == 200
    assert_error(
        api.put(f"{LISTS}/{made['id']}", json=made), status, code, "does not match the current version"
    )


def test_put_without_version(api: httpx.Client, make_list: MakeList) -> None:
    made = make_list()
    body = {k: v for k, v in made.items() if k != "version"}
    assert_error(api.put(f"{LISTS}/{made['id']}", json=body), 400, "bad.request", "version is required")


@pytest.mark.parametrize(
    ("change", "code", "text"),
    [
        (
            {"phoneColumns": [{"columnName": "Mobile", "type": "home"}]},
            "cannot.update.phone.columns",
            "An attempt was made to update a ContactList in an invalid way. "
            "Details: Phone number columns are different",
        ),
        (
            {
                "phoneColumns": [
                    {"columnName": "Mobile", "type": "cell"},
                    {"columnName": "Zip", "type": "home"},
                ]
            },
            "cannot.update.phone.columns",
            "Phone number columns are different",
        ),
        (
            {"columnNames": ["ContactId", "FirstName", "Mobile", "Email", "Zip", "Extra"]},
            "cannot.update.column.names",
            "Column names are different",
        ),
    ],
)
def test_immutable_columns(
    api: httpx.Client, make_list: MakeList, change: dict[str, Any], code: str, text: str
) -> None:
    made = make_list()
    err = assert_error(api.put(f"{LISTS}/{made['id']}", json={**made, **change}), 400, code)
    assert err["message"] == text if text.startswith("An attempt") else text in err["message"]


def test_put_duplicate_name_and_unknown(api: httpx.Client, make_list: MakeList) -> None:
    a, b = make_list(), make_list()
    assert_error(
        api.put(f"{LISTS}/{b['id']}", json={**b, "name": a["name"]}), 400, "bad.request", "already exists"
    )
    assert_error(api.put(f"{LISTS}/nope", json=b), 404, "not.found")


def test_delete(api: httpx.Client, make_list: MakeList) -> None:
    made = make_list()
    r = api.delete(f"{LISTS}/{made['id']}")
    assert (r.status_code, r.content) == (200, b"")
    assert_error(api.get(f"{LISTS}/{made['id']}"), 404, "not.found")
    assert_error(api.delete(f"{LISTS}/{made['id']}"), 404, "not.found")


def test_bulk_delete_is_accepted_then_done(api: httpx.Client, make_list: MakeList) -> None:
    ids = [make_list()["id"] for _ in range(3)]
    r = api.delete(LISTS, params={"id": ",".join(ids[:2])})
    assert r.status_code == 204
    deadline = time.monotonic() + 3
    while api.get(LISTS).json()["total"] != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e["id"] for e in api.get(LISTS).json()["entities"]] == [ids[2]]


def test_listing_envelope_and_paging(api: httpx.Client, make_list: MakeList) -> None:
    for i in range(7):
        make_list(name=f"Page {i}")
    body = api.get(LISTS, params={"pageSize": 3, "pageNumber": 2, "includeSize": "true"}).json()
    assert [e["name"] for e in body["entities"]] == ["Page 3", "Page 4", "Page 5"]
    assert (body["pageSize"], body["pageNumber"], body["total"], body["pageCount"]) == (3, 2, 7, 3)
    assert body["firstUri"] == f"{LISTS}?pageSize=3&pageNumber=1&includeSize=true"
    assert body["selfUri"] == f"{LISTS}?pageSize=3&pageNumber=2&includeSize=true"
    assert body["nextUri"] == f"{LISTS}?pageSize=3&pageNumber=3&includeSize=true"
    assert body["previousUri"] == f"{LISTS}?pageSize=3&pageNumber=1&includeSize=true"
    assert body["lastUri"] == f"{LISTS}?pageSize=3&pageNumber=3&includeSize=true"
    assert all(e["size"] == 0 for e in body["entities"])
    last = api.get(LISTS, params={"pageSize": 3, "pageNumber": 3}).json()
    assert "nextUri" not in last
    assert len(last["entities"]) == 1
    default = api.get(LISTS).json()
    assert default["pageSize"] == 25
    assert "previousUri" not in default
    assert "size" not in default["entities"][0]
    assert "importStatus" not in default["entities"][0]
    assert_error(api.get(LISTS, params={"pageSize": 101}), 400, "bad.request", "pageSize")
    assert_error(api.get(LISTS, params={"includeSize": "maybe"}), 400, "invalid.value")


def test_listing_filters_and_sort(api: httpx.Client, make_list: MakeList) -> None:
    a = make_list(name="Alpha one")
    b = make_list(name="alpha two")
    make_list(name="Beta")

    def names(**params: Any) -> list[str]:
        return [e["name"] for e in api.get(LISTS, params=params).json()["entities"]]

    assert names(name="alpha") == ["Alpha one", "alpha two"]
    assert names(name="alpha", sortOrder="descending") == ["alpha two", "Alpha one"]
    assert names(name="two", filterType="Contains") == ["alpha two"]
    assert names(name="beta", filterType="Equals") == ["Beta"]
    assert names(name="^Al.*one$", filterType="RegEx") == ["Alpha one"]
    assert names(id=f"{a['id']},{b['id']}") == ["Alpha one", "alpha two"]
    assert sorted(names(id=[a["id"], b["id"]])) == ["Alpha one", "alpha two"]  # repeated params
    assert names(sortBy="dateCreated", sortOrder="descending")[0] == "Beta"
    assert_error(api.get(LISTS, params={"filterType": "Fuzzy", "name": "x"}), 400, "invalid.value")
