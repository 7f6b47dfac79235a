"""Test calls (genesys-api.md §8.1-8.3): create (user token or on behalf of a user), get, hang up.

A call first has only the caller's leg (purpose ``user``, or ``agent`` with ``callFromQueueId``),
``alerting`` while the caller's station rings. After ``station_answer`` seconds (``never``: it is
not answered) the caller leg is ``connected`` and the far end appears (``external``, or
``customer`` with ``callFromQueueId``), ``dialing`` for ``call_connect_after`` seconds, then
``connected``. A station still ringing after ``station_timeout`` seconds ends the call: the caller
leg is ``terminated`` with ``errorInfo.code`` ``error.ininedgecontrol.connection.timeout`` and the
far end is never created. A PATCH of a participant (or of the conversation) to ``disconnected``
ends the call. Time is the request's ``now`` (the sandbox clock).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from console.sandbox.errors import ApiError, bad_request, not_found
from console.sandbox.org import USER_CONTEXT_MESSAGE
from console.sandbox.store import HOME_DIVISION_ID, SandboxState
from console.sandbox.wire import Request, Response, Route, iso, new_id

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_FORMATTING = re.compile(r"[\s\-().]")
STATION_TIMEOUT_CODE = "error.ininedgecontrol.connection.timeout"
"""``errorInfo.code`` of a caller leg whose station was not answered (genesys-api.md §8.3)."""
_SUPPORTED = (
    "phoneNumber",
    "callerId",
    "callerIdName",
    "attributes",
    "externalContactId",
    "label",
    "uuiData",
    "callFromQueueId",
)
_UNSUPPORTED = (
    "callQueueId",
    "callUserId",
    "conversationIds",
    "participants",
    "routingSkillsIds",
    "routingSkillExpression",
    "languageId",
    "priority",
)


def normalise_number(raw: str) -> str | None:
    """Strip formatting characters; the E.164 number, or None when it is not one."""
    number = _FORMATTING.sub("", raw)
    return number if _E164.fullmatch(number) else None


def _create(req: Request, user_id: str) -> Response:
    body = req.json_object()
    state = req.state
    for key in _UNSUPPORTED:
        if body.get(key) is not None:
            raise bad_request(
                f"{key} is not supported by the sandbox; place calls with phoneNumber.", field=key
            )
    raw = body.get("phoneNumber")
    if raw is None or raw == "":
        raise bad_request("phoneNumber is required.", field="phoneNumber")
    if not isinstance(raw, str):
        raise bad_request("phoneNumber must be a string.", field="phoneNumber")
    number = normalise_number(raw)
    bad_mode = state.switch("call_bad_number")
    if number is None and bad_mode == "reject":
        raise ApiError(
            400,
            "bad.request",
            f"The phone number [{raw}] is not a valid E.164 number.",
            message_with_params="The phone number [{phoneNumber}] is not a valid E.164 number.",
            params={"phoneNumber": raw},
            field="phoneNumber",
        )
    caller_id = body.get("callerId")
    if caller_id is not None and (not isinstance(caller_id, str) or normalise_number(caller_id) is None):
        raise bad_request(f"callerId [{caller_id}] is not a valid E.164 number.", field="callerId")
    attributes = body.get("attributes")
    if attributes is not None and (
        not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values())
    ):
        raise bad_request("attributes must be an object of string values.", field="attributes")
    ext_id = body.get("externalContactId")
    queue_id = body.get("callFromQueueId")
    queue = None
    if queue_id is not None:
        queue = next((q for q in state.queues if q["id"] == queue_id), None)
        if queue is None:
            raise bad_request(
                f"callFromQueueId [{queue_id}] is not a queue of this organization.", field="callFromQueueId"
            )
    with state.lock:
        if ext_id is not None and ext_id not in state.external_contacts:
            raise bad_request(f"externalContactId [{ext_id}] does not exist.", field="externalContactId")
        user = state.user(user_id)
        assert user is not None
        cid = new_id()
        now = req.now
        conv = {
            "id": cid,
            "created": now,
            "badNumber": number is None,
            "raw": raw,
            "address": f"tel:{number or raw}",
            "user": user,
            "queue": queue,
            "callerPid": new_id(),
            "farPid": new_id(),
            "answered": None,
            "timedOut": None,
            "connected": None,
            "failed": None,
            "callerId": caller_id,
            "callerIdName": body.get("callerIdName"),
            "attributes": attributes or {},
            "externalContactId": ext_id,
            "ended": None,
            "endedBy": None,
            "held": False,
            "muted": False,
        }
        state.conversations[cid] = conv
    return Response(200, {"id": cid, "selfUri": f"/api/v2/conversations/calls/{cid}"})


def create_as_user(req: Request) -> Response:
    """``POST /api/v2/conversations/calls``: needs a user token."""
    assert req.token is not None
    if req.token.user_id is None:
        status = int(req.state.switch("client_credentials_user_call"))
        if status == 403:
            raise ApiError(
                403,
                "not.authorized",
                "You are not authorized to perform the requested action. " + USER_CONTEXT_MESSAGE,
            )
        raise ApiError(400, "bad.request", USER_CONTEXT_MESSAGE)
    return _create(req, req.token.user_id)


def create_for_user(req: Request) -> Response:
    """``POST /api/v2/conversations/calls/user/{userId}``: a call on behalf of a user."""
    if req.state.user(req.params["uid"]) is None:
        raise not_found(req.params["uid"], "User")
    return _create(req, req.params["uid"])


def seconds_switch(name: str, value: str, *, never: bool = False) -> str:
    """Validate a seconds switch (``station_answer`` also takes ``never``); the value, or ValueError."""
    if never and value == "never":
        return value
    try:
        ok = float(value) >= 0
    except ValueError:
        ok = False
    if not ok:
        extra = " or 'never'" if never else ""
        raise ValueError(f"switch {name!r} takes seconds >= 0{extra}; got {value!r}")
    return value


SWITCH_CHECKS: dict[str, Callable[[str], str]] = {
    "call_connect_after": lambda v: seconds_switch("call_connect_after", v),
    "station_answer": lambda v: seconds_switch("station_answer", v, never=True),
    "station_timeout": lambda v: seconds_switch("station_timeout", v),
}
"""The call switches' value checks (docs/sandbox-control.md); the server applies them on control."""


