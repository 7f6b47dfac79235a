"""The steps that need a token: OAuth client, org and permissions, outbound, rate limit.

Every request is a ``GET`` (plus the token request the client's auth flow makes). The client is built
with no retries, so a 429 or a slow host shows in the step that met it instead of being waited out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from console.api.auth import ClientCredentialsAuth, UserTokenAuth
from console.api.client import GenesysClient
from console.api.errors import (
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    PermissionDeniedError,
)
from console.api.explain import ROLES_HOWTO, ErrorFacts, explain
from console.api.models import TokenInfo
from console.connect.check import CONSOLE_ACTIONS, granted_permissions, permission_checks
from console.doctor.result import DoctorTarget, Outcome, StepResult

__all__ = ["Found", "failure", "oauth_step", "org_step", "outbound_step", "rate_limit_step"]

USER_LOGIN = "user login (PKCE)"
CLIENT_CREDENTIALS = "client credentials"

# source: genesys-api.md §1.6 (TokenInfo.OAuthClient, SDK models/token_info.py); the grant names are the
#   SDK's OAuthClient.authorizedGrantType enum (CODE, TOKEN, SAML2BEARER, PASSWORD, CLIENT-CREDENTIALS); a
#   PKCE client is a CODE client (genesys-api.md §1.4)
_EXPECTED_GRANT = {CLIENT_CREDENTIALS: "CLIENT-CREDENTIALS", USER_LOGIN: "CODE"}
_GRANT_WORDS = {"CLIENT-CREDENTIALS": "Client Credentials", "CODE": "Code Authorization (PKCE)"}


@dataclass
class Found:
    """What earlier steps learned that later ones use (filled in as the steps run).

    Attributes:
        token_info: ``GET /tokens/me``.
        org_name: The org's name.
        org_id: The org's id.
        user_id: The signed-in user's id (user tokens).
        list_id: The first contact list's id (a topic for the live-updates step).
        rate_limited: 429 answers seen, as ``ApiStatusError``.
    """

    token_info: TokenInfo | None = None
    org_name: str | None = None
    org_id: str | None = None
    user_id: str | None = None
    list_id: str | None = None
    rate_limited: list[ApiStatusError] = field(default_factory=list)


def failure(step: str, what: str, exc: BaseException, found: Found | None = None) -> StepResult:
    """A failed step from an API error: what was being done, the decoded cause and fix, the correlation id."""
    if found is not None and isinstance(exc, ApiStatusError) and exc.status_code == 429:
        found.rate_limited.append(exc)
    words = explain(exc)
    if isinstance(exc, ApiTimeoutError):
        what += " (timed out: the host is slow or a proxy holds the request)"
    facts: dict[str, Any] = {"error": type(exc).__name__, "explanation": words.key}
    ids: tuple[str, ...] = ()
    if isinstance(exc, ApiStatusError):
        facts["status"] = exc.status_code
        facts["code"] = exc.code
        if exc.correlation_id:
            ids = (exc.correlation_id,)
    return StepResult(
        step, Outcome.FAIL, f"{what}: {words.summary}", words.cause, words.fix, facts, correlation_ids=ids
    )


def _lifetime_text(seconds: float | None) -> str:
    if seconds is None:
        return "lifetime not reported"
    hours, rest = divmod(int(seconds), 3600)
    return f"lifetime {int(seconds)} s ({hours} h {rest // 60:02d} min)"


def oauth_step(client: GenesysClient, target: DoctorTarget, found: Found) -> StepResult:
    """A token is issued; its lifetime; the OAuth client's grant type against the profile's sign-in method."""
    auth = client.auth
    started = time.monotonic()
    try:
        info = client.get_token_info()  # the client-credentials token is requested first
    except AuthenticationError as exc:
        if exc.path is not None and exc.path.endswith("/oauth/token"):
            return failure("oauth", f"no token from {client.endpoint.login_host}", exc, found)
        return failure("oauth", "the token was refused", exc, found)
    except ApiError as exc:
        token = auth.token if isinstance(auth, ClientCredentialsAuth | UserTokenAuth) else None
        if token is None:
            return failure("oauth", f"no token from {client.endpoint.login_host}", exc, found)
        return failure("oauth", "token issued, but GET /api/v2/tokens/me failed", exc, found)
    found.token_info = info
    token = auth.token if isinstance(auth, ClientCredentialsAuth | UserTokenAuth) else None
    lifetime = None
    if token is not None and token.expires_at is not None:
        lifetime = round(token.expires_at - started)
    oauth_client = info.oauth_client or {}
    grant = oauth_client.get("authorizedGrantType")
    name = oauth_client.get("name")
    parts = [f"token issued ({token.token_type if token else 'bearer'})", _lifetime_text(lifetime)]
    if name:
        parts.append(f'OAuth client "{name}"')
    expected = _EXPECTED_GRANT.get(target.sign_in)
    facts: dict[str, Any] = {"lifetime_seconds": lifetime, "grant_type": grant, "sign_in": target.sign_in}
    if target.redirect_uri:
        parts.append(f"redirect URI {target.redirect_uri} (register exactly this on the OAuth client)")
        facts["redirect_uri"] = target.redirect_uri
    if grant and expected and str(grant).upper() != expected:
        return StepResult(
            "oauth",
            Outcome.FAIL,
            f"{'; '.join(parts)}; the OAuth client's grant type is {grant}, the profile signs in with "
            f"{target.sign_in} ({expected}).",
            cause="The profile's sign-in method does not match how the OAuth client is set up in the org.",
            fix=(
                "In Admin > Integrations > OAuth, use a client whose Grant Type is "
                f"{_GRANT_WORDS[expected]}, or change the profile's Sign-in (Ctrl+P)."
            ),
            facts=facts,
        )
    parts.append(f"grant type {grant} matches {target.sign_in}" if grant else "grant type not reported")
    return StepResult("oauth", Outcome.OK, "; ".join(parts) + ".", facts=facts)


def _subject(client: GenesysClient) -> dict[str, Any] | ApiError:
    """``GET /authorization/subjects/me`` as JSON, or the error."""
    try:
        response = client.send_raw("GET", "/api/v2/authorization/subjects/me")
        body = response.json()
    except ApiError as exc:
        return exc
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def org_step(client: GenesysClient, target: DoctorTarget, found: Found) -> StepResult:
    """Org name and id, the token's subject, the granted permissions against each console action."""
    try:
        org = client.get_organization()
    except ApiError as exc:
        return failure("org", "GET /api/v2/organizations/me failed", exc, found)
    found.org_name, found.org_id = org.name, org.id
    parts = [f"org {org.name or '?'} ({org.id or '?'})"]
    if isinstance(client.auth, UserTokenAuth):
        try:
            me = client.get_me()
        except ApiError as exc:
            return failure("org", "GET /api/v2/users/me failed", exc, found)
        found.user_id = me.id
    subject = _subject(client)
    facts: dict[str, Any] = {"org": {"name": org.name, "id": org.id}}
    if isinstance(subject, ApiError):
        if isinstance(subject, ApiStatusError) and subject.status_code == 429:
            return failure("org", "GET /api/v2/authorization/subjects/me failed", subject, found)
        why = (
            f"{subject.status_code} {subject.code or ''}".strip()
            if isinstance(subject, ApiStatusError)
            else ""
        )
        parts.append(f"permissions not readable ({why or subject}): each is checked when first used")
        return StepResult("org", Outcome.OK, "; ".join(parts) + ".", facts=facts)
    # which subject answers for a client-credentials token is [U] (genesys-api.md §13): name it for support
    parts.append(f"token subject {subject.get('name') or '?'} ({subject.get('id') or '?'})")
    facts["subject"] = {"name": subject.get("name"), "id": subject.get("id")}
    checks = permission_checks(granted_permissions(subject), CONSOLE_ACTIONS)
    facts["actions"] = [
        {"action": c.action, "permission": c.permission, "allowed": c.allowed, "detail": c.detail}
        for c in checks
    ]
    missing = [c for c in checks if c.allowed is False]
    allowed = sum(1 for c in checks if c.allowed)
    parts.append(f"{allowed} of {len(checks)} console actions allowed")
    if not missing:
        return StepResult("org", Outcome.OK, "; ".join(parts) + ".", facts=facts)
    names = "; ".join(f"{c.action} ({c.detail.removeprefix('missing ')})" for c in missing)
    perms = ", ".join(sorted({p for c in missing for p in c.detail.removeprefix("missing ").split(", ")}))
    who = "OAuth client" if target.sign_in == CLIENT_CREDENTIALS else "user"
    return StepResult(
        "org",
        Outcome.FAIL,
        "; ".join(parts) + f"; missing: {names}.",
        # source: genesys-api.md §1.2/§1.8 (a client-credentials token's permissions come from the roles
        #   of the OAuth client; a user token's from the user's roles), §13 (subjects/me lists the roles)
        cause=f"The roles granted to this {who} do not include {perms}.",
        fix=f"Ask an admin to grant {perms}. " + ROLES_HOWTO,
        facts=facts,
    )


