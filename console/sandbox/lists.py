"""Outbound contact lists (genesys-api.md §4): listing, create, get, update, delete, validation."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from typing import Any

from console.sandbox.errors import ApiError, bad_request, not_found
from console.sandbox.store import HOME_DIVISION_ID, SandboxState
from console.sandbox.wire import Request, Response, Route, iso, new_id, page, parse_iso

MAX_COLUMNS = 50
MAX_NAME = 128
MAX_LISTS = 1000
DATA_TYPES = ("TEXT", "NUMERIC", "TIMESTAMP", "DATETIME")
RETENTION = ("Never", "Today", "RetentionDays")
READ_ONLY = ("id", "version", "dateCreated", "dateModified", "size", "importStatus", "selfUri")
_FIXED_ON_PUT = {
    "columnNames": (
        "cannot.update.column.names",
        "An attempt was made to update a ContactList in an invalid way. Details: Column names are different",
    ),
    "phoneColumns": (
        "cannot.update.phone.columns",
        "An attempt was made to update a ContactList in an invalid way. "
        "Details: Phone number columns are different",
    ),
}
# Writable ContactList fields (SDK models/contact_list.py) kept from a request body.
WRITABLE = (
    "name",
    "division",
    "columnNames",
    "phoneColumns",
    "emailColumns",
    "whatsAppColumns",
    "previewModeColumnName",
    "previewModeAcceptedValues",
    "attemptLimits",
    "automaticTimeZoneMapping",
    "zipCodeColumnName",
    "columnDataTypeSpecifications",
    "trimWhitespace",
    "retentionType",
    "retentionDays",
    "dateExpiration",
    "timeZone",
)


def self_uri(list_id: str) -> str:
    """``/api/v2/outbound/contactlists/{id}``."""
    return f"/api/v2/outbound/contactlists/{list_id}"


def get_list(state: SandboxState, list_id: str) -> dict[str, Any]:
    """The stored list, or 404 naming its id."""
    found = state.lists.get(list_id)
    if found is None:
        raise not_found(list_id, "Contact list")
    return found


def import_status(state: SandboxState, list_id: str) -> dict[str, Any]:
    """The list's ImportStatus (a finished, empty import when it never imported; [U] shape)."""
    job = state.imports.get(list_id)
    if job is not None:
        return dict(job.status)
    return {"totalRecords": 0, "completedRecords": 0, "percentComplete": 100}


def render(req: Request, stored: dict[str, Any], *, size: bool, status: bool) -> dict[str, Any]:
    """ContactList JSON; ``size`` and ``importStatus`` only when asked for."""
    out = dict(stored)
    if size:
        out["size"] = len(req.state.contacts.get(stored["id"], {}))
    if status:
        out["importStatus"] = import_status(req.state, stored["id"])
    return out


