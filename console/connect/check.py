"""The connection test: token, organization, token info, user context and permission probes.

Runs on a worker thread (no Qt); the session controller shows its :class:`ConnectionReport`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from console.api.auth import AccessToken, ClientCredentialsAuth, UserTokenAuth
from console.api.client import GenesysClient
from console.api.errors import ApiStatusError, PermissionDeniedError
from console.api.models import ContactList, CreateCallRequest, WritableDialerContact
from console.api.ratelimit import RateLimitState
from console.connect.profiles import region_label
from console.credentials import Profile
from console.errors import Cancelled

__all__ = ["ConnectionReport", "PermissionCheck", "permission_checks", "run_connection_test"]


@dataclass(frozen=True)
class PermissionCheck:
    """Whether the credentials may perform one of the console's actions.

    Attributes:
        action: The console action in words ("Browse contact lists").
        permission: The Genesys permission it needs.
        allowed: True/False, or None when the probe could not tell.
        detail: What the probe saw (decoded 403, status).
        method: "read" (a GET) or "dry-run" (an empty write the server must refuse; nothing is created).
    """

    action: str
    permission: str
    allowed: bool | None
    detail: str
    method: str = "read"


@dataclass(frozen=True)
class ConnectionReport:
    """The result of "Test connection".

    Attributes:
        profile_name: Profile tested.
        org_name: Organization name.
        org_id: Organization id.
        region: Region name or custom base URL.
        grant: How the token was obtained, in words.
        token_type: ``bearer``.
        token_lifetime: Seconds the token is valid for, when known.
        user: "Name <email>" when the token has a user context, else None.
        checks: One entry per console action.
        rate_limit: The budget reported by the last answer.
    """

    profile_name: str
    org_name: str
    org_id: str
    region: str
    grant: str
    token_type: str
    token_lifetime: float | None
    user: str | None
    checks: list[PermissionCheck] = field(default_factory=list)
    rate_limit: RateLimitState | None = None



def _lifetime(token: AccessToken | None) -> float | None:
    if token is None or token.expires_at is None:
        return None
    return round(token.expires_at - time.monotonic())


_PROBE_ID = "00000000-0000-0000-0000-000000000000"
"""An id that names nothing: the target of the dry-run write probes."""


def _probe(
    action: str, permission: str, call: Callable[[], object], *, dry_run: bool = False
) -> PermissionCheck:
    method = "dry-run" if dry_run else "read"
    try:
        call()
    except PermissionDeniedError as exc:
        missing = ", ".join(exc.missing_permissions) or permission
        return PermissionCheck(action, permission, False, f"403: missing {missing}", method)
    except ApiStatusError as exc:
        if dry_run and exc.status_code in (400, 404, 409, 413, 415):
            # the permission check passed; only the deliberately empty request was refused
            return PermissionCheck(
                action, permission, True, f"empty request refused with {exc.status_code}", method
            )
        return PermissionCheck(
            action, permission, None, f"{exc.status_code} {exc.code or ''}".strip(), method
        )
    if dry_run:
        return PermissionCheck(action, permission, True, "accepted", method)
    return PermissionCheck(action, permission, True, "200", method)


def permission_checks(client: GenesysClient, *, user_context: bool) -> list[PermissionCheck]:
    """Probe the console's actions: GETs for reading, empty (invalid) writes for writing.

    A write probe sends a body the server must refuse (no name, no columns, no number): a
    403 names the missing permission; a 400/404 means the permission check passed. Nothing
    is created either way.
    """

    def call_probe() -> object:
        if user_context:
            return client.create_call(CreateCallRequest())
        return client.create_call_for_user(_PROBE_ID, CreateCallRequest())

    return [
        _probe(
            "Browse contact lists",
            "outbound:contactList:view",
            lambda: client.list_contact_lists(page_size=1),
        ),
        _probe("Pick queues for test calls", "routing:queue:view", lambda: client.get_queues(page_size=1)),
        _probe(
            "Read attempt limits",
            "outbound:attemptLimits:view",
            lambda: client.get_attempt_limits(page_size=1),
        ),
        _probe(
            "Create contact lists",
            "outbound:contactList:add",
            lambda: client.create_contact_list(ContactList()),
            dry_run=True,
        ),
        _probe(
            "Upload contacts",
            "outbound:contact:add",
            lambda: client.add_contacts(
                _PROBE_ID, [WritableDialerContact.model_validate({"contactListId": _PROBE_ID, "data": {}})]
            ),
            dry_run=True,
        ),
        _probe("Place test calls", "conversation:call:add", call_probe, dry_run=True),
    ]


def run_connection_test(
    client: GenesysClient, profile: Profile, *, cancel: threading.Event | None = None
) -> ConnectionReport:
    """Token, org, token info, user context and permission probes, in that order."""
    org = client.get_organization()  # gets the token first (client credentials)
    user: str | None = None
    user_token = isinstance(client.auth, UserTokenAuth)
    if user_token:
        me = client.get_me()
        user = f"{me.name} <{me.email}>" if me.email else (me.name or me.id)
    info = client.get_token_info()
    token = client.auth.token if isinstance(client.auth, ClientCredentialsAuth | UserTokenAuth) else None
    if cancel is not None and cancel.is_set():
        raise Cancelled
    checks = permission_checks(client, user_context=user_token)
    grant = "user login (PKCE)" if user_token else "client credentials"
    if info.oauth_client and info.oauth_client.get("name"):
        grant += f', OAuth client "{info.oauth_client["name"]}"'
    return ConnectionReport(
        profile_name=profile.name,
        org_name=org.name or "?",
        org_id=org.id or "?",
        region=region_label(profile),
        grant=grant,
        token_type=token.token_type if token else "bearer",
        token_lifetime=_lifetime(token),
        user=user,
        checks=checks,
        rate_limit=client.rate_limit,
    )