def outbound_step(client: GenesysClient, found: Found) -> StepResult:
    """Contact lists (count), attempt-limit sets and divisions readable; outbound settings when permitted."""
    try:
        lists = client.list_contact_lists(page_size=1)
    except ApiError as exc:
        return failure("outbound", "contact lists not readable", exc, found)
    if lists.entities:
        found.list_id = lists.entities[0].id
    try:
        limits = client.get_attempt_limits(page_size=1)
    except ApiError as exc:
        return failure("outbound", "attempt-limit sets not readable", exc, found)
    try:
        divisions = client.get_divisions(page_size=25)
    except ApiError as exc:
        return failure("outbound", "divisions not readable", exc, found)
    n_lists = lists.total if lists.total is not None else len(lists.entities)
    n_limits = limits.total if limits.total is not None else len(limits.entities)
    n_divs = divisions.total if divisions.total is not None else len(divisions.entities)
    facts: dict[str, Any] = {"contact_lists": n_lists, "attempt_limits": n_limits, "divisions": n_divs}
    parts = [f"{n_lists} contact lists", f"{n_limits} attempt-limit sets", f"{n_divs} divisions readable"]
    try:
        body = client.send_raw("GET", "/api/v2/outbound/settings").json()
    except PermissionDeniedError as exc:
        # the permission is named from the 403 itself (genesys-api.md §9.2 missing.permissions)
        needs = ", ".join(exc.missing_permissions) or f"{exc.status_code} {exc.code or ''}".strip()
        parts.append(f"outbound settings not permitted ({needs}; optional)")
    except ApiStatusError as exc:
        if exc.status_code == 429:
            return failure("outbound", "outbound settings not readable", exc, found)
        parts.append(f"outbound settings not read ({exc.status_code} {exc.code or ''})".rstrip() + ")")
    except (ApiError, ValueError) as exc:
        parts.append(f"outbound settings not read ({exc})")
    else:
        windows = _windows(body)
        facts["callable_windows"] = windows
        parts.append("automatic time-zone mapping windows " + (", ".join(windows) if windows else "not set"))
    return StepResult("outbound", Outcome.OK, "; ".join(parts) + ".", facts=facts)


