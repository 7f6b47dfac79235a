"""Connect-time lookups (genesys-api.md §3).

Organization, divisions, users, queues, tokens/me, authorization/subjects/me, attempt limits.
"""

from __future__ import annotations

from typing import Any

from console.sandbox.errors import ApiError, not_found
from console.sandbox.store import HOME_DIVISION_ID, ORG_ID, seed_id
from console.sandbox.wire import Request, Response, Route, iso, page

_CREATED = 1704067200.0  # 2024-01-01T00:00:00.000Z, the seed's creation date
USER_CONTEXT_MESSAGE = (
    "This request requires a user context. Client credentials cannot be used for requests to this resource."
)


def _division(d: dict[str, Any]) -> dict[str, Any]:
    return {**d, "selfUri": f"/api/v2/authorization/divisions/{d['id']}"}


def _user(req: Request, u: dict[str, Any]) -> dict[str, Any]:
    return {
        **u,
        "state": "active",
        "version": 1,
        "division": req.state.division_ref(HOME_DIVISION_ID),
        "selfUri": f"/api/v2/users/{u['id']}",
    }


def _name_filter(req: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    name = req.q("name")
    ids = req.q_list("id")
    if name:
        items = [i for i in items if name.lower() in i["name"].lower()]
    if ids:
        items = [i for i in items if i["id"] in ids]
    return items


def organization(req: Request) -> Response:
    """``GET /api/v2/organizations/me``."""
    return Response(200, req.state.org)


def divisions(req: Request) -> Response:
    """``GET /api/v2/authorization/divisions``."""
    items = _name_filter(req, list(req.state.divisions))
    return Response(200, page(req, items, _division))


def home_division(req: Request) -> Response:
    """``GET /api/v2/authorization/divisions/home``."""
    return Response(200, _division(req.state.divisions[0]))


def division(req: Request) -> Response:
    """``GET /api/v2/authorization/divisions/{divisionId}``."""
    d = next((d for d in req.state.divisions if d["id"] == req.params["id"]), None)
    if d is None:
        raise not_found(req.params["id"], "Division")
    return Response(200, _division(d))


def users(req: Request) -> Response:
    """``GET /api/v2/users``."""
    items = list(req.state.users)
    ids = req.q_list("id")
    if ids:
        items = [u for u in items if u["id"] in ids]
    return Response(200, page(req, items, lambda u: _user(req, u), max_size=500))


def user(req: Request) -> Response:
    """``GET /api/v2/users/{userId}``."""
    u = req.state.user(req.params["id"])
    if u is None:
        raise not_found(req.params["id"], "User")
    return Response(200, _user(req, u))


def users_me(req: Request) -> Response:
    """``GET /api/v2/users/me``: user tokens only; client credentials get the 400 of §3."""
    assert req.token is not None
    if req.token.user_id is None:
        raise ApiError(400, "bad.request", USER_CONTEXT_MESSAGE)
    u = req.state.user(req.token.user_id)
    assert u is not None
    body = _user(req, u)
    expand = set(req.q_list("expand"))
    if "organization" in expand:
        body["organization"] = req.state.org
    if "token" in expand:
        body["token"] = _token_info(req)
    return Response(200, body)


def _token_info(req: Request) -> dict[str, Any]:
    assert req.token is not None
    client = req.token.client
    org_ref = {"id": ORG_ID, "name": "Sandbox Org", "selfUri": f"/api/v2/organizations/{ORG_ID}"}
    return {
        "organization": org_ref,
        "homeOrganization": {"id": ORG_ID, "name": "Sandbox Org", "thirdPartyOrgName": "sandbox-org"},
        "authorizedScope": [] if req.token.user_id is None else ["outbound", "conversations", "users"],
        "OAuthClient": {
            "id": client.client_id,
            "name": client.name,
            "dateCreated": iso(_CREATED),
            "authorizedGrantType": "CODE" if client.grant == "PKCE" else client.grant,
            "state": "active",
            "organization": org_ref,
        },
    }


def tokens_me(req: Request) -> Response:
    """``GET``/``HEAD /api/v2/tokens/me``."""
    return Response(200, _token_info(req))


def delete_token_me(req: Request) -> Response:
    """``DELETE /api/v2/tokens/me``: revokes the calling token."""
    assert req.token is not None
    req.token.revoked = True
    return Response(200, None)


def _policies(permissions: frozenset[str]) -> list[dict[str, Any]]:
    """``domain:entity:action`` permissions as AuthzGrantPolicy items (one per domain and entity)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for perm in sorted(permissions):
        domain, entity, action = [*perm.split(":"), "*", "*"][:3]
        grouped.setdefault((domain, entity), []).append(action)
    return [{"domain": d, "entityName": e, "actions": a} for (d, e), a in grouped.items()]


def subjects_me(req: Request) -> Response:
    """``GET /api/v2/authorization/subjects/me``: the caller's roles and permissions (SDK AuthzSubject).

    A user token answers for the user; a client-credentials token for the OAuth client (which subject a
    real org answers for then is [U], genesys-api.md §13). One role, granted in the home division,
    carries every permission of the token.
    """
    assert req.token is not None
    client = req.token.client
    if req.token.user_id is not None:
        u = req.state.user(req.token.user_id)
        assert u is not None
        subject_id, name = u["id"], u["name"]
        role_name = "Outbound Supervisor"
    else:
        subject_id, name = client.client_id, client.name
        role_name = f"{client.name} role"
    home = next(d for d in req.state.divisions if d["id"] == HOME_DIVISION_ID)
    role_id = seed_id(f"role:{role_name}")
    grant = {
        "subjectId": subject_id,
        "division": {
            "id": home["id"],
            "name": home["name"],
            "homeDivision": True,
            "selfUri": f"/api/v2/authorization/divisions/{home['id']}",
        },
        "role": {
            "id": role_id,
            "name": role_name,
            "description": "Sandbox role with the permissions of this token.",
            "policies": _policies(req.token.permissions),
            "default": False,
            "selfUri": f"/api/v2/authorization/roles/{role_id}",
        },
        "grantMadeAt": iso(_CREATED),
    }
    return Response(
        200,
        {
            "id": subject_id,
            "name": name,
            "grants": [grant],
            "version": 1,
            "selfUri": f"/api/v2/authorization/subjects/{subject_id}",
        },
    )


def queues(req: Request) -> Response:
    """``GET /api/v2/routing/queues``."""
    items = _name_filter(req, list(req.state.queues))

    def render(q: dict[str, Any]) -> dict[str, Any]:
        return {
            **q,
            "division": req.state.division_ref(HOME_DIVISION_ID),
            "dateCreated": iso(_CREATED),
            "memberCount": 2,
            "selfUri": f"/api/v2/routing/queues/{q['id']}",
        }

    return Response(200, page(req, items, render))


def attempt_limits(req: Request) -> Response:
    """``GET /api/v2/outbound/attemptlimits``."""
    items = _name_filter(req, list(req.state.attempt_limits))

    def render(a: dict[str, Any]) -> dict[str, Any]:
        return {
            **a,
            "dateCreated": iso(_CREATED),
            "dateModified": iso(_CREATED),
            "selfUri": f"/api/v2/outbound/attemptlimits/{a['id']}",
        }

    return Response(200, page(req, items, render))


ROUTES = [
    Route("GET", "/api/v2/organizations/me", organization),
    Route("GET", "/api/v2/authorization/divisions", divisions),
    Route("GET", "/api/v2/authorization/divisions/home", home_division),
    Route("GET", "/api/v2/authorization/divisions/(?P<id>[^/]+)", division),
    Route("GET", "/api/v2/users", users),
    Route("GET", "/api/v2/users/me", users_me),
    Route("GET", "/api/v2/users/(?P<id>[^/]+)", user),
    Route("GET", "/api/v2/tokens/me", tokens_me),
    Route("DELETE", "/api/v2/tokens/me", delete_token_me),
    Route("GET", "/api/v2/authorization/subjects/me", subjects_me),
    Route("GET", "/api/v2/routing/queues", queues, "routing:queue:view"),
    Route("GET", "/api/v2/outbound/attemptlimits", attempt_limits, "outbound:attemptLimits:view"),
]
