"""The console's one exception root, importable from every layer (it imports nothing of the console).

The tree (STYLE.md; httpx ``_exceptions.py`` style)::

    ConsoleError
    ├── ApiError(message, request)               talking to the API failed (console.api.errors)
    │   ├── ApiConnectionError                   no HTTP answer (refused, dropped, TLS, proxy)
    │   │   └── ApiTimeoutError                  connect/read/write/pool time-out
    │   └── ApiStatusError(status_code, body, correlation_id)   an HTTP answer outside 200..205
    │       ├── BadRequestError                  400 (and other 4xx without their own class)
    │       ├── AuthenticationError              401, and every token-endpoint refusal
    │       ├── PermissionDeniedError            403 (``missing_permissions`` lists what is missing)
    │       ├── NotFoundError                    404
    │       ├── ConflictError                    409
    │       ├── RateLimitError(retry_after)      429
    │       └── ServerError                      5xx
    ├── CredentialsError(no_keyring)             no/unusable stored credentials, keyring trouble
    ├── LoginError                               the browser sign-in did not complete (console.api.errors)
    │   └── LoginTimeoutError                    ... within the time-out
    └── Cancelled                                the caller's cancel flag was set (thread, child, wait)

Every class here pickles with all it carries, so an error raised in a child process arrives whole.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Cancelled", "ConsoleError", "CredentialsError"]


class ConsoleError(Exception):
    """Root of every exception the console raises on purpose."""


class CredentialsError(ConsoleError):
    """The secret could not be stored, read or deleted, or no usable credentials exist.

    ``str()`` is a plain-language message for the user (never a class name).

    Attributes:
        no_keyring: True when no usable keyring exists at all (offer "this session only").
    """

    def __init__(self, message: str, *, no_keyring: bool = False) -> None:
        super().__init__(message)
        self.no_keyring = no_keyring

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_credentials_error, (str(self), self.no_keyring))


def _rebuild_credentials_error(message: str, no_keyring: bool) -> CredentialsError:
    return CredentialsError(message, no_keyring=no_keyring)


class Cancelled(ConsoleError):  # noqa: N818 - reads better at the raise site than ...Error
    """The caller's cancel flag was set; the work stopped where it was, nothing half-done is kept."""