# -- validation ---------------------------------------------------------------------------------
def _str(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise bad_request(f"{key} is required.", field=key)
        return None
    if not isinstance(value, str):
        raise bad_request(f"{key} must be a string; got {type(value).__name__}.", field=key)
    return value


def _bool(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise bad_request(f"{key} must be true or false; got {value!r}.", field=key)
    return value


def _list_of_dicts(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise bad_request(f"{key} must be an array of objects.", field=key)
    return value


def _ref(state: SandboxState, body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise bad_request(f"{key} must be an object with an id.", field=f"{key}.id")
    return value


def validate(state: SandboxState, body: dict[str, Any], *, list_id: str | None) -> dict[str, Any]:
    """Check a ContactList body against §4.4; returns the writable fields, normalised.

    Args:
        state: Sandbox state (divisions, attempt limits, other lists' names).
        body: The request JSON.
        list_id: The list being updated (None on create).

    Raises:
        ApiError: 400 naming the offending field.
    """
    name = _str(body, "name", required=True)
    assert name is not None
    if not name.strip():
        raise bad_request("name must not be blank.", field="name")
    if len(name) > 256:
        raise bad_request(f"name must be at most 256 characters; got {len(name)}.", field="name")
    columns = body.get("columnNames")
    if columns is None:
        raise bad_request("columnNames is required.", field="columnNames")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise bad_request("columnNames must be an array of strings.", field="columnNames")
    if not columns:
        raise bad_request("columnNames must contain at least one column.", field="columnNames")
    if len(columns) > MAX_COLUMNS:
        raise bad_request(
            f"columnNames: a contact list can have at most {MAX_COLUMNS} columns; got {len(columns)}.",
            field="columnNames",
        )
    seen: dict[str, str] = {}
    for i, col in enumerate(columns):
        where = f"columnNames[{i}]"
        if not col.strip():
            raise bad_request(f"{where} must not be blank.", field=where)
        if len(col) > MAX_NAME:
            raise bad_request(
                f"{where} [{col[:40]}...] is {len(col)} characters; the maximum is {MAX_NAME}.", field=where
            )
        if "\\" in col:
            raise bad_request(f"{where} [{col}] contains a backslash, which is not allowed.", field=where)
        if col.lower() in seen:
            raise bad_request(f"{where} [{col}] duplicates column [{seen[col.lower()]}].", field=where)
        seen[col.lower()] = col
    colset = set(columns)

    def need_column(value: Any, where: str) -> None:
        if not isinstance(value, str) or not value:
            raise bad_request(f"{where} is required.", field=where)
        if value not in colset:
            raise bad_request(f"{where} [{value}] is not one of the columnNames.", field=where)

    auto_tz = _bool(body, "automaticTimeZoneMapping")
    media = {
        "phoneColumns": "callableTimeColumn",
        "emailColumns": "contactableTimeColumn",
        "whatsAppColumns": "contactableTimeColumn",
    }
    total_media = 0
    for key, time_key in media.items():
        entries = _list_of_dicts(body, key)
        total_media += len(entries)
        for i, entry in enumerate(entries):
            where = f"{key}[{i}]"
            need_column(entry.get("columnName"), f"{where}.columnName")
            if not isinstance(entry.get("type"), str) or not entry["type"].strip():
                raise bad_request(f"{where}.type is required (e.g. cell, home, work).", field=f"{where}.type")
            for tk in (time_key, time_key + "Name"):
                if entry.get(tk) is not None:
                    need_column(entry[tk], f"{where}.{tk}")
                    if auto_tz and key == "phoneColumns":
                        raise bad_request(
                            f"{where}.{tk} is not allowed when automaticTimeZoneMapping is true.",
                            field=f"{where}.{tk}",
                        )
    if total_media == 0:
        raise bad_request(
            "At least one of phoneColumns, emailColumns or whatsAppColumns must be provided.",
            field="phoneColumns",
        )
    preview = _str(body, "previewModeColumnName")
    if preview is not None:
        need_column(preview, "previewModeColumnName")
    accepted = body.get("previewModeAcceptedValues")
    if accepted is not None and (
        not isinstance(accepted, list) or not all(isinstance(v, str) for v in accepted)
    ):
        raise bad_request(
            "previewModeAcceptedValues must be an array of strings.", field="previewModeAcceptedValues"
        )
    zip_col = _str(body, "zipCodeColumnName")
    if zip_col is not None:
        if not auto_tz:
            raise bad_request(
                "zipCodeColumnName is only allowed when automaticTimeZoneMapping is true.",
                field="zipCodeColumnName",
            )
        need_column(zip_col, "zipCodeColumnName")
    for i, spec in enumerate(_list_of_dicts(body, "columnDataTypeSpecifications")):
        where = f"columnDataTypeSpecifications[{i}]"
        need_column(spec.get("columnName"), f"{where}.columnName")
        dtype = spec.get("columnDataType")
        if dtype is not None and dtype not in DATA_TYPES:
            raise ApiError(
                400,
                "invalid.value",
                f"{where}.columnDataType: Value [{dtype}] is not valid for field type [ColumnDataType]. "
                "Allowable values are: " + ", ".join(DATA_TYPES),
                field=f"{where}.columnDataType",
            )
        for key in ("min", "max", "maxLength"):
            if spec.get(key) is not None and (isinstance(spec[key], bool) or not isinstance(spec[key], int)):
                raise bad_request(f"{where}.{key} must be an integer.", field=f"{where}.{key}")
        if spec.get("min") is not None and spec.get("max") is not None and spec["min"] > spec["max"]:
            raise bad_request(f"{where}.min must not be greater than max.", field=f"{where}.min")
        if spec.get("maxLength") is not None and spec["maxLength"] < 1:
            raise bad_request(f"{where}.maxLength must be at least 1.", field=f"{where}.maxLength")
    _bool(body, "trimWhitespace")
    retention = body.get("retentionType")
    if retention is not None and retention not in RETENTION:
        raise ApiError(
            400,
            "invalid.value",
            f"retentionType: Value [{retention}] is not valid for field type [RetentionType]. "
            "Allowable values are: " + ", ".join(RETENTION),
            field="retentionType",
        )
    days = body.get("retentionDays")
    if retention == "RetentionDays":
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise bad_request(
                "retentionDays (a positive integer) is required when retentionType is RetentionDays.",
                field="retentionDays",
            )
    elif days is not None:
        raise bad_request(
            "retentionDays is only allowed when retentionType is RetentionDays.", field="retentionDays"
        )
    if body.get("dateExpiration") is not None:
        parse_iso(body["dateExpiration"], "dateExpiration")
    tz = _str(body, "timeZone")
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise bad_request(f"timeZone [{tz}] is not a valid IANA time zone.", field="timeZone") from None
    division = _ref(state, body, "division")
    div_id = division["id"] if division else HOME_DIVISION_ID
    div_ref = state.division_ref(div_id)
    if div_ref is None:
        raise bad_request(
            f"division.id [{div_id}] is not a division of this organization.", field="division.id"
        )
    limits = _ref(state, body, "attemptLimits")
    if limits is not None and not any(a["id"] == limits["id"] for a in state.attempt_limits):
        raise bad_request(f"attemptLimits.id [{limits['id']}] does not exist.", field="attemptLimits.id")
    # duplicate names (genesys-api.md §4.4: unique; status and code [U] -> switch)
    mode = state.switch("duplicate_list_name")
    if mode != "allow":
        for other in state.lists.values():
            if other["id"] != list_id and other["name"].lower() == name.lower():
                raise ApiError(
                    int(mode),
                    "bad.request" if mode == "400" else "conflict",
                    f"A contact list with the name [{name}] already exists.",
                    message_with_params="A contact list with the name [{name}] already exists.",
                    params={"name": name},
                    field="name",
                    entity_id=other["id"],
                )
    out = {k: body[k] for k in WRITABLE if body.get(k) is not None}
    out["division"] = div_ref
    if limits is not None:
        lim = next(a for a in state.attempt_limits if a["id"] == limits["id"])
        out["attemptLimits"] = {
            "id": lim["id"],
            "name": lim["name"],
            "selfUri": f"/api/v2/outbound/attemptlimits/{lim['id']}",
        }
    out.setdefault("automaticTimeZoneMapping", False)
    out.setdefault("trimWhitespace", True)
    for key in ("phoneColumns", "emailColumns", "whatsAppColumns"):
        out.setdefault(key, [])
    return out


def _reject_switch(state: SandboxState) -> None:
    target = state.switch("reject_list_write")
    if target:
        state.switches["reject_list_write"] = ""
        raise bad_request(
            f"{target}: the value was rejected by the server (sandbox reject_list_write).", field=target
        )


# -- handlers -----------------------------------------------------------------------------------
_FILTERS: dict[str, Callable[[str, str], bool]] = {
    "prefix": lambda v, q: v.lower().startswith(q.lower()),
    "beginswith": lambda v, q: v.lower().startswith(q.lower()),
    "equals": lambda v, q: v.lower() == q.lower(),
    "contains": lambda v, q: q.lower() in v.lower(),
    "endswith": lambda v, q: v.lower().endswith(q.lower()),
    "regex": lambda v, q: re.search(q, v) is not None,
    "lessthan": lambda v, q: v.lower() < q.lower(),
    "lessthanequalto": lambda v, q: v.lower() <= q.lower(),
    "greaterthan": lambda v, q: v.lower() > q.lower(),
    "greaterthanequalto": lambda v, q: v.lower() >= q.lower(),
}


def listing(req: Request) -> Response:
    """``GET /api/v2/outbound/contactlists``."""
    state = req.state
    include_size = req.q_bool("includeSize")
    include_status = req.q_bool("includeImportStatus")
    req.q_bool("allowEmptyResult")
    filter_type = (req.q("filterType") or "Prefix").lower()
    if filter_type not in _FILTERS:
        raise ApiError(
            400,
            "invalid.value",
            f"Value [{req.q('filterType')}] is not valid for field type [FilterType]. Allowable values are: "
            "Equals, RegEx, Contains, Prefix, LessThan, LessThanEqualTo, GreaterThan, GreaterThanEqualTo, "
            "BeginsWith, EndsWith",
            field="filterType",
        )
    name = req.q("name")
    if filter_type == "regex" and name:
        try:
            re.compile(name)
        except re.error as exc:
            raise bad_request(f"name is not a valid regular expression: {exc}", field="name") from None
    sort_by = req.q("sortBy") or "name"
    if sort_by not in ("name", "dateCreated", "dateModified", "id"):
        raise bad_request(
            f"sortBy [{sort_by}] is not supported; use name, dateCreated, dateModified or id.", field="sortBy"
        )
    order = (req.q("sortOrder") or "ascending").lower()
    if order not in ("ascending", "descending", "asc", "desc"):
        raise bad_request(
            f"sortOrder [{req.q('sortOrder')}] must be ascending or descending.", field="sortOrder"
        )
    ids = set(req.q_list("id"))
    divisions = set(req.q_list("divisionId"))
    with state.lock:
        items = list(state.lists.values())
        if name:
            items = [i for i in items if _FILTERS[filter_type](i["name"], name)]
        if ids:
            items = [i for i in items if i["id"] in ids]
        if divisions:
            items = [i for i in items if i["division"]["id"] in divisions]
        items.sort(key=lambda i: (str(i[sort_by]).lower(), i["id"]), reverse=order.startswith("desc"))
        body = page(req, items, lambda i: render(req, i, size=include_size, status=include_status))
    return Response(200, body)


def create(req: Request) -> Response:
    """``POST /api/v2/outbound/contactlists`` → 200 ContactList."""
    body = req.json_object()
    state = req.state
    with state.lock:
        if state.switch("readonly_fields_on_create") == "reject":
            for key in READ_ONLY:
                if body.get(key) is not None:
                    raise bad_request(
                        f"{key} is read-only and must not be sent when creating a list.", field=key
                    )
        _reject_switch(state)
        fields = validate(state, body, list_id=None)
        if len(state.lists) >= MAX_LISTS:
            raise ApiError(
                400,
                "limit.exceeded",
                f"The organization already has the maximum of {MAX_LISTS} contact lists.",
                limit={"key": "contact.lists.max", "namespace": "outbound", "value": MAX_LISTS},
            )
        list_id = new_id()
        stamp = iso(req.now)
        stored = {
            "id": list_id,
            **fields,
            "version": 1,
            "dateCreated": stamp,
            "dateModified": stamp,
            "selfUri": self_uri(list_id),
        }
        state.lists[list_id] = stored
        state.contacts[list_id] = {}
        state.save_list(stored)
        return Response(200, render(req, stored, size=False, status=False))


def get(req: Request) -> Response:
    """``GET /api/v2/outbound/contactlists/{id}``."""
    size = req.q_bool("includeSize")
    status = req.q_bool("includeImportStatus")
    with req.state.lock:
        stored = get_list(req.state, req.params["id"])
        return Response(200, render(req, stored, size=size, status=status))


def _normal(columns: Any) -> list[tuple[Any, ...]]:
    if not isinstance(columns, list):
        return []
    return [
        tuple(sorted((k, str(v)) for k, v in c.items() if v is not None))
        for c in columns
        if isinstance(c, dict)
    ]


def update(req: Request) -> Response:
    """``PUT /api/v2/outbound/contactlists/{id}``: needs the current version; columns are fixed."""
    body = req.json_object()
    state = req.state
    with state.lock:
        stored = get_list(state, req.params["id"])
        if body.get("id") is not None and body["id"] != stored["id"]:
            raise bad_request(f"id [{body['id']}] does not match the contact list in the path.", field="id")
        version = body.get("version")
        if version is None:
            raise bad_request("version is required when updating a contact list.", field="version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise bad_request(f"version must be an integer; got {version!r}.", field="version")
        if version != stored["version"]:
            status = int(state.switch("version_mismatch"))
            raise ApiError(
                status,
                "conflict" if status == 409 else "bad.request",
                f"The version supplied [{version}] does not match the current version [{stored['version']}].",
                field="version",
                entity_id=stored["id"],
            )
        for key, (code, message) in _FIXED_ON_PUT.items():
            old, new = stored.get(key), body.get(key)
            same = old == new if key == "columnNames" else _normal(old) == _normal(new)
            if not same:
                raise ApiError(400, code, message, field=key, entity_id=stored["id"])
        _reject_switch(state)
        fields = validate(state, body, list_id=stored["id"])
        updated = {
            "id": stored["id"],
            **fields,
            "version": stored["version"] + 1,
            "dateCreated": stored["dateCreated"],
            "dateModified": iso(req.now),
            "selfUri": stored["selfUri"],
        }
        state.lists[stored["id"]] = updated
        state.save_list(updated)
        return Response(200, render(req, updated, size=False, status=False))


def delete(req: Request) -> Response:
    """``DELETE /api/v2/outbound/contactlists/{id}`` → 200, no body."""
    with req.state.lock:
        get_list(req.state, req.params["id"])
        req.state.delete_list(req.params["id"])
    return Response(200, None)


def delete_many(req: Request) -> Response:
    """``DELETE /api/v2/outbound/contactlists?id=a,b`` → 204 (accepted)."""
    ids = req.q_list("id")
    if not ids:
        raise bad_request("id is required: the ids of the contact lists to delete.", field="id")
    state = req.state

    def run() -> None:
        with state.lock:
            for list_id in ids:
                if list_id in state.lists:
                    state.delete_list(list_id)

    state.clock.call_later(float(state.config["clear_delay"]), run)
    return Response(204, None)


ROUTES = [
    Route("GET", "/api/v2/outbound/contactlists", listing, "outbound:contactList:view"),
    Route("POST", "/api/v2/outbound/contactlists", create, "outbound:contactList:add"),
    Route("DELETE", "/api/v2/outbound/contactlists", delete_many, "outbound:contactList:delete"),
    Route("GET", "/api/v2/outbound/contactlists/(?P<id>[^/]+)", get, "outbound:contactList:view"),
    Route("PUT", "/api/v2/outbound/contactlists/(?P<id>[^/]+)", update, "outbound:contactList:edit"),
    Route("DELETE", "/api/v2/outbound/contactlists/(?P<id>[^/]+)", delete, "outbound:contactList:delete"),
]
