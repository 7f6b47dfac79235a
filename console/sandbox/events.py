"""The outbound event log: ``GET /api/v2/outbound/events`` (genesys-api.md §6.3).

Failed imports land here, as the admin UI's Event Viewer shows them. The entry shape is the
SDK's: ``get_outbound_events`` answers a ``DialerEventEntityListing`` of ``EventLog``
(``SDK models/dialer_event_entity_listing.py``, ``models/event_log.py``): ``id``, ``name``,
``errorEntity`` / ``relatedEntity`` (DomainEntityRef; the contact list is the error entity),
``timestamp``, ``level`` (``INFO|WARNING|ERROR``), ``category`` (``IMPORT_ERROR`` for imports),
``correlationId``, ``eventMessage`` (EventMessage ``code`` from the outbound event code enum,
``message``, ``messageWithParams``, ``messageParams``), ``selfUri``. SDK 269.0.0 has no
``DialerEventEntry`` model; the issue's ``errorCode``/``objectId`` are ``eventMessage.code`` and
``errorEntity.id`` here.

Entries live in memory (not in the state file), newest first.
"""

from __future__ import annotations

from typing import Any

from console.sandbox.errors import bad_request
from console.sandbox.store import SandboxState
from console.sandbox.wire import Request, Response, Route, iso, new_id

#: ``level`` values (``SDK models/event_log.py``).
LEVELS = ("INFO", "WARNING", "ERROR")
_MAX_EVENTS = 1000


def _events(state: SandboxState) -> list[dict[str, Any]]:
    return state.events


def log_event(
    state: SandboxState,
    *,
    code: str,
    message: str,
    category: str,
    level: str,
    list_id: str,
    list_name: str,
    correlation_id: str,
    at: float,
) -> dict[str, Any]:
    """Append one EventLog entry (call with ``state.lock`` held) and return it."""
    event_id = new_id()
    entry: dict[str, Any] = {
        "id": event_id,
        "name": code,
        "errorEntity": {
            "id": list_id,
            "name": list_name,
            "selfUri": f"/api/v2/outbound/contactlists/{list_id}",
        },
        "timestamp": iso(at),
        "level": level,
        "category": category,
        "correlationId": correlation_id,
        "eventMessage": {
            "code": code,
            "message": message,
            "messageWithParams": message,
            "messageParams": {},
            "resourceURIs": [f"/api/v2/outbound/contactlists/{list_id}"],
        },
        "selfUri": f"/api/v2/outbound/events/{event_id}",
    }
    events = _events(state)
    events.insert(0, entry)
    del events[_MAX_EVENTS:]
    return entry


def _int_param(req: Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.q(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise bad_request(f"{name} must be an integer between {low} and {high}.", field=name)
    return int(raw)


def list_events(req: Request) -> Response:
    """``GET /api/v2/outbound/events`` (``pageSize``, ``pageNumber``, ``category``, ``level``)."""
    size = _int_param(req, "pageSize", 25, 1, 100)
    number = _int_param(req, "pageNumber", 1, 1, 1_000_000)
    category, level = req.q("category"), req.q("level")
    if level is not None and level not in LEVELS:
        raise bad_request(f"level must be one of {', '.join(LEVELS)}.", field="level")
    with req.state.lock:
        entries = [
            e
            for e in _events(req.state)
            if (category is None or e["category"] == category) and (level is None or e["level"] == level)
        ]
    total = len(entries)
    pages = max(1, -(-total // size))
    base = "/api/v2/outbound/events"
    return Response(
        200,
        {
            "entities": entries[(number - 1) * size : number * size],
            "pageSize": size,
            "pageNumber": number,
            "total": total,
            "pageCount": pages,
            "firstUri": f"{base}?pageSize={size}&pageNumber=1",
            "lastUri": f"{base}?pageSize={size}&pageNumber={pages}",
            "selfUri": f"{base}?pageSize={size}&pageNumber={number}",
        },
    )


ROUTES = [Route("GET", "/api/v2/outbound/events", list_events, "outbound:eventLog:view")]
