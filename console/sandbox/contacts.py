"""Contacts of a list (genesys-api.md §5).

Add/upsert, get/put/delete, delete many, bulk get, clear, import status.
"""

from __future__ import annotations

from typing import Any

from console.sandbox.errors import ApiError, bad_request, not_found
from console.sandbox.lists import get_list, import_status
from console.sandbox.store import SandboxState
from console.sandbox.wire import Request, Response, Route, iso, new_id, parse_iso

MAX_PER_REQUEST = 1000
MAX_PER_LIST = 1_000_000
MAX_VALUE = 512
CONTACT_RETENTION = ("Never", "Today", "RetentionDays", "DateExpiration")
_WRITABLE = (
    "callable",
    "phoneNumberStatus",
    "contactableStatus",
    "latestSmsEvaluations",
    "latestEmailEvaluations",
    "latestWhatsAppEvaluations",
    "retentionType",
    "retentionDays",
    "dateExpiration",
)


def contact_uri(list_id: str, contact_id: str) -> str:
    """``selfUri`` of a contact."""
    return f"/api/v2/outbound/contactlists/{list_id}/contacts/{contact_id}"


def build_contact(
    state: SandboxState,
    contact_list: dict[str, Any],
    item: Any,
    where: str,
    now: float,
    *,
    path_id: str | None = None,
    clear_system: bool = False,
) -> dict[str, Any]:
    """Validate one WritableDialerContact and return the stored DialerContact.

    Args:
        state: Sandbox state (switches, existing contacts for upsert).
        contact_list: The list it goes into.
        item: The JSON item.
        where: Position for messages, e.g. ``[3]``.
        now: Current time.
        path_id: Contact id from the URL (PUT of one contact).
        clear_system: ``clearSystemData``: drop call records of an existing contact.

    Raises:
        ApiError: 400 naming the item and field.
    """
    list_id = contact_list["id"]
    if not isinstance(item, dict):
        raise bad_request(f"{where} must be a contact object.", field=where)
    cl = item.get("contactListId")
    if cl is None:
        raise bad_request(f"{where}.contactListId is required.", field=f"{where}.contactListId")
    if cl != list_id:
        raise bad_request(
            f"{where}.contactListId [{cl}] does not match the contact list in the path [{list_id}].",
            field=f"{where}.contactListId",
        )
    contact_id = item.get("id")
    if path_id is not None:
        if contact_id is not None and contact_id != path_id:
            raise bad_request(
                f"{where}.id [{contact_id}] does not match the contact in the path.", field=f"{where}.id"
            )
        contact_id = path_id
    if contact_id is not None and (not isinstance(contact_id, str) or not contact_id.strip()):
        raise bad_request(f"{where}.id must be a non-empty string.", field=f"{where}.id")
    data = item.get("data")
    if data is None:
        raise bad_request(f"{where}.data is required.", field=f"{where}.data")
    if not isinstance(data, dict):
        raise bad_request(f"{where}.data must be an object of column name to string.", field=f"{where}.data")
    columns = contact_list["columnNames"]
    colset = set(columns)
    unknown_mode = state.switch("unknown_contact_columns")
    clean: dict[str, str] = {}
    for key, value in data.items():
        fld = f"{where}.data.{key}"
        if not isinstance(value, str):
            raise bad_request(
                f"{fld} must be a string; got {type(value).__name__} {value!r} (contact values are strings).",
                field=fld,
            )
        if len(value) > MAX_VALUE:
            raise bad_request(f"{fld} is {len(value)} characters; the maximum is {MAX_VALUE}.", field=fld)
        if key not in colset:
            if unknown_mode == "reject":
                raise bad_request(f"{fld}: [{key}] is not a column of contact list [{list_id}].", field=fld)
            if unknown_mode == "ignore":
                continue
        clean[key] = value
    if state.switch("missing_contact_columns") == "reject":
        missing = [c for c in columns if c not in data]
        if missing:
            raise bad_request(f"{where}.data is missing list columns {missing}.", field=f"{where}.data")
    for key in ("callable",):
        if item.get(key) is not None and not isinstance(item[key], bool):
            raise bad_request(f"{where}.{key} must be true or false.", field=f"{where}.{key}")
    retention = item.get("retentionType")
    if retention is not None and retention not in CONTACT_RETENTION:
        raise ApiError(
            400,
            "invalid.value",
            f"{where}.retentionType: Value [{retention}] is not valid for field type [RetentionType]. "
            "Allowable values are: " + ", ".join(CONTACT_RETENTION),
            field=f"{where}.retentionType",
        )
    if retention == "RetentionDays" and not isinstance(item.get("retentionDays"), int):
        raise bad_request(
            f"{where}.retentionDays is required for RetentionDays.", field=f"{where}.retentionDays"
        )
    if retention == "DateExpiration" and item.get("dateExpiration") is None:
        raise bad_request(
            f"{where}.dateExpiration is required for DateExpiration.", field=f"{where}.dateExpiration"
        )
    if item.get("dateExpiration") is not None:
        parse_iso(item["dateExpiration"], f"{where}.dateExpiration")
    existing = state.contacts.get(list_id, {}).get(contact_id) if contact_id else None
    contact_id = contact_id or new_id()
    out: dict[str, Any] = {
        "id": contact_id,
        "contactListId": list_id,
        "data": clean,
        "callable": True,
        "dateCreated": existing["dateCreated"] if existing else iso(now),
        "selfUri": contact_uri(list_id, contact_id),
    }
    if existing and not clear_system and existing.get("callRecords"):
        out["callRecords"] = existing["callRecords"]
    for key in _WRITABLE:
        if item.get(key) is not None:
            out[key] = item[key]
    return out


