"""Plain-language cause and fix for Genesys Cloud errors: one catalog, no Qt.

:func:`explain` takes whatever failed (an exception of :mod:`console.api.errors`, an
:class:`~console.api.models.ErrorBody`, a failed :class:`~console.api.models.ImportStatus`
or its ``failureReason``, a call participant's ``errorInfo``) and returns an
:class:`Explanation`: what happened, why, and what to do, in words a contact-center
supervisor can act on. Matching is by OAuth error, import failure reason, dotted ``code``,
message pattern and HTTP status (genesys-api.md §1.2, §9, §11); the first matching
:data:`CATALOG` entry wins, so specific entries come before generic ones.

Every entry names where its code or message pattern comes from in a ``# source:`` comment (SDK
model, Terraform provider file, forum thread, docs URL, genesys-api.md section) or is marked
``# sandbox-only`` (the code or text is the sandbox's, not seen from a real org); an entry
without a source matches by HTTP status only. tests/api/test_explain.py enforces it.

The fix texts may use ``{permissions}``, ``{fields}``, ``{retry_after}``, ``{max}``,
``{count}``, ``{limit}`` and ``{reason}``; they are filled from the error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from console.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    ConsoleError,
    CredentialsError,
    LoginError,
    LoginTimeoutError,
    PermissionDeniedError,
    RateLimitError,
)
from console.api.models import ErrorBody, ErrorInfo, ImportStatus

__all__ = [
    "CATALOG",
    "CatalogEntry",
    "ErrorFacts",
    "Explanation",
    "ImportFailedError",
    "explain",
    "facts_of",
]

_PERMISSION = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*:[A-Za-z0-9*]+:[A-Za-z0-9*]+")
_VERSION = re.compile(r"does not match the current version|unexpected version", re.IGNORECASE)
_RETRY_IN = re.compile(r"Retry the request in \[(\d+(?:\.\d+)?)\] seconds", re.IGNORECASE)
_HTML = re.compile(r"\s*<(!doctype|html|head|body)\b", re.IGNORECASE)
_CONTACT_CAP = re.compile(r"at most (\d[\d,]*) contacts can be added per request", re.IGNORECASE)

ROLES_HOWTO = (
    "An admin adds it to a role (Admin > People & Permissions > Roles / Permissions) and grants that role "
    "to the OAuth client (Admin > Integrations > OAuth > the client > Roles, for client credentials) or to "
    "your user (for a user sign-in), in the division of the object; then test the connection again (Ctrl+T)."
)


class ImportFailedError(ConsoleError):
    """A CSV import into a contact list ended ``FAILED`` (reported through importstatus, HTTP 200).

    Attributes:
        list_id: The contact list.
        status: The last ImportStatus (``failureReason`` says why).
    """

    def __init__(self, list_id: str, status: ImportStatus) -> None:
        reason = status.failure_reason or "FAILED"
        super().__init__(f"the import into contact list {list_id} failed: {reason}")
        self.list_id = list_id
        self.status = status


@dataclass(frozen=True)
class ErrorFacts:
    """The facts of a failure that the catalog matches on (normalised from any input).

    Attributes:
        kind: ``status`` (HTTP error answer), ``oauth``, ``import``, ``call`` (participant
            errorInfo), ``connection``, ``timeout``, ``login``, ``credentials`` or ``other``.
        status: HTTP status, when there was an answer.
        code: Dotted code (``bad.request``), OAuth ``error``, import failure reason or errorInfo code.
        message: The message with its parameters filled in.
        params: ``messageParams``.
        fields: Field names from ``details[].fieldName`` (in order, no duplicates).
        permissions: Permission names the error names.
        retry_after: Seconds to wait (``Retry-After`` or the 429 message).
        method: HTTP method of the failed request.
        path: URL path of the failed request.
        limit: ``key=value`` of an org limit that was hit.
    """

    kind: str
    status: int | None = None
    code: str | None = None
    message: str = ""
    params: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    retry_after: float | None = None
    method: str | None = None
    path: str | None = None
    limit: str | None = None


@dataclass(frozen=True)
class Explanation:
    """A catalog answer.

    Attributes:
        key: The catalog entry (``cannot.update.phone.columns``, ``oauth.invalid_client``...).
        summary: One line: what happened.
        cause: Why it happens.
        fix: What to do about it (filled in with the error's permissions, fields...).
        facts: What the explanation was derived from.
    """

    key: str
    summary: str
    cause: str
    fix: str
    facts: ErrorFacts

    def text(self) -> str:
        """Summary, cause and fix as plain text."""
        return f"{self.summary}\nCause: {self.cause}\nFix: {self.fix}"


@dataclass(frozen=True)
class CatalogEntry:
    """One known failure.

    Attributes:
        key: Stable id (tests and support refer to it).
        matches: Predicate over :class:`ErrorFacts`.
        summary: One line, may use the placeholders of the module docstring.
        cause: Why.
        fix: What to do.
    """

    key: str
    matches: Callable[[ErrorFacts], bool]
    summary: str
    cause: str
    fix: str


def _body_facts(body: ErrorBody, status: int | None) -> dict[str, object]:
    fields: list[str] = []
    for detail in body.details or []:
        if detail.field_name and detail.field_name not in fields:
            fields.append(detail.field_name)
    for nested in body.errors or []:
        for detail in nested.details or []:
            if detail.field_name and detail.field_name not in fields:
                fields.append(detail.field_name)
    message = body.rendered_message()
    perms: list[str] = []
    for text in [*(body.message_params or {}).values(), message]:
        for name in _PERMISSION.findall(str(text)):
            if name not in perms:
                perms.append(name)
    limit = None
    if body.limit is not None and body.limit.key:
        limit = f"{body.limit.key}={body.limit.value}" if body.limit.value is not None else body.limit.key
    return {
        "status": status if status is not None else body.status,
        "code": body.code,
        "message": message,
        "params": dict(body.message_params or {}),
        "fields": tuple(fields),
        "permissions": tuple(perms),
        "limit": limit,
    }


def facts_of(error: object) -> ErrorFacts:
    """Normalise any failure into :class:`ErrorFacts`; a raw error-body dict goes via ErrorBody.lenient."""
    if isinstance(error, ErrorFacts):
        return error
    if isinstance(error, ImportFailedError):
        return facts_of(error.status)
    if isinstance(error, ImportStatus):
        reason = error.failure_reason or "FAILED"
        return ErrorFacts(kind="import", code=reason, message=reason)
    if isinstance(error, ErrorInfo):
        return ErrorFacts(kind="call", code=error.code, message=error.message or "")
    if isinstance(error, ErrorBody):
        return ErrorFacts(kind="status", **_body_facts(error, None))  # type: ignore[arg-type]
    if isinstance(error, dict):
        # a raw decoded error body: decoded leniently, never raised (odd fields are dropped)
        return facts_of(ErrorBody.lenient(error))
    if isinstance(error, ApiStatusError):
        kw: dict[str, object] = {"method": error.method, "path": error.path}
        if error.body is not None:
            kw.update(_body_facts(error.body, error.status_code))
        else:
            kw.update(status=error.status_code, message=error.detail)
        kw["status"] = error.status_code
        kind = "status"
        if error.path is not None and error.path.endswith("/oauth/token"):
            kind = "oauth"
        retry = error.retry_after if isinstance(error, RateLimitError) else None
        match = _RETRY_IN.search(str(kw.get("message") or ""))
        if retry is None and match:
            retry = float(match.group(1))
        if isinstance(error, PermissionDeniedError):
            perms = list(kw.get("permissions") or ())  # type: ignore[call-overload]
            for name in error.missing_permissions:
                if name not in perms:
                    perms.append(name)
            kw["permissions"] = tuple(perms)
        return ErrorFacts(kind=kind, retry_after=retry, **kw)  # type: ignore[arg-type]
    if isinstance(error, ApiTimeoutError):
        return ErrorFacts(kind="timeout", message=str(error), method=error.method, path=error.path)
    if isinstance(error, ApiConnectionError):
        return ErrorFacts(kind="connection", message=str(error), method=error.method, path=error.path)
    if isinstance(error, LoginError):
        timeout = isinstance(error, LoginTimeoutError)
        return ErrorFacts(kind="login", code="timeout" if timeout else None, message=str(error))
    if isinstance(error, CredentialsError):
        return ErrorFacts(kind="credentials", message=str(error))
    if isinstance(error, str):
        return ErrorFacts(kind="import", code=error, message=error)
    return ErrorFacts(kind="other", message=str(error))


# -- predicates ----------------------------------------------------------------------------


def _code(*codes: str) -> Callable[[ErrorFacts], bool]:
    wanted = {c.lower() for c in codes}
    return lambda f: (f.code or "").lower() in wanted


def _status(*statuses: int) -> Callable[[ErrorFacts], bool]:
    return lambda f: f.kind in ("status", "oauth") and f.status in statuses


def _text(pattern: str) -> Callable[[ErrorFacts], bool]:
    rx = re.compile(pattern, re.IGNORECASE)
    return lambda f: bool(rx.search(f.message))


def _oauth(*errors: str) -> Callable[[ErrorFacts], bool]:
    wanted = set(errors)
    return lambda f: f.kind == "oauth" and (f.code or "") in wanted


def _import(*reasons: str) -> Callable[[ErrorFacts], bool]:
    wanted = set(reasons)
    return lambda f: f.kind == "import" and (f.code or "") in wanted


def _field(*names: str) -> Callable[[ErrorFacts], bool]:
    wanted = set(names)
    return lambda f: f.kind == "status" and bool(wanted & set(f.fields))


def _all(*preds: Callable[[ErrorFacts], bool]) -> Callable[[ErrorFacts], bool]:
    return lambda f: all(p(f) for p in preds)


def _any(*preds: Callable[[ErrorFacts], bool]) -> Callable[[ErrorFacts], bool]:
    return lambda f: any(p(f) for p in preds)


def _is_contact_cap(f: ErrorFacts) -> bool:
    if f.kind != "status":
        return False
    if _CONTACT_CAP.search(f.message):
        return True
    return bool(f.params.get("max")) and (f.path or "").endswith("/contacts") and f.status in (400, 413)


def _is_version_mismatch(f: ErrorFacts) -> bool:
    if f.kind != "status":
        return False
    if _VERSION.search(f.message):
        return True
    return f.status == 409 and "already exists" not in f.message.lower()


def _is_missing_permission(f: ErrorFacts) -> bool:
    if (f.code or "") in ("missing.permissions", "missing.any.permissions"):
        return True
    return f.kind == "status" and f.status == 403 and bool(f.permissions)


# -- the catalog -----------------------------------------------------------------------------

CATALOG: tuple[CatalogEntry, ...] = (
    # OAuth (genesys-api.md §1.2, §11.3)
    # source: genesys-api.md §11.3, https://github.com/tishige/CallFlowVisualizer/issues/9 (token endpoint
    #   body)
    CatalogEntry(
        "oauth.invalid_client",
        _oauth("invalid_client"),
        "The login server refused the OAuth client (invalid_client).",
        "The credentials or the token were not accepted: the client id or secret is wrong, the secret "
        "was regenerated, the client was deleted, or it is "
        "not a client of this region/org. A PKCE (browser) client has no secret and cannot use the "
        "client-credentials grant.",
        "Open Profiles (Ctrl+P), check the Client ID against Admin > Integrations > OAuth, paste the "
        "current client secret, and test the connection again (Ctrl+T). Check the profile's region too.",
    ),
    # source: RFC 6749 §5.2 error codes (https://datatracker.ietf.org/doc/html/rfc6749#section-5.2),
    #   genesys-api.md §1.2
    CatalogEntry(
        "oauth.invalid_grant",
        _oauth("invalid_grant"),
        "The login server refused the sign-in code or token (invalid_grant).",
        "The authorization code was already used or expired, the PKCE verifier did not match, the "
        "redirect URI differs from the one authorized, or the refresh token was revoked.",
        "Sign in again (Account > Sign in as a user, Ctrl+Shift+L) and finish it in the browser within a "
        "minute. If it keeps failing, add the loopback redirect URI (http://127.0.0.1:<port>/...) to the "
        "OAuth client in Admin > Integrations > OAuth.",
    ),
    # source: RFC 6749 §5.2 (any other OAuth ``error``), genesys-api.md §1.2
    CatalogEntry(
        "oauth.other",
        lambda f: f.kind == "oauth",
        "The login server refused the token request ({code}).",
        "The OAuth client does not allow this grant type, or the request was malformed.",
        "In Admin > Integrations > OAuth check the client's grant type matches the profile's sign-in "
        "method (Client Credentials, or Code Authorization with PKCE); then try again.",
    ),
    # "requires a user context" (§3, §11.6) — before the generic 400/403 entries
    # source: genesys-api.md §11.6 (400 "This request requires a user context. Client credentials cannot be
    #   used...")
    CatalogEntry(
        "user.context",
        _text(r"requires a user context|client credentials cannot be used"),
        "This request needs a signed-in user; a client-credentials token was used.",
        "The endpoint acts as a person (the caller's own station, calls or profile). A client-credentials "
        "token belongs to the OAuth client, not to any user, so Genesys refuses it "
        "(POST /api/v2/conversations/calls is one of these).",
        "Sign in as a user (Account > Sign in as a user, Ctrl+Shift+L). For a test call you can instead "
        "pick a user on the Test call page: the console then calls "
        "POST /api/v2/conversations/calls/user/{{userId}}, which client credentials may use.",
    ),
    # contact lists (§4.4, §11.1)
    # source: https://github.com/MyPureCloud/terraform-provider-genesyscloud/pull/412 (genesys-api.md §11.1)
    CatalogEntry(
        "cannot.update.phone.columns",
        _code("cannot.update.phone.columns"),
        "The contact list's phone columns cannot be changed.",
        "Genesys fixes a contact list's phone columns (names and types) when the list is created; a PUT "
        "with different phoneColumns is refused.",
        "Keep phoneColumns exactly as they are on the list (reload it to see them), or create a new list "
        "with the new phone columns and import the contacts into it.",
    ),
    # sandbox-only: the code (TF PR #412 says "same for column_names" but the code was not captured)
    CatalogEntry(
        "cannot.update.column.names",
        _code("cannot.update.column.names"),
        "The contact list's columns cannot be changed.",
        "A contact list's columnNames are fixed when it is created; a PUT with other columns is refused.",
        "Keep columnNames as they are on the list, or create a new list with the new columns and "
        "import the contacts into it.",
    ),
    # sandbox-only: the message (names must be unique per help.mypurecloud.com/articles/create-new-contact-
    #   list/; the API's answer is unverified, genesys-api.md §4.4)
    CatalogEntry(
        "duplicate.name",
        _all(_text(r"already exists"), lambda f: f.kind == "status" and f.status in (400, 409)),
        "That name is already taken.",
        "Contact list names are unique in the org (compared without case).",
        "Choose another name, or open the existing list instead of creating a new one.",
    ),
    # source: TF genesyscloud/util/util_retries.go IsVersionMismatch (genesys-api.md §4.4); 409 text:
    #   genesys-api.md §9.2
    CatalogEntry(
        "version.mismatch",
        _is_version_mismatch,
        "The object was changed by someone else since you loaded it (version mismatch).",
        "Updates must carry the current version number; yours is stale because the list was saved "
        "meanwhile (by another supervisor, a job, or another window).",
        "Reload the list to get its current version, re-apply your change and save again.",
    ),
    # sandbox-only: the message; the 1,000 cap: https://community.genesys.com/discussion/lead-id-and-
    #   genesys-contact-id-mapping-for-bulk-contact-uploads
    CatalogEntry(
        "contacts.cap",
        _is_contact_cap,
        "Too many contacts in one request (at most {max} per request; this one had {count}).",
        "POST .../contacts accepts at most 1,000 contacts per request.",
        "Send the contacts in chunks of 1,000 or fewer (the console's uploader does), or import the "
        "CSV file instead.",
    ),
    # source: SDK models/error_body.py ``limit`` (models/limit.py); the code limit.exceeded is sandbox-only
    CatalogEntry(
        "limit.exceeded",
        lambda f: f.kind == "status" and (f.code == "limit.exceeded" or f.limit is not None),
        "An organization limit was reached ({limit}).",
        "Genesys caps how many objects an org may hold (e.g. 1,000 contact lists per org, 1,000,000 "
        "contacts per list).",
        "Delete lists or contacts you no longer need, or ask Genesys Cloud support to raise the limit.",
    ),
    # sandbox-only: the message (API behaviour for unknown data keys is unverified, genesys-api.md §4.4)
    CatalogEntry(
        "contact.unknown.column",
        _text(r"is not a column of contact list"),
        "A contact carries a column the list does not have ({fields}).",
        "Every key of a contact's data must be one of the list's columnNames.",
        "Rename the CSV column to one of the list's columns (names match without case), or leave the "
        "column out of the upload.",
    ),
    # sandbox-only: the message (genesys-api.md §4.4, a sandbox switch)
    CatalogEntry(
        "contact.missing.columns",
        _text(r"is missing list columns"),
        "A contact lacks some of the list's columns ({fields}).",
        "This org requires every list column to be present in each contact.",
        "Add the missing columns to the file (empty values are allowed) and upload again.",
    ),
    # permissions (§9.2)
    # source: genesys-api.md §9.2 (swagger standard 403s; gildas/go-gcloudcx error.go)
    CatalogEntry(
        "missing.permission",
        _is_missing_permission,
        "Missing permission: {permissions}.",
        "The token is valid, but neither the OAuth client's roles nor your user's roles grant {permissions}.",
        "Ask an admin to grant {permissions}. " + ROLES_HOWTO,
    ),
    # source: genesys-api.md §9.2 (swagger standard 403; gildas/go-gcloudcx error.go)
    CatalogEntry(
        "not.authorized",
        _any(_code("not.authorized"), _status(403)),
        "Not allowed: the token may not do this.",
        "The credentials work, but the roles behind them do not allow this action or object.",
        "Ask an admin which permission the action needs and to grant it. " + ROLES_HOWTO,
    ),
    # test calls (§8)
    # source: the field: SDK models/create_call_request.py phone_number; the code is sandbox-only (genesys-
    #   api.md §8.4)
    CatalogEntry(
        "call.invalid.number",
        _any(
            _code("error.ininedgecontrol.connection.invalid.number"),
            _all(_field("phoneNumber"), lambda f: f.status == 400),
        ),
        "The number to dial is not usable.",
        "Genesys dials E.164 numbers: a + , the country code and the national number, at most 15 digits.",
        "Enter the number with its country code (e.g. +1 317 555 0123); the Test call page formats and "
        "checks it as you type and shows the country and number type.",
    ),
    # source: genesys-api.md §8.3 (public lab notes on API-placed calls: the caller's station rings first and
    # the caller leg ends terminated with this errorInfo.code after about 60 s); code name as seen there [L].
    CatalogEntry(
        "call.station.timeout",
        _code("error.ininedgecontrol.connection.timeout"),
        "The call ended before the number was dialled: nobody answered the caller's station.",
        "Nobody answered the caller's station: a call placed through the API rings the caller's own station "
        "first and dials the number only once that station answers (it gives up after about 60 s).",
        "Log in a station/softphone with auto-answer, or answer it, then place the call again.",
    ),
    # source: SDK models/create_call_request.py caller_id (genesys-api.md §8.2)
    CatalogEntry(
        "call.caller.id",
        _all(_field("callerId"), lambda f: f.status == 400),
        "The caller id number is not usable.",
        "callerId must be an E.164 number the org may present on outbound calls.",
        "Enter the caller id as +country code and number, or leave it empty to use the org default.",
    ),
    # sandbox-only
    CatalogEntry(
        "call.unsupported.field",
        _text(r"is not supported by the sandbox"),
        "The sandbox cannot emulate {fields}.",
        "The sandbox only emulates dialing a phone number; queue, user and conference routing are "
        "left to a real org.",
        "Clear {fields} (e.g. choose no queue) to test against the sandbox, or use a real org profile.",
    ),
    # standard codes (§9.2)
    # source: genesys-api.md §9.2 (swagger standard responses; gildas/go-gcloudcx error.go)
    CatalogEntry(
        "invalid.value",
        _code("invalid.value"),
        "A field has a value that is not allowed ({fields}).",
        "The value is not one of the field type's allowed values.",
        "Change {fields} to one of the allowable values the message lists.",
    ),
    # source: genesys-api.md §9.2 (swagger standard responses; gildas/go-gcloudcx error.go)
    CatalogEntry(
        "invalid.date",
        _code("invalid.date"),
        "A date is not in the expected format ({fields}).",
        "Genesys expects ISO-8601 dates in UTC.",
        "Write {fields} like 2025-01-31T12:00:00.000Z.",
    ),
    # source: genesys-api.md §1.7, §9.2 (swagger standard 401)
    CatalogEntry(
        "authentication.required",
        _code("authentication.required"),
        "No token was sent.",
        "The request had no Authorization header.",
        "Test the connection (Ctrl+T) or sign in; the console adds the token itself.",
    ),
    # source: genesys-api.md §1.7, §9.2 (swagger standard 401)
    CatalogEntry(
        "credentials.expired",
        _code("credentials.expired"),
        "The credentials have expired.",
        "The token or the user's password has expired.",
        "Sign in again (Ctrl+Shift+L) or test the connection (Ctrl+T) for a new token.",
    ),
    # source: genesys-api.md §1.7, §9.2, §11.5 (swagger standard 401)
    CatalogEntry(
        "bad.credentials",
        _any(_code("bad.credentials"), _all(_status(401), lambda f: f.kind == "status")),
        "The access token was not accepted (expired, revoked or from another org).",
        "Tokens expire (per OAuth client, 24 h by default); signing out revokes a user token; a token is "
        "only valid in the region that issued it.",
        "Test the connection again (Ctrl+T) to get a fresh token, or sign in again (Ctrl+Shift+L).",
    ),
    # source: genesys-api.md §9.2 (swagger standard 404)
    CatalogEntry(
        "not.found",
        _any(_code("not.found"), _status(404)),
        "Not found: the object does not exist (or not in this org/region).",
        "The id is wrong, the object was deleted, or it belongs to another org or division you cannot see.",
        "Reload the page's list to pick an existing object; check the profile points at the right org.",
    ),
    # source: RFC 9110 §15.5.6 (HTTP 405); the code method.not.allowed is sandbox-only
    CatalogEntry(
        "method.not.allowed",
        _any(_code("method.not.allowed"), _status(405)),
        "That HTTP method is not supported on this path.",
        "The endpoint exists but not with this method (e.g. PATCH where PUT is expected).",
        "Use the method the API reference gives for this path.",
    ),
    # source: genesys-api.md §9.2 (swagger standard 408/504)
    CatalogEntry(
        "request.timeout",
        _any(_status(408, 504), _code("request.timeout", "authentication.request.timeout")),
        "The server timed out.",
        "Genesys did not finish the request in time (heavy load, or a slow upstream).",
        "Wait a moment and try again; for reads the console retries by itself.",
    ),
    # source: genesys-api.md §9.2 (swagger standard 413; HTTP status only)
    CatalogEntry(
        "too.large",
        _status(413),
        "The request is too large.",
        "The body is over the endpoint's size limit.",
        "Send less per request (smaller chunks), or import the data as a CSV file.",
    ),
    # source: genesys-api.md §9.2 (swagger standard 415)
    CatalogEntry(
        "unsupported.media.type",
        _any(_code("unsupported.media.type"), _status(415)),
        "The server did not accept the body's format.",
        "The Content-Type header is missing or wrong.",
        "Send JSON with Content-Type: application/json (the console does; in Resend keep the body JSON).",
    ),
    # source: https://developer.genesys.cloud/forum/t/12028 "Normalized Platform API 429 responses"
    #   (genesys-api.md §9.2, §9.3): code too.many.requests.retry.after since 2021-11; too.many.requests:
    #   genesys-api.md §11.7
    CatalogEntry(
        "too.many.requests",
        _any(_code("too.many.requests.retry.after", "too.many.requests"), _status(429)),
        "Rate limit reached; retry in {retry_after} s.",
        "Genesys allows a budget of requests per minute (300 per client-credentials token by default, "
        "shared by every tool using the same client).",
        "Wait {retry_after} s, then try again. For bulk work use the console's uploader, which paces itself.",
    ),
    # source: RFC 9110 §15.6.3/§15.6.5 (502/504 from a gateway); HTML, not an ErrorBody: SDK rest.py hands
    #   back the undecoded body (genesys-api.md §10)
    CatalogEntry(
        "proxy.gateway",
        lambda f: (
            f.kind == "status" and (f.status or 0) >= 500 and not f.code and bool(_HTML.match(f.message))
        ),
        "The proxy/gateway answered {status}.",
        "A proxy, firewall or gateway between the console and Genesys Cloud answered with its own error "
        "page; the request may never have reached Genesys Cloud.",
        "Try again in a minute; if it persists, check the proxy settings (the profile's proxy, HTTPS_PROXY) "
        "with your network team. The page it sent is in the details.",
    ),
    # source: genesys-api.md §9.2 (swagger standard 500/503)
    CatalogEntry(
        "server.error",
        lambda f: f.kind == "status" and f.status is not None and f.status >= 500,
        "Genesys Cloud had a problem ({code}).",
        "A server-side failure or maintenance, not something in your request.",
        "Try again in a minute. If it persists, give Genesys Cloud support the correlation id below.",
    ),
    # CSV import failure reasons: ImportStatus.failureReason carries the outbound event codes
    # (genesys-api.md §6.3). Every key below is a value of the SDK's EventMessage.code enum.
    # source: SDK 269.0.0 models/event_message.py, code enum; TF PR #1898 saw it as an import's failureReason
    CatalogEntry(
        "import.CONTACT_COLUMNS_LIMIT_EXCEEDED",
        _import("CONTACT_COLUMNS_LIMIT_EXCEEDED"),
        "The import failed: the file has too many columns.",
        "A contact list holds at most 50 columns; the file had more.",
        "Remove the columns you do not need (keep at most 50) and import again.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_TOO_MANY_COLUMNS",
        _import("IMPORT_TOO_MANY_COLUMNS", "IMPORT_TOO_MANY_EXTRA_COLUMNS"),
        "The import failed: the file has too many columns.",
        "The file has more columns than a contact list may hold (50), counting columns the list lacks.",
        "Remove the columns you do not need and import again.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_MISSING_CUSTOM_ID",
        _import("IMPORT_MISSING_CUSTOM_ID"),
        "The import failed: the contact id column is missing or empty.",
        "The upload named a contact-id column that the file lacks, or some rows have no id.",
        "Add the id column to the header and fill an id in every row, or choose the right column as "
        "the contact id before importing.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_INVALID_CUSTOM_ID",
        _import("IMPORT_INVALID_CUSTOM_ID", "CONTACT_ID_LENGTH_LIMIT_EXCEEDED"),
        "The import failed: some contact ids are not valid.",
        "A value in the contact-id column is not accepted as an id (for example it is too long).",
        "Check the id column for odd or very long values, fix them and import again.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST",
        _import("IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST", "IMPORT_NO_COLUMNS_DEFINED"),
        "The import failed: the file's columns do not match the list's.",
        "The file's header and the list's columns differ: a column the list has is missing from the file "
        "(names match without case).",
        "Make the header name every column of the list (values may be empty) and import again.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_FAILED_TO_READ_HEADERS",
        _import("IMPORT_FAILED_TO_READ_HEADERS"),
        "The import failed: Genesys could not read the file's header row.",
        "The file is empty, has no header row, or is not UTF-8 comma-separated text.",
        "Save the file as 'CSV UTF-8 (comma delimited)' (Excel) with a header row and import again; "
        "the CSV preview shows what the console detected.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_COULD_NOT_PARSE_AN_ENTRY",
        _import(
            "IMPORT_COULD_NOT_PARSE_AN_ENTRY",
            "IMPORT_ENTRY_DOES_NOT_ALIGN_WITH_HEADERS",
            "IMPORT_CONTACT_DOES_NOT_MATCH_LIST_FORMAT",
        ),
        "The import failed: a record could not be read.",
        "A line has more or fewer fields than the header, or a quote is not closed.",
        "Open the file in the console's CSV preview, fix the lines it marks, and import again.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_DATUM_EXCEEDS_LENGTH_LIMIT",
        _import(
            "IMPORT_DATUM_EXCEEDS_LENGTH_LIMIT",
            "IMPORT_COLUMN_EXCEEDS_LENGTH_LIMIT",
            "CONTACT_DATUM_LENGTH_LIMIT_EXCEEDED",
            "CONTACT_COLUMN_LENGTH_LIMIT_EXCEEDED",
        ),
        "The import failed: a value or a column name is too long.",
        "Genesys limits the length of contact values and column names.",
        "Shorten the long values or names (the CSV preview flags values over 512 characters) and "
        "import again.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.IMPORT_LIST_NO_LONGER_EXISTS",
        _import("IMPORT_LIST_NO_LONGER_EXISTS"),
        "The import failed: the contact list was deleted.",
        "The list was deleted while the file was being imported.",
        "Create or pick the list again, then import.",
    ),
    # source: SDK 269.0.0 models/event_message.py, code enum
    CatalogEntry(
        "import.EXCEEDED_CONTACT_LIMIT",
        _import("EXCEEDED_CONTACT_LIMIT"),
        "The import failed: the list would hold too many contacts.",
        "A contact list holds at most 1,000,000 contacts.",
        "Split the file across several lists, or remove contacts you no longer need, then import again.",
    ),
    # source: genesys-api.md §6.3 (ImportStatus.failureReason, SDK models/import_status.py)
    CatalogEntry(
        "import.failed",
        lambda f: f.kind == "import",
        "The import failed ({reason}).",
        "Genesys stopped the import and reported this reason in the list's import status.",
        "Check the file against the list (header names, id column, UTF-8) and import again.",
    ),
    # transport, sign-in, local credentials
    # source: local: no answer at all (httpx transport error), no server code
    CatalogEntry(
        "connection",
        lambda f: f.kind in ("connection", "timeout"),
        "No answer from the server.",
        "The network, a proxy or firewall, or a wrong region/URL in the profile.",
        "Check the network and the profile's region (Ctrl+P), then try again.",
    ),
    # source: local: the console's own loopback sign-in (console/api/auth.py), no server code
    CatalogEntry(
        "login.timeout",
        lambda f: f.kind == "login" and f.code == "timeout",
        "The browser sign-in did not finish in time.",
        "The browser page was closed or left waiting.",
        "Sign in again (Ctrl+Shift+L) and complete it in the browser.",
    ),
    # source: local: the console's own loopback sign-in (console/api/auth.py), no server code
    CatalogEntry(
        "login",
        lambda f: f.kind == "login",
        "The browser sign-in failed.",
        "The login page refused or did not return to the console.",
        "Sign in again (Ctrl+Shift+L); check the profile's PKCE client id and redirect port.",
    ),
    # source: local: the profile/keyring (console.errors.CredentialsError), no server code
    CatalogEntry(
        "credentials",
        lambda f: f.kind == "credentials",
        "No usable credentials.",
        "The profile has no stored secret, or the OS keyring could not be read.",
        "Open Profiles (Ctrl+P) and enter the client secret, or sign in as a user.",
    ),
    # generic validation (last among 4xx)
    # source: genesys-api.md §9.1 (details[].fieldName, SDK models/detail.py), §9.2 (400)
    CatalogEntry(
        "bad.request.field",
        lambda f: f.kind == "status" and f.status == 400 and bool(f.fields),
        "The server refused the value of {fields}.",
        "The request was understood but {fields} is not valid here (see the message).",
        "Correct {fields} as the message says and send again.",
    ),
    # source: genesys-api.md §9.2 (swagger standard 400 bad.request)
    CatalogEntry(
        "bad.request",
        _any(_code("bad.request"), lambda f: f.kind == "status" and f.status is not None and f.status < 500),
        "The request was refused as invalid.",
        "The server's message says what was wrong with the request.",
        "Correct the request as the message says; the request that was sent is shown below.",
    ),
)


class _Filler(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, f: ErrorFacts) -> str:
    values = _Filler(
        permissions=", ".join(f.permissions) or "a permission",
        fields=", ".join(f.fields) or "a field",
        retry_after=f"{f.retry_after:g}" if f.retry_after is not None else "a few",
        max=f.params.get("max", "1000"),
        count=f.params.get("count", "more"),
        limit=f.limit or f.code or "a limit",
        reason=f.code or "no reason given",
        code=f.code or f"HTTP {f.status}",
        status=str(f.status) if f.status is not None else "an error",
    )
    return text.format_map(values)


def explain(error: object) -> Explanation:
    """The catalog's cause and fix for ``error`` (any exception, ErrorBody, ImportStatus, reason...)."""
    facts = facts_of(error)
    for entry in CATALOG:
        if entry.matches(facts):
            return Explanation(
                key=entry.key,
                summary=_fill(entry.summary, facts),
                cause=_fill(entry.cause, facts),
                fix=_fill(entry.fix, facts),
                facts=facts,
            )
    return Explanation(
        key="unknown",
        summary=facts.message or "Something went wrong.",
        cause="This failure is not in the console's catalog.",
        fix="Read the message and the details. If the server answered, Genesys Cloud support can trace it by "
        "the correlation id shown with it.",
        facts=facts,
    )


def import_failure_reason(code: str) -> str:
    """A supervisor-readable cause and fix for an import ``failureReason`` (the catalog's ``import.*``).

    A code the catalog does not name gets its ``import.failed`` entry's words.
    """
    explanation = explain(ErrorFacts(kind="import", code=code, message=code))
    return f"{explanation.cause} {explanation.fix}"
