"""Test calls (genesys-api.md §8): create (user token or on behalf of a user), get, hang up.

A conversation has a ``user`` participant (the caller) and an ``external`` participant
(``address: tel:+...``). Both are ``dialing`` until ``call_connect_after`` seconds have passed,
then ``connected``; a PATCH of a participant to ``disconnected`` ends the call.
"""

from __future__ import annotations

import re
from typing import Any

from console.sandbox.errors import ApiError, bad_request, not_found
from console.sandbox.org import USER_CONTEXT_MESSAGE
from console.sandbox.store import HOME_DIVISION_ID, SandboxState
from console.sandbox.wire import Request, Response, Route, iso, new_id

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_FORMATTING = re.compile(r"[\s\-().]")
_SUPPORTED = (
    "phoneNumber",
    "callerId",
    "callerIdName",
    "attributes",
    "externalContactId",
    "label",
    "uuiData",
)
_UNSUPPORTED = (
    "callFromQueueId",
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
            "connectAfter": float(state.switch("call_connect_after")),
            "badNumber": number is None,
            "raw": raw,
            "address": f"tel:{number or raw}",
            "user": user,
            "userPid": new_id(),
            "externalPid": new_id(),
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


def _participant_states(conv: dict[str, Any], now: float) -> tuple[str, str, float | None]:
    """(user state, external state, connected time) at ``now``."""
    connect_at = conv["created"] + conv["connectAfter"]
    ended = conv["ended"]
    if conv["badNumber"] and (ended is None or ended > connect_at) and now >= connect_at:
        return "disconnected", "disconnected", None
    if ended is not None:
        return "disconnected", "disconnected", connect_at if ended >= connect_at else None
    if now >= connect_at:
        return "connected", "connected", connect_at
    return "dialing", "dialing", None


def render(conv: dict[str, Any], now: float) -> dict[str, Any]:
    """CallConversation JSON at ``now``."""
    user_state, ext_state, connected = _participant_states(conv, now)
    connect_at = conv["created"] + conv["connectAfter"]
    failed = conv["badNumber"] and (conv["ended"] is None or conv["ended"] > connect_at) and now >= connect_at
    end = connect_at if failed else conv["ended"]
    by = conv["endedBy"]
    user = conv["user"]
    user_part: dict[str, Any] = {
        "id": conv["userPid"],
        "name": user["name"],
        "address": f"sip:{user['id']}@sandbox.example",
        "purpose": "user",
        "state": user_state,
        "direction": "outbound",
        "startTime": iso(conv["created"]),
        "connectedTime": iso(connected) if connected else None,
        "endTime": iso(end) if end else None,
        "disconnectType": None if end is None else ("peer" if failed or by == "external" else "client"),
        "held": conv["held"],
        "muted": conv["muted"],
        "user": {"id": user["id"], "selfUri": f"/api/v2/users/{user['id']}"},
        "ani": conv["callerId"],
        "dnis": conv["address"],
    }
    ext_part: dict[str, Any] = {
        "id": conv["externalPid"],
        "name": conv["callerIdName"],
        "address": conv["address"],
        "purpose": "external",
        "state": ext_state,
        "direction": "outbound",
        "startTime": iso(conv["created"]),
        "connectedTime": iso(connected) if connected else None,
        "endTime": iso(end) if end else None,
        "disconnectType": None
        if end is None
        else ("error" if failed else ("client" if by == "external" else "peer")),
        "held": False,
        "muted": False,
        "attributes": conv["attributes"],
        "ani": conv["callerId"],
        "dnis": conv["address"],
        "externalContact": (
            {
                "id": conv["externalContactId"],
                "selfUri": f"/api/v2/externalcontacts/contacts/{conv['externalContactId']}",
            }
            if conv["externalContactId"]
            else None
        ),
        "errorInfo": (
            {
                "code": "error.ininedgecontrol.connection.invalid.number",
                "message": f"The phone number [{conv['raw']}] could not be dialed.",
            }
            if failed
            else None
        ),
    }
    return {
        "id": conv["id"],
        "participants": [user_part, ext_part],
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
        return Response(200, render(_conv(req.state, req.params["cid"]), req.now))


def active(req: Request) -> Response:
    """``GET /api/v2/conversations/calls``: the calling user's active calls."""
    assert req.token is not None
    if req.token.user_id is None:
        raise ApiError(400, "bad.request", USER_CONTEXT_MESSAGE)
    now = req.now
    with req.state.lock:
        items = [
            render(c, now) for c in req.state.conversations.values() if c["user"]["id"] == req.token.user_id
        ]
    items = [c for c in items if c["participants"][0]["state"] != "disconnected"]
    return Response(200, {"entities": items, "selfUri": "/api/v2/conversations/calls"})


def _end(conv: dict[str, Any], now: float, by: str) -> None:
    if conv["ended"] is None:
        conv["ended"] = now
        conv["endedBy"] = by


def patch_participant(req: Request) -> Response:
    """``PATCH .../participants/{participantId}``: ``{"state": "disconnected"}`` hangs up → 202."""
    body = req.json_object()
    with req.state.lock:
        conv = _conv(req.state, req.params["cid"])
        pid = req.params["pid"]
        if pid not in (conv["userPid"], conv["externalPid"]):
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
        if pid == conv["userPid"]:
            for key in ("held", "muted"):
                if body.get(key) is not None:
                    conv[key] = body[key]
        if state_value == "disconnected":
            _end(conv, req.now, "user" if pid == conv["userPid"] else "external")
    return Response(202, None)


def patch_conversation(req: Request) -> Response:
    """``PATCH /api/v2/conversations/calls/{id}`` with ``{"state": "disconnected"}`` → 200 Conversation."""
    body = req.json_object()
    if body.get("state") != "disconnected":
        raise bad_request("state must be disconnected (the only valid state on update).", field="state")
    with req.state.lock:
        conv = _conv(req.state, req.params["cid"])
        _end(conv, req.now, "user")
        return Response(200, render(conv, req.now))


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