def _windows(settings: Any) -> list[str]:
    """The callable windows of ``automaticTimeZoneMapping`` as ``mapped 08:00-21:00, unmapped ...``."""
    out: list[str] = []
    atzm = settings.get("automaticTimeZoneMapping") if isinstance(settings, dict) else None
    windows = atzm.get("callableWindows") if isinstance(atzm, dict) else None
    for window in windows if isinstance(windows, list) else []:
        if not isinstance(window, dict):
            continue
        for kind in ("mapped", "unmapped"):
            slot = window.get(kind)
            if isinstance(slot, dict) and slot.get("earliestCallableTime"):
                zone = f" {slot['timeZoneId']}" if slot.get("timeZoneId") else ""
                out.append(
                    f"{kind} {slot['earliestCallableTime']}-{slot.get('latestCallableTime', '?')}{zone}"
                )
    return out


def rate_limit_step(client: GenesysClient, found: Found) -> StepResult:
    """The ``inin-ratelimit-*`` budget of the last answer; fails on any 429 answer or when nothing is left."""
    state = client.rate_limit
    facts: dict[str, Any] = {}
    budget = ""
    if state is not None:
        facts = {"count": state.count, "allowed": state.allowed, "reset_seconds": state.reset_seconds}
        budget = f"{state.count} of {state.allowed} requests used in this window"
        if state.remaining is not None:
            budget += f", {state.remaining} left"
        if state.reset_seconds is not None:
            budget += f", resets in {state.reset_seconds:g} s"
    if found.rate_limited:
        last = found.rate_limited[-1]
        retry = getattr(last, "retry_after", None)
        facts["answers_429"] = len(found.rate_limited)
        words = explain(last)
        detail = f"{len(found.rate_limited)} answers were 429 Too Many Requests"
        if retry is not None:
            detail += f" (Retry-After {retry:g} s)"
        ids = tuple(e.correlation_id for e in found.rate_limited if e.correlation_id)
        return StepResult(
            "rate-limit",
            Outcome.FAIL,
            detail + (f"; budget: {budget}." if budget else "."),
            words.cause + " Another tool or console may be using the same OAuth client.",
            words.fix,
            facts,
            correlation_ids=ids,
        )
    if state is None:
        return StepResult("rate-limit", Outcome.SKIP, "no answer carried inin-ratelimit-* headers.")
    if state.remaining == 0:
        words = explain(
            ErrorFacts(kind="status", status=429, code="too.many.requests", retry_after=state.reset_seconds)
        )
        return StepResult(
            "rate-limit", Outcome.FAIL, f"no requests left: {budget}.", words.cause, words.fix, facts
        )
    return StepResult("rate-limit", Outcome.OK, f"{budget}.", facts=facts)
