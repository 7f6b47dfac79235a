"""Exceptions raised by the API client.

The API branch of the one tree drawn in :mod:`console.errors` (``ApiError`` with its connection and
status subclasses, ``LoginError``/``LoginTimeoutError``); :func:`status_error_class` maps an HTTP
status to its class (400 and other 4xx ``BadRequestError``, 401 ``AuthenticationError``, 403
``PermissionDeniedError``, 404, 409, 429 ``RateLimitError``, 5xx ``ServerError``).

``ConsoleError``, ``CredentialsError`` and ``Cancelled`` are the ones of :mod:`console.errors`,
re-exported; ``OperationCancelledError`` is an old name of ``Cancelled``.

Status errors carry the parsed :class:`ErrorBody`, the ``ININ-Correlation-Id``, the
method and path, and the request body with secrets redacted. Every class pickles with all it
carries (status, body, correlation id, method and URL, ``retry_after``...), so an error raised
in a child process arrives as the same class with the same fields.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from console.api.models import Detail, ErrorBody, Limit
from console.errors import Cancelled, ConsoleError, CredentialsError

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Cancelled",
    "ConflictError",
    "ConsoleError",
    "CredentialsError",
    "Detail",
    "ErrorBody",
    "Limit",
    "LoginError",
    "LoginTimeoutError",
    "NotFoundError",
    "OperationCancelledError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "status_error_class",
]

_PERMISSION = re.compile(r"[A-Za-z][A-Za-z0-9]*:[A-Za-z0-9*]+:[A-Za-z0-9*]+")
_VERSION_MISMATCH = re.compile(r"does not match the current version|unexpected version", re.IGNORECASE)


class ApiError(ConsoleError):
    """Something went wrong talking to the API.

    Attributes:
        message: Human text.
        request: The httpx request, when there was one.
    """

    def __init__(self, message: str, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling (args only): rebuild from
        # the instance's dict, with the request reduced to its method and URL (no headers, no body).
        state = dict(self.__dict__)
        request = state.pop("request", None)
        where = (request.method, str(request.url)) if isinstance(request, httpx.Request) else None
        return (_rebuild_api_error, (type(self), self.message, where, state))

    @property
    def method(self) -> str | None:
        """HTTP method of the failed request."""
        return self.request.method if self.request is not None else None

    @property
    def path(self) -> str | None:
        """URL path of the failed request."""
        return self.request.url.path if self.request is not None else None


def _rebuild_api_error(
    cls: type[ApiError], message: str, where: tuple[str, str] | None, state: dict[str, Any]
) -> ApiError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    exc.message = message
    exc.request = httpx.Request(where[0], where[1]) if where is not None else None
    return exc


class ApiConnectionError(ApiError):
    """No HTTP answer: connection refused or dropped, TLS or proxy failure."""


class ApiTimeoutError(ApiConnectionError):
    """The request timed out."""


class ApiStatusError(ApiError):
    """An HTTP answer outside 200..205.

    Attributes:
        status_code: HTTP status.
        body: The parsed ErrorBody (None when the answer was not JSON).
        correlation_id: ``ININ-Correlation-Id`` of the answer (or the body's ``contextId``).
        request_body: The request body with secrets redacted and truncated (None if no body).
        response_text: Raw response text (truncated) for bodies that were not an ErrorBody.
    """

    def __init__(
        self,
        message: str,
        request: httpx.Request | None,
        *,
        status_code: int,
        body: ErrorBody | None = None,
        correlation_id: str | None = None,
        request_body: str | None = None,
        response_text: str | None = None,
    ) -> None:
        super().__init__(message, request)
        self.status_code = status_code
        self.body = body
        self.correlation_id = correlation_id
        self.request_body = request_body
        self.response_text = response_text

    @property
    def code(self) -> str | None:
        """The body's dotted code (``bad.request``, ``missing.any.permissions``...)."""
        return self.body.code if self.body else None

    @property
    def detail(self) -> str:
        """The server's own message, with ``messageParams`` rendered."""
        if self.body is not None:
            return self.body.rendered_message()
        return self.response_text or ""

    @property
    def is_version_mismatch(self) -> bool:
        """True for a stale ``version`` on PUT: a 409, or a 400 saying the version does not match."""
        if self.status_code == 409:
            return True
        return self.status_code == 400 and bool(_VERSION_MISMATCH.search(self.detail))

    @classmethod
    def from_response(
        cls,
        response: httpx.Response,
        *,
        request_body: str | None = None,
        message: str | None = None,
    ) -> ApiStatusError:
        """Build the right subclass for ``response`` (its body must have been read)."""
        body: ErrorBody | None = None
        text = response.text[:2000] if response.content else ""
        try:
            data: Any = response.json() if response.content else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            body = ErrorBody.lenient(data)
        correlation_id = response.headers.get("ININ-Correlation-Id") or (body.context_id if body else None)
        request = response.request
        status = response.status_code
        klass = status_error_class(status)
        if message is None and body is None and _is_html(response, text):
            # a proxy or gateway's own page: say who answered, keep the page for the details only
            reason = f" {response.reason_phrase}" if response.reason_phrase else ""
            message = (
                f"{request.method} {request.url.path}: the proxy/gateway answered {status}{reason} "
                "(an HTML page, not the API's answer)"
            )
        if message is None:
            detail = body.rendered_message() if body else text
            code = f" {body.code}" if body and body.code else ""
            message = f"{request.method} {request.url.path} answered {status}{code}: {detail}".rstrip(": ")
            if correlation_id:
                message += f" (correlation id {correlation_id})"
        kwargs: dict[str, Any] = {
            "status_code": status,
            "body": body,
            "correlation_id": correlation_id,
            "request_body": request_body,
            "response_text": text if body is None else None,
        }
        if klass is RateLimitError:
            from console.api.retry import parse_retry_after

            return RateLimitError(
                message, request, retry_after=parse_retry_after(response.headers.get("Retry-After")), **kwargs
            )
        return klass(message, request, **kwargs)


def _is_html(response: httpx.Response, text: str) -> bool:
    ctype = response.headers.get("Content-Type", "").lower()
    return "html" in ctype or text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))


