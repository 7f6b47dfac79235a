"""Contact-list templates (§7): CRUD, list rules, unique names, paging, permissions, reset."""

from __future__ import annotations

import httpx
import pytest

from console.sandbox import Sandbox
from tests.sandbox.sandbox_helpers import LIST_BODY, assert_error, cc_token

TEMPLATES = "/api/v2/outbound/contactlisttemplates"


def test_crud_round_trip(api: httpx.Client) -> None:
    r = api.post(TEMPLATES, json={**LIST_BODY, "name": "Tpl A", "division": {"id": "ignored"}})
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["version"] == 1
    assert created["selfUri"] == f"{TEMPLATES}/{created['id']}"
    assert "division" not in created  # not a template field
    assert created["columnNames"] == LIST_BODY["columnNames"]
    assert created["trimWhitespace"] is True
    got = api.get(f"{TEMPLATES}/{created['id']}").json()
    assert got == created
    # PUT: templates may change columns (no cannot.update.* rule), version increments
    body = {**got, "columnNames": [*got["columnNames"], "Notes"]}
    r = api.put(f"{TEMPLATES}/{created['id']}", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    assert r.json()["columnNames"][-1] == "Notes"
    stale = api.put(f"{TEMPLATES}/{created['id']}", json=body)
    assert_error(stale, 409, "conflict", "does not match the current version")
    assert api.delete(f"{TEMPLATES}/{created['id']}").status_code == 204
    assert_error(api.get(f"{TEMPLATES}/{created['id']}"), 404, "not.found")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": None}, "name"),
        ({"phoneColumns": [{"columnName": "Cell", "type": "cell"}]}, "phoneColumns[0].columnName"),
        ({"columnNames": ["A"] * 2}, "columnNames[1]"),
        ({"zipCodeColumnName": "Zip"}, "zipCodeColumnName"),
    ],
)
def test_list_rules_apply(api: httpx.Client, changes: dict[str, object], field: str) -> None:
    body = {k: v for k, v in {**LIST_BODY, "name": "Tpl", **changes}.items() if v is not None}
    err = assert_error(api.post(TEMPLATES, json=body), 400, "bad.request", field)
    assert err["details"][0]["fieldName"] == field


def test_unique_names_listing_and_filters(api: httpx.Client) -> None:
    for name in ("Alpha", "Beta", "Alphabet"):
        assert api.post(TEMPLATES, json={**LIST_BODY, "name": name}).status_code == 200
    err = assert_error(api.post(TEMPLATES, json={**LIST_BODY, "name": "alpha"}), 400, "bad.request", "alpha")
    assert err["details"][0]["fieldName"] == "name"
    # a list with a template's name is fine (different namespaces)
    assert api.post("/api/v2/outbound/contactlists", json={**LIST_BODY, "name": "Alpha"}).status_code == 200
    listing = api.get(TEMPLATES, params={"name": "Alp", "pageSize": 1}).json()
    assert listing["total"] == 2
    assert [t["name"] for t in listing["entities"]] == ["Alpha"]
    assert "nextUri" in listing
    everything = api.get(TEMPLATES, params={"sortOrder": "descending"}).json()
    assert [t["name"] for t in everything["entities"]] == ["Beta", "Alphabet", "Alpha"]
    assert_error(api.get(TEMPLATES, params={"filterType": "Nope"}), 400, "invalid.value")


def test_permissions_and_reset(sb: Sandbox, http: httpx.Client, api: httpx.Client) -> None:
    created = api.post(TEMPLATES, json={**LIST_BODY, "name": "Kept"}).json()
    readonly = {"Authorization": f"Bearer {cc_token(http, 'sandbox-readonly', 'readonly-secret')}"}
    assert http.get(f"{TEMPLATES}/{created['id']}", headers=readonly).status_code == 200
    r = http.post(TEMPLATES, json={**LIST_BODY, "name": "No"}, headers=readonly)
    assert_error(r, 403, "missing.permissions", "outbound:contactListTemplate:add")
    sb.reset()
    token = cc_token(http)
    assert http.get(TEMPLATES, headers={"Authorization": f"Bearer {token}"}).json()["total"] == 0
