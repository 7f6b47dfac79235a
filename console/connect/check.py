"""The connection test: token, organization, token info, user context and the user's permissions.

It only reads (genesys-api.md §1.6, §3, §13): ``GET /organizations/me``, ``GET /tokens/me``, and for a
user token ``GET /users/me`` and ``GET /authorization/subjects/me``, whose role grants list the
permissions each console action needs. Nothing is written to the org and no request is sent to see
whether it is refused. What cannot be read that way (the roles of a client-credentials OAuth client:
which subject ``subjects/me`` answers for then is not documented) is marked "checked when first used".

Runs on a worker thread (no Qt); the session controller shows its :class:`ConnectionReport`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from console.api.auth import AccessToken, ClientCredentialsAuth, UserTokenAuth
from console.api.client import GenesysClient
from console.api.errors import ApiConnectionError, ApiStatusError, ApiTimeoutError, AuthenticationError
from console.api.ratelimit import RateLimitState
from console.connect.client import ClientSpec
from console.connect.profiles import endpoint_for, region_label
from console.connect.signin import sign_in_expired
from console.credentials import Profile
from console.errors import Cancelled

__all__ = [
    "CONSOLE_ACTIONS",
    "FIRST_USE",
    "TEST_LIMITS",
    "ConnectionReport",
    "PermissionCheck",
    "TestLimits",
    "connection_cause",
    "granted_permissions",
    "permission_checks",
    "run_connection_test",
]

FIRST_USE = "checked when first used"
"""The detail of an action whose permission the test cannot read."""

CONSOLE_ACTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Browse contact lists", ("outbound:contactList:view",)),
    ("Pick queues for test calls", ("routing:queue:view",)),
    ("Read attempt limits", ("outbound:attemptLimits:view",)),
    ("Create contact lists", ("outbound:contactList:add",)),
    ("Update contact lists", ("outbound:contactList:edit",)),
    ("Upload contacts", ("outbound:contact:add",)),
    ("Import a CSV file", ("outbound:contactList:upload", "outbound:contact:add")),
    ("Read import failures (event log)", ("outbound:eventLog:view",)),
    ("Place test calls", ("conversation:call:add",)),
    ("Hang up test calls", ("conversation:communication:disconnect",)),
    ("Find external contacts", ("externalContacts:contact:view",)),
    ("Create external contacts", ("externalContacts:contact:add",)),
)
"""Every console action and the Genesys permissions it needs (genesys-api.md §4, §5, §6, §8)."""


@dataclass(frozen=True)
class PermissionCheck:
    """Whether the credentials may perform one of the console's actions.

    Attributes:
        action: The console action in words ("Browse contact lists").
        permission: The Genesys permissions it needs (comma-separated).
        allowed: True/False from the user's roles, or None when they cannot be read here.
        detail: Where the answer comes from ("role Outbound Supervisor", "missing ...",
            :data:`FIRST_USE`).
        method: "roles" (read from ``authorization/subjects/me``) or "first use" (not readable).
    """

    action: str
    permission: str
    allowed: bool | None
    detail: str
    method: str = "roles"


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


@dataclass(frozen=True)
class TestLimits:
    """How long "Test connection" may take: it reports, it never waits for a region that does not answer.

    Attributes:
        connect: Seconds to open a connection.
        read: Seconds to wait for one answer.
        total: Seconds for the whole test; then its requests are aborted and it ends "no answer".
    """

    __test__ = False  # not a pytest class

    connect: float = 4.0
    read: float = 6.0
    total: float = 9.5

    def apply(self, spec: ClientSpec) -> ClientSpec:
        """``spec`` with these time-outs."""
        return dataclasses.replace(spec, connect_timeout=self.connect, timeout=self.read)


TEST_LIMITS = TestLimits()
"""The default limits: an unreachable region ends the test within 10 s (issue 16)."""


class TestDeadline:
    """Aborts a test's requests when its total time is up (``abort`` is the test's own transport's).

    Use as a context manager around the test; :attr:`expired` says whether it fired.
    """

    __test__ = False  # not a pytest class

    def __init__(self, seconds: float, abort: Callable[[], None]) -> None:
        self.seconds = seconds
        self.expired = False
        self._abort = abort
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.expired = True
        self._abort()

    def __enter__(self) -> TestDeadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def connection_cause(exc: BaseException, profile: Profile) -> str:
    """What stopped a connection test that got no answer, in a sentence naming the host."""
    try:
        host = urlsplit(endpoint_for(profile).api_base).netloc
    except ValueError:
        host = profile.custom_url or profile.region
    text = str(exc).lower()
    if isinstance(exc, ApiTimeoutError):
        return f"{host} did not answer in time (a firewall, a proxy, or the wrong region)."
    if "refused" in text:
        return f"{host} refused the connection: nothing listens there (a wrong URL or port, or it stopped)."
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "resolve" in text:
        return f"{host} could not be found (no network, a DNS problem, or a wrong URL)."
    if isinstance(exc, ApiConnectionError):
        return f"{host} could not be reached: {exc}"
    return str(exc)


def _lifetime(token: AccessToken | None) -> float | None:
    if token is None or token.expires_at is None:
        return None
    return round(token.expires_at - time.monotonic())


def granted_permissions(subject: dict[str, Any]) -> dict[str, str]:
    """The ``domain:entity:action`` permissions of an AuthzSubject, each with the role that grants it.

    Reads ``grants[].role.policies[{domain, entityName, actions}]`` (SDK ``AuthzSubject``); ``*`` in
    a policy stays ``*`` (see :func:`_granted_by`). Odd items are skipped, never raised.
    """
    out: dict[str, str] = {}
    grants = subject.get("grants")
    for grant in grants if isinstance(grants, list) else []:
        role = grant.get("role") if isinstance(grant, dict) else None
        if not isinstance(role, dict):
            continue
        role_name = str(role.get("name") or role.get("id") or "?")
        policies = role.get("policies")
        for policy in policies if isinstance(policies, list) else []:
            if not isinstance(policy, dict):
                continue
            domain, entity = policy.get("domain"), policy.get("entityName")
            actions = policy.get("actions")
            if not isinstance(domain, str) or not isinstance(entity, str) or not isinstance(actions, list):
                continue
            for action in actions:
                if isinstance(action, str):
                    out.setdefault(f"{domain}:{entity}:{action}", role_name)
    return out


def _granted_by(permission: str, granted: dict[str, str]) -> str | None:
    """The role granting ``permission`` (``*`` in a granted entity or action matches anything), or None."""
    domain, entity, action = [*permission.split(":"), "*", "*"][:3]
    for candidate in (
        permission,
        f"{domain}:{entity}:*",
        f"{domain}:*:{action}",
        f"{domain}:*:*",
        "*:*:*",
    ):
        if candidate in granted:
            return granted[candidate]
    return None


def permission_checks(
    granted: dict[str, str] | None,
    actions: Iterable[tuple[str, tuple[str, ...]]] = CONSOLE_ACTIONS,
) -> list[PermissionCheck]:
    """One check per console action from the permissions the roles grant.

    Args:
        granted: :func:`granted_permissions` of the user; None when the roles cannot be read
            (client credentials): every action is then :data:`FIRST_USE`.
        actions: The actions and the permissions each needs.
    """
    checks = []
    for action, needs in actions:
        needed = ", ".join(needs)
        if granted is None:
            checks.append(PermissionCheck(action, needed, None, FIRST_USE, "first use"))
            continue
        roles = {p: _granted_by(p, granted) for p in needs}
        missing = [p for p, role in roles.items() if role is None]
        if missing:
            checks.append(PermissionCheck(action, needed, False, "missing " + ", ".join(missing)))
        else:
            names = sorted({r for r in roles.values() if r is not None})
            label = "role" if len(names) == 1 else "roles"
            checks.append(PermissionCheck(action, needed, True, f"{label} {', '.join(names)}"))
    return checks


def _user_permissions(client: GenesysClient) -> tuple[dict[str, str] | None, str | None]:
    """The user's granted permissions from ``GET /authorization/subjects/me``, or None and why not."""
    try:
        response = client.send_raw("GET", "/api/v2/authorization/subjects/me")
    except ApiStatusError as exc:
        return None, f"{exc.status_code} {exc.code or ''}".strip()
    try:
        body = response.json()
    except ValueError:
        return None, "the answer was not JSON"
    if not isinstance(body, dict):
        return None, "the answer was not an AuthzSubject"
    return granted_permissions(body), None


def run_connection_test(
    client: GenesysClient, profile: Profile, *, cancel: threading.Event | None = None
) -> ConnectionReport:
    """Token, org, token info, user context and the user's permissions, in that order; reads only.

    Raises:
        SignInExpiredError: The signed-in user's token was refused (401): the user must sign in again.
    """
    if not isinstance(client.auth, UserTokenAuth):
        return _run(client, profile, cancel)
    try:
        return _run(client, profile, cancel)
    except AuthenticationError as exc:
        raise sign_in_expired(exc) from exc


def _run(client: GenesysClient, profile: Profile, cancel: threading.Event | None) -> ConnectionReport:
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
    checks = permission_checks(None)  # client credentials: the OAuth client's roles are not readable
    if user_token:
        granted, why_not = _user_permissions(client)
        checks = permission_checks(granted)
        if granted is None:
            detail = f"{FIRST_USE} (roles not readable: {why_not})"
            checks = [PermissionCheck(c.action, c.permission, None, detail, c.method) for c in checks]
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