def _settle(conv: dict[str, Any], state: SandboxState, now: float) -> None:
    """Latch what has happened by ``now``: the station answered or timed out, the far end connected or failed.

    The switches are read when the call is looked at (they describe the station and the network now);
    a transition already seen stays, so changing a switch never rewinds a call.
    """
    if conv["ended"] is not None:  # settled when it was hung up (_end)
        return
    limit = now
    if conv["answered"] is None and conv["timedOut"] is None:
        answer = state.switch("station_answer")
        answer_at = None if answer == "never" else conv["created"] + float(answer)
        timeout_at = conv["created"] + float(state.switch("station_timeout"))
        if answer_at is not None and answer_at <= limit and answer_at <= timeout_at:
            conv["answered"] = answer_at
        elif timeout_at <= limit:
            conv["timedOut"] = timeout_at
    if conv["answered"] is not None and conv["connected"] is None and conv["failed"] is None:
        connect_at = max(conv["answered"] + float(state.switch("call_connect_after")), conv["answered"])
        if connect_at <= limit:
            conv["connected" if not conv["badNumber"] else "failed"] = connect_at


def transition_times(conv: dict[str, Any], state: SandboxState) -> list[float]:
    """Sandbox times at which the call changes by itself under the switches now.

    The station answering or timing out, the far end connecting or failing; the notification watcher
    renders the call at each.
    """
    if conv["ended"] is not None:
        return []
    timeout_at = conv["created"] + float(state.switch("station_timeout"))
    answered = conv["answered"]
    if answered is None and conv["timedOut"] is None:
        answer = state.switch("station_answer")
        answer_at = None if answer == "never" else conv["created"] + float(answer)
        if answer_at is not None and answer_at <= timeout_at:
            answered = answer_at
    if answered is None:
        return [timeout_at] if conv["timedOut"] is None else []
    return [answered, max(answered + float(state.switch("call_connect_after")), answered)]


