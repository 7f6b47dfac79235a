"""Outbound contact-list templates (genesys-api.md §7): listing, create, get, update, delete.

A ContactListTemplate is a ContactList without ``division``, ``importStatus``, ``size`` and
``dateExpiration``; it is validated with the list rules (§4.4). Template names are unique
(case-insensitively; the real status and code are [U], so a duplicate is a 400 ``bad.request``
naming ``name``). Templates live in memory only (not in the state file).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from console.sandbox import lists
from console.sandbox.errors import ApiError, bad_request, not_found
from console.sandbox.wire import Request, Response, Route, iso, new_id, page

_BASE = "/api/v2/outbound/contactlisttemplates"
_NOT_ON_TEMPLATES = ("division", "dateExpiration")


def _self_uri(template_id: str) -> str:
    return f"{_BASE}/{template_id}"


def _get(req: Request) -> dict[str, Any]:
    found = req.state.templates.get(req.params["id"])
    if found is None:
        raise not_found(req.params["id"], "Contact list template")
    return found


def _validate(req: Request, body: dict[str, Any], template_id: str | None) -> dict[str, Any]:
    """The list rules of §4.4 minus list-only fields, plus unique template names."""
    state = req.state
    clean = {k: v for k, v in body.items() if k not in _NOT_ON_TEMPLATES}
    # the list validator, without comparing the name against the org's *lists*
    fields = lists.validate(dataclasses.replace(state, lists={}), clean, list_id=None)
    fields.pop("division", None)
    name = fields["name"]
    for other in state.templates.values():
        if other["id"] != template_id and other["name"].lower() == name.lower():
            raise ApiError(
                400,
                "bad.request",
                f"A contact list template with the name [{name}] already exists.",
                message_with_params="A contact list template with the name [{name}] already exists.",
                params={"name": name},
                field="name",
                entity_id=other["id"],
            )
    return fields


def listing(req: Request) -> Response:
    """``GET /api/v2/outbound/contactlisttemplates`` (``name`` with ``filterType``, sorting, paging)."""
    filter_type = (req.q("filterType") or "Prefix").lower()
    match = lists._FILTERS.get(filter_type)
    if match is None:
        raise ApiError(
            400,
            "invalid.value",
            f"Value [{req.q('filterType')}] is not valid for field type [FilterType].",
            field="filterType",
        )
    name = req.q("name")
    sort_by = req.q("sortBy") or "name"
    if sort_by not in ("name", "dateCreated", "dateModified", "id"):
        raise bad_request(f"sortBy [{sort_by}] is not supported.", field="sortBy")
    descending = (req.q("sortOrder") or "ascending").lower().startswith("desc")
    with req.state.lock:
        items = list(req.state.templates.values())
        if name:
            items = [t for t in items if match(t["name"], name)]
        items.sort(key=lambda t: (str(t[sort_by]).lower(), t["id"]), reverse=descending)
        body = page(req, items, dict)
    return Response(200, body)


def create(req: Request) -> Response:
    """``POST /api/v2/outbound/contactlisttemplates`` → 200 ContactListTemplate."""
    body = req.json_object()
    with req.state.lock:
        fields = _validate(req, body, None)
        template_id = new_id()
        stamp = iso(req.now)
        stored = {
            "id": template_id,
            **fields,
            "version": 1,
            "dateCreated": stamp,
            "dateModified": stamp,
            "selfUri": _self_uri(template_id),
        }
        req.state.templates[template_id] = stored
        return Response(200, dict(stored))


def get(req: Request) -> Response:
    """``GET /api/v2/outbound/contactlisttemplates/{id}``."""
    with req.state.lock:
        return Response(200, dict(_get(req)))


def update(req: Request) -> Response:
    """``PUT /api/v2/outbound/contactlisttemplates/{id}``: needs the current version."""
    body = req.json_object()
    with req.state.lock:
        stored = _get(req)
        version = body.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise bad_request("version (an integer) is required when updating a template.", field="version")
        if version != stored["version"]:
            status = int(req.state.switch("version_mismatch"))
            raise ApiError(
                status,
                "conflict" if status == 409 else "bad.request",
                f"The version supplied [{version}] does not match the current version [{stored['version']}].",
                field="version",
                entity_id=stored["id"],
            )
        fields = _validate(req, body, stored["id"])
        updated = {
            "id": stored["id"],
            **fields,
            "version": stored["version"] + 1,
            "dateCreated": stored["dateCreated"],
            "dateModified": iso(req.now),
            "selfUri": stored["selfUri"],
        }
        req.state.templates[stored["id"]] = updated
        return Response(200, dict(updated))


def delete(req: Request) -> Response:
    """``DELETE /api/v2/outbound/contactlisttemplates/{id}`` → 204."""
    with req.state.lock:
        _get(req)
        del req.state.templates[req.params["id"]]
    return Response(204, None)


ROUTES = [
    Route("GET", _BASE, listing, "outbound:contactListTemplate:view"),
    Route("POST", _BASE, create, "outbound:contactListTemplate:add"),
    Route("GET", _BASE + "/(?P<id>[^/]+)", get, "outbound:contactListTemplate:view"),
    Route("PUT", _BASE + "/(?P<id>[^/]+)", update, "outbound:contactListTemplate:edit"),
    Route("DELETE", _BASE + "/(?P<id>[^/]+)", delete, "outbound:contactListTemplate:delete"),
]
