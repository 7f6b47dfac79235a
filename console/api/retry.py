"""Retry policy: small pure functions, tested as tables.

Rules (issue 3, genesys-api.md §9.3/§10):

- A call-creating POST (``/api/v2/conversations/calls``, ``.../calls/user/{id}``) is never
  retried: a second attempt could ring the customer twice.
- 429 is retried for every other request (the server did not process it), waiting
  ``Retry-After`` (capped) plus a little jitter; a ``Retry-After`` beyond ``give_up_after``
  is not waited for at all.
- 502/503/504 and dropped connections are retried only for idempotent requests:
  GET/HEAD/PUT/DELETE/OPTIONS, the bulk *get* ``POST .../contacts/bulk``, and
  ``POST .../contacts`` when every contact carries an ``id`` (an upsert).
- A connection that was never established (nothing sent) may be retried like a 503 for
  any request except a call-creating one.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Callable
from typing import Any

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
"""Methods that are idempotent by HTTP semantics."""

RETRYABLE_STATUSES = frozenset({502, 503, 504})
"""Gateway/overload statuses worth retrying for idempotent requests."""

DEFAULT_MAX_RETRIES = 5
"""Retries after the first attempt."""

DEFAULT_RETRY_AFTER_CAP = 60.0
"""Longest single wait in seconds, even when ``Retry-After`` asks for more."""

DEFAULT_GIVE_UP_AFTER = 180.0
"""A ``Retry-After`` longer than this is not waited for (the .NET SDK gives up beyond 3 minutes)."""

DEFAULT_BACKOFF_BASE = 0.5
"""First back-off step in seconds for 5xx/connection retries."""

DEFAULT_BACKOFF_CAP = 8.0
"""Longest back-off step in seconds for 5xx/connection retries."""

_CALL_CREATE = re.compile(r"^/api/v2/conversations/calls(?:/user/[^/]+)?/?$")
_CONTACTS_POST = re.compile(r"^/api/v2/outbound/contactlists/[^/]+/contacts/?$")
_CONTACTS_BULK_GET = re.compile(r"^/api/v2/outbound/contactlists/[^/]+/contacts/bulk/?$")


def is_call_creating(method: str, path: str) -> bool:
    """True for the POSTs that place a call."""
    return method.upper() == "POST" and bool(_CALL_CREATE.match(path))


def is_idempotent(method: str, path: str, body: Any = None) -> bool:
    """Whether repeating the request cannot change the outcome.

    Args:
        method: HTTP method.
        path: URL path (no query).
        body: The JSON body as Python data (before encoding), if any.
    """
    m = method.upper()
    if m in IDEMPOTENT_METHODS:
        return True
    if m != "POST" or is_call_creating(m, path):
        return False
    if _CONTACTS_BULK_GET.match(path):
        return True
    if _CONTACTS_POST.match(path):
        return (
            isinstance(body, list)
            and len(body) > 0
            and all(isinstance(c, dict) and isinstance(c.get("id"), str) and c["id"] for c in body)
        )
    return False


def should_retry(
    *,
    method: str,
    path: str,
    attempt: int,
    idempotent: bool,
    status: int | None = None,
    connection_error: bool = False,
    request_sent: bool = True,
    retry_after: float | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    give_up_after: float = DEFAULT_GIVE_UP_AFTER,
) -> bool:
    """Decide whether to send the request again.

    Args:
        method: HTTP method.
        path: URL path.
        attempt: Retries already made (0 after the first attempt failed).
        idempotent: Result of :func:`is_idempotent` for this request.
        status: HTTP status of the answer, None when there was no answer.
        connection_error: True when no answer came (drop, reset, time-out).
        request_sent: False when the connection was never established (nothing reached the server).
        retry_after: Parsed ``Retry-After`` in seconds, if any.
        max_retries: Retries allowed after the first attempt.
        give_up_after: Do not wait for a ``Retry-After`` longer than this.
    """
    if attempt >= max_retries or is_call_creating(method, path):
        return False
    if connection_error:
        return idempotent or not request_sent
    if status == 429:
        return retry_after is None or retry_after <= give_up_after
    if status in RETRYABLE_STATUSES:
        return idempotent
    return False


def retry_delay(
    attempt: int,
    retry_after: float | None,
    *,
    cap: float = DEFAULT_RETRY_AFTER_CAP,
    base: float = DEFAULT_BACKOFF_BASE,
    backoff_cap: float = DEFAULT_BACKOFF_CAP,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``attempt + 1``.

    With ``Retry-After``: that many seconds (at most ``cap``) plus up to 10 % jitter, never less
    than asked. Without: exponential back-off ``base * 2**attempt`` (at most ``backoff_cap``)
    with "equal jitter" (between half and all of the step).

    Args:
        attempt: Retries already made (0 for the first retry).
        retry_after: Parsed ``Retry-After`` in seconds, or None.
        cap: Longest wait for a ``Retry-After``.
        base: First back-off step.
        backoff_cap: Longest back-off step.
        rng: Returns a float in [0, 1); inject ``lambda: 0.0`` for exact waits.
    """
    if retry_after is not None:
        wait = min(max(retry_after, 0.0), cap)
        return min(wait + wait * 0.1 * rng(), cap) if wait < cap else cap
    step = min(base * (2.0 ** max(attempt, 0)), backoff_cap)
    return step / 2 + step / 2 * rng()


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Parse ``Retry-After``: delta-seconds or an HTTP date. None when absent or unparseable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        current = time.time() if now is None else now
        return max(float(when.timestamp()) - current, 0.0)
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return seconds
