"""The window's activity records, built where the writes happen (no Qt: workers call these too).

Each hook in a page is one line: the builder's send is wrapped by :func:`recorded_send`, the
decoder's resend by :func:`resend`, the test call's controller keeps a :class:`CallActivity`.
Records carry the process's current context (:func:`console.activity.set_context`, kept by
:class:`~console.ui.activity.context.SessionActivity`).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from console import activity
from console.activity import Action, Result, mask_number
from console.errors import Cancelled
from console.ui.call.follow import Phase, caller_leg, far_leg, phase

__all__ = ["CallActivity", "outcome_of", "recorded_send", "resend"]

_SEND_ACTIONS = {
    "create": Action.LIST_CREATED,
    "update": Action.LIST_UPDATED,
    "template": Action.TEMPLATE_PUSHED,
}
_SEND_KINDS = {"template": "template"}


def outcome_of(exc: BaseException | None) -> Result:
    """``ok`` without an exception, ``cancelled`` for a cancel, else ``failed``."""
    if exc is None:
        return Result.OK
    return Result.CANCELLED if isinstance(exc, Cancelled) else Result.FAILED


def _correlation(exc: BaseException | None) -> list[str | None]:
    return [getattr(exc, "correlation_id", None)] if exc is not None else []


@contextlib.contextmanager
def _answers_of(client: Any) -> Iterator[list[str | None]]:
    """The correlation ids of the answers ``client`` gets inside the block, in order.

    The answer's ``ININ-Correlation-Id`` reaches only the client's exchange hook (a decoded
    ``ContactList`` does not carry it), so the hook is chained for the block; the client is the
    worker's own (:func:`~console.ui.builder.workers.with_client`), no other thread uses it.
    """
    seen: list[str | None] = []
    hook = getattr(client, "on_exchange", None)

    def on_exchange(record: Any) -> None:
        seen.append(getattr(record, "correlation_id", None))
        if hook is not None:
            hook(record)

    client.on_exchange = on_exchange
    try:
        yield seen
    finally:
        client.on_exchange = hook


def recorded_send(send: Callable[..., tuple[str, Any]]) -> Callable[..., tuple[str, Any]]:
    """Wrap the builder's ``send(client, action, definition)``: one record of each create, update, push.

    A success carries the correlation id of the answer it decoded (the last one: a token fetch or
    a version read may come first); a failure its error's.
    """

    @functools.wraps(send)
    def wrapper(client: Any, action: str, definition: Any, *args: Any, **kw: Any) -> tuple[str, Any]:
        kind = _SEND_KINDS.get(action, "list")
        try:
            with _answers_of(client) as answers:
                answer = send(client, action, definition, *args, **kw)
        except BaseException as exc:
            activity.record(
                _SEND_ACTIONS.get(action, f"list.{action}"),
                target={"kind": kind, "id": definition.id, "name": definition.name},
                result=outcome_of(exc),
                correlation_ids=_correlation(exc),
                message=str(exc),
            )
            raise
        sent = answer[1]
        activity.record(
            _SEND_ACTIONS.get(action, f"list.{action}"),
            target={"kind": kind, "id": sent.id, "name": sent.name},
            counts={"columns": len(sent.column_names or [])},
            correlation_ids=answers[-1:],
            details={"version": getattr(sent, "version", None)},
        )
        return answer

    return wrapper


def resend(send_raw: Callable[[str, str, object], Any], method: str, path: str, body: object) -> Any:
    """``send_raw(method, path, body)`` from the decoder, recorded (``request.resent``) either way."""
    target = {"kind": "request", "name": f"{method} {path.split('?', 1)[0]}"}
    try:
        response = send_raw(method, path, body)
    except BaseException as exc:
        activity.record(
            Action.REQUEST_RESENT,
            target=target,
            result=outcome_of(exc),
            correlation_ids=_correlation(exc),
            message=str(exc),
            details={"method": method, "status": getattr(exc, "status_code", None)},
        )
        raise
    status = int(response.status_code)
    activity.record(
        Action.REQUEST_RESENT,
        target=target,
        result=Result.OK if status < 400 else Result.FAILED,
        correlation_ids=[response.headers.get("ININ-Correlation-Id")],
        details={"method": method, "status": status},
    )
    return response


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds()))


class CallActivity:
    """The records of one test call at a time: placed, connected (once), ended (once).

    Args:
        clock: Seconds (monotonic), for the duration when the call's own times are missing.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._number = ""
        self._conversation: str | None = None
        self._connected_at: float | None = None
        self._ended = True
        self._hung_up = False

    def _record(self, action: Action, **fields: Any) -> None:
        target = {"kind": "call", "id": self._conversation, "name": self._number}
        activity.record(action, target=target, **fields)

    def placing(self, phone_number: str | None) -> None:
        """A call to ``phone_number`` is being placed (only its last four digits are kept)."""
        self._number = mask_number(phone_number)
        self._conversation = None
        self._connected_at = None
        self._ended = False
        self._hung_up = False

    def placed(self, conversation_id: str) -> None:
        """Genesys accepted the call."""
        self._conversation = conversation_id
        self._record(Action.CALL_PLACED)

    def place_failed(self, exc: object) -> None:
        """The call was not placed."""
        error = exc if isinstance(exc, BaseException) else None
        self._ended = True
        self._record(
            Action.CALL_PLACED,
            result=outcome_of(error) if error is not None else Result.FAILED,
            correlation_ids=_correlation(error),
            message=str(exc),
        )

    def hung_up(self) -> None:
        """The console disconnected the call (so the end is the console's doing)."""
        self._hung_up = True

    def followed(self, conv: Any) -> None:
        """A read of the call: records ``call.connected`` and ``call.ended`` the first time each is seen."""
        where = phase(conv)
        if where is Phase.CONNECTED and self._connected_at is None:
            self._connected_at = self.clock()
            self._record(Action.CALL_CONNECTED)
        if where is not Phase.ENDED or self._ended:
            return
        self._ended = True
        far = far_leg(conv)
        leg = far or caller_leg(conv)
        disconnect = leg.disconnect_type if leg is not None else None
        duration = _seconds(far.connected_time, far.end_time) if far is not None else None
        if duration is None and self._connected_at is not None:
            duration = round(self.clock() - self._connected_at)
        counts = {"duration_s": duration} if duration is not None else {}
        self._record(
            Action.CALL_ENDED,
            counts=counts,
            details={
                "ended_by": "console" if self._hung_up else (disconnect or "unknown"),
                "disconnect_type": disconnect,
                "connected": self._connected_at is not None,
            },
        )
