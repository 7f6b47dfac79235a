"""External contacts, minimal (search, create, get) so a test call can be linked to one.

Paths and JSON names: ``SDK apis/external_contacts_api.py``, ``models/external_contact.py``;
phone numbers are PhoneNumber objects ``{display, e164, countryCode, ...}``.
"""

from __future__ import annotations

import re
from typing import Any

from console.sandbox.errors import bad_request, not_found
from console.sandbox.store import HOME_DIVISION_ID
from console.sandbox.wire import Request, Response, Route, iso, new_id, page

PHONE_FIELDS = ("workPhone", "cellPhone", "homePhone", "otherPhone")
EMAIL_FIELDS = ("workEmail", "personalEmail", "otherEmail")
STRING_FIELDS = ("firstName", "middleName", "lastName", "salutation", "title", *EMAIL_FIELDS)
_DIGITS = re.compile(r"\D")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def _phone(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be a PhoneNumber object.", field=where)
    out = dict(value)
    e164 = out.get("e164")
    display = out.get("display")
    if e164 is not None and (not isinstance(e164, str) or not _E164.fullmatch(e164)):
        raise bad_request(f"{where}.e164 [{e164}] is not an E.164 number.", field=f"{where}.e164")
    if e164 is None and isinstance(display, str):
        candidate = "+" + _DIGITS.sub("", display) if display.strip().startswith("+") else None
        if candidate and _E164.fullmatch(candidate):
            out["e164"] = candidate
    if out.get("e164") is None and not display:
        raise bad_request(f"{where} needs display or e164.", field=where)
    out.setdefault("display", out.get("e164"))
    return out


def create(req: Request) -> Response:
    """``POST /api/v2/externalcontacts/contacts`` → 200 ExternalContact."""
    body = req.json_object()
    for key in STRING_FIELDS:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise bad_request(f"{key} must be a string.", field=key)
    if not (body.get("firstName") or body.get("lastName")):
        raise bad_request("An external contact needs a firstName or a lastName.", field="lastName")
    contact: dict[str, Any] = {k: body[k] for k in STRING_FIELDS if body.get(k) is not None}
    for key in PHONE_FIELDS:
        if body.get(key) is not None:
            contact[key] = _phone(body[key], key)
    state = req.state
    cid = new_id()
    now = iso(req.now)
    contact.update(
        id=cid,
        type="Curated",
        division={
            "id": HOME_DIVISION_ID,
            "name": "Home",
            "selfUri": f"/api/v2/authorization/divisions/{HOME_DIVISION_ID}",
        },
        createDate=now,
        modifyDate=now,
        selfUri=f"/api/v2/externalcontacts/contacts/{cid}",
    )
    with state.lock:
        state.external_contacts[cid] = contact
        state.save_external(contact)
    return Response(200, contact)


def get(req: Request) -> Response:
    """``GET /api/v2/externalcontacts/contacts/{contactId}``."""
    with req.state.lock:
        found = req.state.external_contacts.get(req.params["id"])
    if found is None:
        raise not_found(req.params["id"], "External contact")
    return Response(200, found)


def _matches(contact: dict[str, Any], q: str) -> bool:
    text = q.lower().strip()
    digits = _DIGITS.sub("", q)
    names = " ".join(str(contact.get(k, "")) for k in ("firstName", "middleName", "lastName")).lower()
    if text and all(word in names for word in text.split()):
        return True
    if any(text and text == str(contact.get(k, "")).lower() for k in EMAIL_FIELDS):
        return True
    if len(digits) >= 4:
        for key in PHONE_FIELDS:
            phone = contact.get(key) or {}
            stored = _DIGITS.sub("", str(phone.get("e164") or phone.get("display") or ""))
            if stored and (stored.endswith(digits) or digits.endswith(stored)):
                return True
    return False


def search(req: Request) -> Response:
    """``GET /api/v2/externalcontacts/contacts?q=...``: by name, email or phone digits."""
    q = req.q("q") or ""
    with req.state.lock:
        items = list(req.state.external_contacts.values())
    if q:
        items = [c for c in items if _matches(c, q)]
    return Response(200, page(req, items, lambda c: c, default_size=20, max_size=200))


ROUTES = [
    Route("GET", "/api/v2/externalcontacts/contacts", search, "externalContacts:contact:view"),
    Route("POST", "/api/v2/externalcontacts/contacts", create, "externalContacts:contact:add"),
    Route("GET", "/api/v2/externalcontacts/contacts/(?P<id>[^/]+)", get, "externalContacts:contact:view"),
]