def _end_time(conv: dict[str, Any]) -> float | None:
    """When the call ended (hung up, station timed out, or the number failed), else None."""
    ends = [t for t in (conv["ended"], conv["timedOut"], conv["failed"]) if t is not None]
    return min(ends) if ends else None


def is_over(conv: dict[str, Any]) -> bool:
    """Whether the (settled) call has ended."""
    return _end_time(conv) is not None


def _ref(kind: str, entity_id: str) -> dict[str, str]:
    return {"id": entity_id, "selfUri": f"/api/v2/{kind}/{entity_id}"}


def _caller_leg(conv: dict[str, Any], end: float | None) -> dict[str, Any]:
    user = conv["user"]
    queue = conv["queue"]
    if conv["timedOut"] is not None and end == conv["timedOut"]:
        state, disconnect = "terminated", "error"
    elif end is not None:
        state = "disconnected"
        disconnect = "peer" if conv["failed"] == end or conv["endedBy"] == "far" else "client"
    else:
        state, disconnect = ("connected" if conv["answered"] is not None else "alerting"), None
    timed_out = state == "terminated"
    return {
        "id": conv["callerPid"],
        "name": user["name"],
        "address": f"sip:{user['id']}@sandbox.example",
        "purpose": "agent" if queue else "user",
        "state": state,
        "direction": "outbound",
        "startTime": iso(conv["created"]),
        "startAlertingTime": iso(conv["created"]),
        "connectedTime": iso(conv["answered"]) if conv["answered"] is not None else None,
        "endTime": iso(end) if end is not None else None,
        "disconnectType": disconnect,
        "held": conv["held"],
        "muted": conv["muted"],
        "user": _ref("users", user["id"]),
        "queue": _ref("routing/queues", queue["id"]) if queue else None,
        "ani": conv["callerId"],
        "dnis": conv["address"],
        "errorInfo": (
            {
                "code": STATION_TIMEOUT_CODE,
                "message": "The call was not answered at the caller's station before the timeout.",
            }
            if timed_out
            else None
        ),
    }


def _far_leg(conv: dict[str, Any], end: float | None) -> dict[str, Any]:
    failed = conv["failed"] is not None and end == conv["failed"]
    if end is not None:
        state = "disconnected"
        disconnect = "error" if failed else ("client" if conv["endedBy"] == "far" else "peer")
    else:
        state, disconnect = ("connected" if conv["connected"] is not None else "dialing"), None
    queue = conv["queue"]
    ext_id = conv["externalContactId"]
    return {
        "id": conv["farPid"],
        "name": conv["callerIdName"],
        "address": conv["address"],
        "purpose": "customer" if queue else "external",
        "state": state,
        "direction": "outbound",
        "startTime": iso(conv["answered"]),
        "connectedTime": iso(conv["connected"]) if conv["connected"] is not None else None,
        "endTime": iso(end) if end is not None else None,
        "disconnectType": disconnect,
        "held": False,
        "muted": False,
        "queue": _ref("routing/queues", queue["id"]) if queue else None,
        "attributes": conv["attributes"],
        "ani": conv["callerId"],
        "dnis": conv["address"],
        "externalContact": _ref("externalcontacts/contacts", ext_id) if ext_id else None,
        "errorInfo": (
            {
                "code": "error.ininedgecontrol.connection.invalid.number",
                "message": f"The phone number [{conv['raw']}] could not be dialed.",
            }
            if failed
            else None
        ),
    }


def render(conv: dict[str, Any], state: SandboxState, now: float) -> dict[str, Any]:
    """CallConversation JSON at ``now`` (settles the call first; call under the state lock)."""
    _settle(conv, state, now)
    end = _end_time(conv)
    participants = [_caller_leg(conv, end)]
    if conv["answered"] is not None:  # the far end exists only once the station answered
        participants.append(_far_leg(conv, end))
    return {
        "id": conv["id"],
        "participants": participants,
        "otherMediaUris": [],
        "recordingState": "none",
        "maxParticipants": 2,
        "divisions": [
            {
                "division": {
                    "id": HOME_DIVISION_ID,
                    "selfUri": f"/api/v2/authorization/divisions/{HOME_DIVISION_ID}",
                },
                "entities": [],
            }
        ],
        "selfUri": f"/api/v2/conversations/calls/{conv['id']}",
    }