def _list(req: Request) -> dict[str, Any]:
    return get_list(req.state, req.params["id"])


def add(req: Request) -> Response:
    """``POST .../contacts``: up to 1,000 contacts, upsert by id, synchronous."""
    items = req.json()
    if not isinstance(items, list):
        raise bad_request("The request body must be a JSON array of contacts.")
    clear_system = req.q_bool("clearSystemData")
    req.q_bool("priority")
    req.q_bool("doNotQueue")
    state = req.state
    if len(items) > MAX_PER_REQUEST:
        status = int(state.switch("contacts_cap_status"))
        raise ApiError(
            status,
            "bad.request" if status == 400 else "request.entity.too.large",
            f"At most {MAX_PER_REQUEST} contacts can be added per request; got {len(items)}.",
            message_with_params="At most {max} contacts can be added per request; got {count}.",
            params={"max": str(MAX_PER_REQUEST), "count": str(len(items))},
        )
    now = req.now
    with state.lock:
        contact_list = _list(req)
        built = [
            build_contact(state, contact_list, item, f"[{i}]", now, clear_system=clear_system)
            for i, item in enumerate(items)
        ]
        store = state.contacts.setdefault(contact_list["id"], {})
        new = len({c["id"] for c in built} - store.keys())
        if len(store) + new > MAX_PER_LIST:
            raise ApiError(
                400,
                "limit.exceeded",
                f"A contact list can hold at most {MAX_PER_LIST} contacts.",
                limit={"key": "contacts.per.list.max", "namespace": "outbound", "value": MAX_PER_LIST},
            )
        for c in built:
            store[c["id"]] = c
        state.save_contacts(contact_list["id"], built)
    return Response(200, built)


def get_one(req: Request) -> Response:
    """``GET .../contacts/{contactId}``."""
    with req.state.lock:
        contact_list = _list(req)
        found = req.state.contacts.get(contact_list["id"], {}).get(req.params["cid"])
        if found is None:
            raise not_found(req.params["cid"], "Contact")
        return Response(200, found)


def put_one(req: Request) -> Response:
    """``PUT .../contacts/{contactId}``: replaces an existing contact."""
    body = req.json_object()
    state = req.state
    with state.lock:
        contact_list = _list(req)
        store = state.contacts.setdefault(contact_list["id"], {})
        if req.params["cid"] not in store:
            raise not_found(req.params["cid"], "Contact")
        built = build_contact(state, contact_list, body, "body", req.now, path_id=req.params["cid"])
        store[built["id"]] = built
        state.save_contacts(contact_list["id"], [built])
    return Response(200, built)


def delete_one(req: Request) -> Response:
    """``DELETE .../contacts/{contactId}`` → 200, no body."""
    state = req.state
    with state.lock:
        contact_list = _list(req)
        store = state.contacts.setdefault(contact_list["id"], {})
        if store.pop(req.params["cid"], None) is None:
            raise not_found(req.params["cid"], "Contact")
        state.delete_contacts(contact_list["id"], [req.params["cid"]])
    return Response(200, None)


def delete_many(req: Request) -> Response:
    """``DELETE .../contacts?contactIds=a,b`` → 200, no body."""
    ids = req.q_list("contactIds")
    if not ids:
        raise bad_request("contactIds is required: the ids of the contacts to delete.", field="contactIds")
    state = req.state
    with state.lock:
        contact_list = _list(req)
        store = state.contacts.setdefault(contact_list["id"], {})
        gone = [i for i in ids if store.pop(i, None) is not None]
        state.delete_contacts(contact_list["id"], gone)
    return Response(200, None)


def bulk_get(req: Request) -> Response:
    """``POST .../contacts/bulk``: body = contact ids; answers the contacts found (a bulk *get*)."""
    ids = req.json()
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad_request("The request body must be a JSON array of contact ids.")
    if len(ids) > MAX_PER_REQUEST:
        raise bad_request(f"At most {MAX_PER_REQUEST} contact ids per request; got {len(ids)}.")
    with req.state.lock:
        store = req.state.contacts.get(_list(req)["id"], {})
        return Response(200, [store[i] for i in ids if i in store])


def clear(req: Request) -> Response:
    """``POST .../clear`` → 204; the contacts go a moment later (asynchronous)."""
    req.json()  # the SDK sends a literal JSON null
    state = req.state
    with state.lock:
        list_id = _list(req)["id"]
        generation = state.generation

    def run() -> None:
        with state.lock:
            if state.generation == generation and list_id in state.lists:
                state.clear_contacts(list_id)

    state.clock.call_later(float(state.config["clear_delay"]), run)
    return Response(204, None)


def importstatus(req: Request) -> Response:
    """``GET .../importstatus``."""
    with req.state.lock:
        list_id = _list(req)["id"]
        return Response(200, import_status(req.state, list_id))


_BASE = "/api/v2/outbound/contactlists/(?P<id>[^/]+)"
ROUTES = [
    Route("POST", _BASE + "/contacts", add, "outbound:contact:add"),
    Route("DELETE", _BASE + "/contacts", delete_many, "outbound:contact:delete"),
    Route("POST", _BASE + "/contacts/bulk", bulk_get, "outbound:contact:view"),
    Route("GET", _BASE + "/contacts/(?P<cid>[^/]+)", get_one, "outbound:contact:view"),
    Route("PUT", _BASE + "/contacts/(?P<cid>[^/]+)", put_one, "outbound:contact:edit"),
    Route("DELETE", _BASE + "/contacts/(?P<cid>[^/]+)", delete_one, "outbound:contact:delete"),
    Route("POST", _BASE + "/clear", clear, "outbound:contact:delete"),
    Route("GET", _BASE + "/importstatus", importstatus, "outbound:contactList:view"),
]
