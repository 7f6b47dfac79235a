"""Error answers of the emulated API.

Two shapes exist on the wire (genesys-api.md §9.1 and §1.2):

- ``ApiError``: an ErrorBody (``message``, ``code``, ``status``, ``messageWithParams``,
  ``messageParams``, ``contextId``, ``details``, ``errors``) used by every /api/v2 path.
- ``OAuthError``: the OAuth shape (``error``, ``description``, ``error_description``) used by
  ``/oauth/token`` only.

Handlers raise these; the server turns them into responses.
"""

from __future__ import annotations

from typing import Any

#: Standard code and message per HTTP status (genesys-api.md §9.2).
STANDARD: dict[int, tuple[str, str]] = {
    400: ("bad.request", "The request could not be understood by the server due to malformed syntax."),
    401: ("bad.credentials", "Invalid login credentials."),
    403: ("not.authorized", "You are not authorized to perform the requested action."),
    404: ("not.found", "The requested resource was not found."),
    408: ("request.timeout", "The client did not produce a request within the server timeout limit."),
    409: ("conflict", "The request conflicts with the current state of the target resource."),
    413: ("request.entity.too.large", "The request is over the size limit. Maximum bytes: 10485760"),
    415: (
        "unsupported.media.type",
        "Unsupported Media Type - Unsupported or incorrect media type, such as an incorrect Content-Type "
        "value in the header.",
    ),
    # every 429 since 2021-11 (Genesys forum notice "Normalized Platform API 429 responses", t/12028)
    429: (
        "too.many.requests.retry.after",
        "Rate limit exceeded the maximum. Retry the request in [1] seconds",
    ),
    500: (
        "internal.server.error",
        "The server encountered an unexpected condition which prevented it from fulfilling the request.",
    ),
    502: ("bad.gateway", "Bad Gateway - The server received an invalid response from an upstream server."),
    503: (
        "service.unavailable",
        "Service Unavailable - The server is currently unavailable (because it is overloaded or down for "
        "maintenance).",
    ),
    504: ("request.timeout", "The request timed out."),
}


class ApiError(Exception):
    """An API failure answered as a full ErrorBody.

    Args:
        status: HTTP status.
        code: Dotted machine code, e.g. ``bad.request``.
        message: Human text with parameters filled in.
        message_with_params: Template with ``{name}`` placeholders; defaults to ``message``.
        params: Values for the placeholders.
        field: Name of the offending field, reported in ``details[0].fieldName``.
        entity_id: The entity concerned (``entityId``).
        limit: A ``{key, namespace, value}`` limit that was hit.
        headers: Extra response headers (e.g. ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        message_with_params: str | None = None,
        params: dict[str, str] | None = None,
        field: str | None = None,
        entity_id: str | None = None,
        limit: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.message_with_params = message_with_params or message
        self.params = params or {}
        self.field = field
        self.entity_id = entity_id
        self.limit = limit
        self.headers = headers or {}

    def body(self, correlation_id: str) -> dict[str, Any]:
        """The ErrorBody JSON for this error, with ``contextId`` = the response's correlation id."""
        body: dict[str, Any] = {
            "message": self.message,
            "code": self.code,
            "status": self.status,
            "messageWithParams": self.message_with_params,
            "messageParams": self.params,
            "contextId": correlation_id,
            "details": [{"fieldName": self.field}] if self.field else [],
            "errors": [],
        }
        if self.entity_id:
            body["entityId"] = self.entity_id
        if self.limit:
            body["limit"] = self.limit
        return body


def standard(status: int, **kwargs: Any) -> ApiError:
    """The standard error of ``status`` (§9.2 table); unknown statuses get a generic code."""
    code, message = STANDARD.get(status, (f"http.{status}", f"HTTP status {status}."))
    return ApiError(status, code, message, **kwargs)


def bad_request(message: str, *, field: str | None = None, code: str = "bad.request") -> ApiError:
    """A 400 whose message names the offending field or value."""
    return ApiError(400, code, message, field=field)


def not_found(entity_id: str | None = None, what: str | None = None) -> ApiError:
    """404 ``not.found`` with the standard message; ``entityId`` names the missing id."""
    message = STANDARD[404][1]
    if what and entity_id:
        message = f"{message} {what} [{entity_id}] does not exist."
    return ApiError(404, "not.found", message, entity_id=entity_id)


def missing_permission(permission: str) -> ApiError:
    """403 ``missing.permissions`` naming the permission (format: genesys-api.md §9.2, [U])."""
    listed = f"[{permission}]"
    return ApiError(
        403,
        "missing.permissions",
        f"Unable to perform the requested action. You are missing the following permission(s): {listed}",
        message_with_params=(
            "Unable to perform the requested action. You are missing the following permission(s): "
            "{permissions}"
        ),
        params={"permissions": listed},
    )


def too_many_requests(retry_after: int) -> ApiError:
    """429 ``too.many.requests.retry.after`` with ``Retry-After``, empty ``details`` and ``errors``.

    The normalized body of every Platform API 429 since 2021-11 (genesys-api.md §9.3; Genesys forum
    notice "Normalized Platform API 429 responses", t/12028).
    """
    return ApiError(
        429,
        "too.many.requests.retry.after",
        f"Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds",
        message_with_params="Rate limit exceeded the maximum. Retry the request in [{retryAfter}] seconds",
        params={"retryAfter": str(retry_after)},
        headers={"Retry-After": str(retry_after)},
    )


class OAuthError(Exception):
    """A token-endpoint failure in OAuth shape (§1.2), not an ErrorBody.

    Args:
        status: HTTP status (401 for ``invalid_client``, 400 otherwise).
        error: OAuth error code (``invalid_client``, ``invalid_grant``...).
        description: Human text, sent as both ``description`` and ``error_description``.
    """

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        """The OAuth error JSON."""
        return {"error": self.error, "description": self.description, "error_description": self.description}