class BadRequestError(ApiStatusError):
    """400 (and other 4xx without their own class, e.g. 413, 415)."""


class AuthenticationError(ApiStatusError):
    """401 from the API, or the login host refused the credentials/code."""


class PermissionDeniedError(ApiStatusError):
    """403: the token lacks a permission (or a division)."""

    @property
    def missing_permissions(self) -> list[str]:
        """Permission names (``outbound:contactList:add``) found in the params and the message."""
        found: list[str] = []
        sources = list((self.body.message_params or {}).values()) if self.body else []
        sources.append(self.detail)
        for text in sources:
            for name in _PERMISSION.findall(str(text)):
                if name not in found:
                    found.append(name)
        return found


class NotFoundError(ApiStatusError):
    """404."""


class ConflictError(ApiStatusError):
    """409 (e.g. a stale ``version``)."""


class RateLimitError(ApiStatusError):
    """429 after the retries ran out.

    Attributes:
        retry_after: Seconds the server asked to wait (None when it did not say).
    """

    def __init__(self, message: str, request: httpx.Request | None, *, retry_after: float | None, **kw: Any):
        super().__init__(message, request, **kw)
        self.retry_after = retry_after


class ServerError(ApiStatusError):
    """5xx."""


class LoginError(ConsoleError):
    """The browser sign-in (authorization code with PKCE) failed: refused, state mismatch, bad redirect."""


class LoginTimeoutError(LoginError):
    """The browser sign-in did not come back within the time-out."""


OperationCancelledError = Cancelled
"""Old name of :class:`console.errors.Cancelled` (the upload job still catches it by this name)."""


_BY_STATUS: dict[int, type[ApiStatusError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[ApiStatusError]:
    """The exception class for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return BadRequestError
    return ApiStatusError
