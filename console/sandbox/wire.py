"""Request/response objects and wire conventions shared by the handlers (genesys-api.md §2)."""

from __future__ import annotations

import json
import math
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from console.sandbox.errors import ApiError, bad_request

if TYPE_CHECKING:
    from console.sandbox.store import SandboxState, Token

_TRUE = {"true": True, "false": False}


def iso(ts: float) -> str:
    """ISO-8601 UTC with milliseconds and ``Z`` (e.g. ``2024-05-01T12:00:00.000Z``)."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(value: Any, field_name: str) -> float:
    """Parse an ISO-8601 datetime; 400 ``invalid.date`` naming the field otherwise."""
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return dt.timestamp()
        except ValueError:
            pass
    raise ApiError(
        400,
        "invalid.date",
        f"{field_name}: Dates must be specified as ISO-8601 strings. For example: yyyy-MM-ddTHH:mm:ss.SSSZ",
        field=field_name,
    )


def new_id() -> str:
    """A server-assigned id (UUID4 string)."""
    return str(uuid.uuid4())


def prune(value: Any) -> Any:
    """Drop ``None`` values from dicts recursively (responses omit null fields)."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


@dataclass
class Response:
    """What a handler answers.

    Attributes:
        status: HTTP status.
        body: JSON-serialisable data (pruned of nulls), raw ``bytes``, or ``None`` for no body.
        headers: Extra headers.
        content_type: Content-Type when there is a body.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encode(self) -> bytes:
        """The body bytes (empty when there is no body)."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(prune(self.body), separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Request:
    """One parsed HTTP request as handlers see it.

    Attributes:
        method: Upper-case HTTP method.
        path: URL path without the query.
        query: Query parameters; each value is the list of raw values given.
        headers: Header names lower-cased.
        body: Raw body bytes.
        params: Named groups of the route pattern.
        correlation_id: The ``ININ-Correlation-Id`` of the response.
        state: The sandbox state.
        token: The caller's token (None on unauthenticated routes).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    correlation_id: str
    state: SandboxState
    params: dict[str, str] = field(default_factory=dict)
    token: Token | None = None

    def json(self, *, allow_null: bool = True) -> Any:
        """The body parsed as JSON; an empty body or literal ``null`` gives None.

        Raises:
            ApiError: 400 when the body is not valid JSON.
        """
        if not self.body.strip():
            return None
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"The request body is not valid JSON: {exc}") from exc
        except RecursionError:  # json.loads recurses once per level: thousands of [ or { exhaust the stack
            raise bad_request("The request body is not valid JSON: it is nested too deeply.") from None
        if data is None and not allow_null:
            raise bad_request("A request body is required.")
        return data

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; 400 otherwise."""
        data = self.json()
        if not isinstance(data, dict):
            raise bad_request("The request body must be a JSON object.")
        return data

    def q(self, name: str) -> str | None:
        """The last value of a query parameter, or None."""
        values = self.query.get(name)
        return values[-1] if values else None

    def q_list(self, name: str) -> list[str]:
        """A list parameter: comma-joined and/or repeated values, empty items dropped."""
        out: list[str] = []
        for raw in self.query.get(name, []):
            out.extend(v.strip() for v in raw.split(",") if v.strip())
        return out

    def q_bool(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (``true``/``false``, case-insensitive); 400 otherwise."""
        raw = self.q(name)
        if raw is None or raw == "":
            return default
        value = _TRUE.get(raw.lower())
        if value is None:
            raise ApiError(
                400,
                "invalid.value",
                f"Value [{raw}] is not valid for field type [Boolean]. Allowable values are: true, false",
                field=name,
            )
        return value

    def q_int(self, name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
        """An integer parameter within bounds; 400 naming the parameter otherwise."""
        raw = self.q(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(
                400,
                "invalid.value",
                f"Value [{raw}] is not valid for field type [Integer]. Parameter: {name}",
                field=name,
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise bad_request(f"{name} must be {bound}; got {value}.", field=name)
        return value

    @property
    def now(self) -> float:
        """Current sandbox time (epoch seconds; :class:`~console.sandbox.store.Clock`)."""
        return self.state.clock.now()


def page(
    req: Request,
    items: list[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    default_size: int = 25,
    max_size: int = 100,
    keep: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The paged listing envelope (§2) for ``items``.

    Args:
        req: The request (paging parameters and the URIs' base path).
        items: All matching items, already filtered and sorted.
        render: Turns one item into its JSON.
        default_size: Default ``pageSize``.
        max_size: Largest allowed ``pageSize``.
        keep: Query parameters repeated in the paging URIs (default: all but paging).
    """
    size = req.q_int("pageSize", default_size, 1, max_size)
    number = req.q_int("pageNumber", 1, 1)
    total = len(items)
    page_count = max(1, math.ceil(total / size)) if total else 0
    start = (number - 1) * size
    chunk = items[start : start + size]
    names = list(keep) if keep is not None else [k for k in req.query if k not in ("pageSize", "pageNumber")]
    extra = [(k, v) for k in names for v in req.query.get(k, [])]

    def uri(n: int) -> str:
        return req.path + "?" + urllib.parse.urlencode([("pageSize", size), ("pageNumber", n), *extra])

    body: dict[str, Any] = {
        "entities": [render(i) for i in chunk],
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": page_count,
        "firstUri": uri(1),
        "selfUri": uri(number),
        "lastUri": uri(max(page_count, 1)),
    }
    if number < page_count:
        body["nextUri"] = uri(number + 1)
    if number > 1:
        body["previousUri"] = uri(number - 1)
    return body


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """One routing-table entry.

    Attributes:
        method: HTTP method.
        pattern: Regex matched in full against the path; named groups become ``Request.params``.
        handler: The function answering it.
        permission: Permission the token needs (None: any valid token).
        auth: Whether a bearer token is required.
    """

    method: str
    pattern: str
    handler: Handler
    permission: str | None = None
    auth: bool = True