def _conv(state: SandboxState, cid: str) -> dict[str, Any]:
    conv = state.conversations.get(cid)
    if conv is None:
        raise not_found(cid, "Conversation")
    return conv


def get(req: Request) -> Response:
    """``GET /api/v2/conversations/calls/{conversationId}``."""
    with req.state.lock:
        return Response(200, render(_conv(req.state, req.params["cid"]), req.state, req.now))


def active(req: Request) -> Response:
    """``GET /api/v2/conversations/calls``: the calling user's active calls."""
    assert req.token is not None
    if req.token.user_id is None:
        raise ApiError(400, "bad.request", USER_CONTEXT_MESSAGE)
    now = req.now
    with req.state.lock:
        mine = [c for c in req.state.conversations.values() if c["user"]["id"] == req.token.user_id]
        items = [render(c, req.state, now) for c in mine]
        items = [item for c, item in zip(mine, items, strict=True) if not is_over(c)]
    return Response(200, {"entities": items, "selfUri": "/api/v2/conversations/calls"})


def _end(conv: dict[str, Any], state: SandboxState, now: float, by: str) -> None:
    _settle(conv, state, now)  # what happened before the hang-up stays (a far end that connected)
    if conv["ended"] is None and not is_over(conv):
        conv["ended"] = now
        conv["endedBy"] = by


def patch_participant(req: Request) -> Response:
    """``PATCH .../participants/{participantId}``: ``{"state": "disconnected"}`` hangs up → 202."""
    body = req.json_object()
    with req.state.lock:
        conv = _conv(req.state, req.params["cid"])
        pid = req.params["pid"]
        _settle(conv, req.state, req.now)
        if pid != conv["callerPid"] and (pid != conv["farPid"] or conv["answered"] is None):
            raise not_found(pid, "Participant")
        state_value = body.get("state")
        if state_value is not None and state_value != "disconnected":
            raise ApiError(
                400,
                "invalid.value",
                f"Value [{state_value}] is not valid for field type [state]. "
                "Allowable values are: disconnected",
                field="state",
            )
        for key in ("held", "muted", "recording", "wrapupSkipped"):
            if body.get(key) is not None and not isinstance(body[key], bool):
                raise bad_request(f"{key} must be true or false.", field=key)
        if pid == conv["callerPid"]:
            for key in ("held", "muted"):
                if body.get(key) is not None:
                    conv[key] = body[key]
        if state_value == "disconnected":
            _end(conv, req.state, req.now, "caller" if pid == conv["callerPid"] else "far")
    return Response(202, None)


def patch_conversation(req: Request) -> Response:
    """``PATCH /api/v2/conversations/calls/{id}`` with ``{"state": "disconnected"}`` → 200 Conversation."""
    body = req.json_object()
    if body.get("state") != "disconnected":
        raise bad_request("state must be disconnected (the only valid state on update).", field="state")
    with req.state.lock:
        conv = _conv(req.state, req.params["cid"])
        _end(conv, req.state, req.now, "caller")
        return Response(200, render(conv, req.state, req.now))


_CALL = "/api/v2/conversations/calls/(?P<cid>[^/]+)"
ROUTES = [
    Route("POST", "/api/v2/conversations/calls", create_as_user, "conversation:call:add"),
    Route("GET", "/api/v2/conversations/calls", active, "conversation:communication:view"),
    Route(
        "POST", "/api/v2/conversations/calls/user/(?P<uid>[^/]+)", create_for_user, "conversation:call:add"
    ),
    Route("GET", _CALL, get, "conversation:communication:view"),
    Route("PATCH", _CALL, patch_conversation, "conversation:communication:disconnect"),
    Route(
        "PATCH",
        _CALL + "/participants/(?P<pid>[^/]+)",
        patch_participant,
        "conversation:communication:disconnect",
    ),
]
