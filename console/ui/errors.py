"""The one error sink of the app, and how an exception is shown (decoded) to a supervisor.

Every controller reports failures to :class:`ErrorSink` (napari ``qthreading``, qutebrowser
``message``); the main window listens to ``ErrorSink.reported`` and shows the newest error in
its error bar. :func:`decode_error` is the single place that turns an exception into words;
the error-decoder issue can replace its body without touching any window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecodedError:
    """An error in plain words.

    Attributes:
        title: One line: what failed ("Test connection failed: missing permission").
        explanation: What it means and what to do.
        details: Extra facts (code, status, missing permissions), one per line.
        correlation_id: ``ININ-Correlation-Id`` to quote to Genesys support.
        status: HTTP status, when there was an answer.
        missing_permissions: Permission names a 403 names.
    """

    title: str
    explanation: str
    details: list[str] = field(default_factory=list)
    correlation_id: str | None = None
    status: int | None = None
    missing_permissions: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Everything as plain text (for a tooltip or the clipboard)."""
        lines = [self.title, self.explanation, *self.details]
        if self.correlation_id:
            lines.append(f"Correlation id: {self.correlation_id}")
        return "\n".join(x for x in lines if x)


_STATUS_HELP = {
    400: "The request was refused as invalid.",
    401: "The credentials or the token were not accepted. Check the client id and secret, or sign in again.",
    403: "The credentials are valid but lack a permission. Ask an admin to add it to the OAuth client's "
    "role (Admin > Integrations > OAuth) or to your user's role.",
    404: "The object was not found; it may have been deleted.",
    409: "The object changed in the meantime; reload it and try again.",
    429: "Genesys Cloud's rate limit was reached; wait and try again.",
}


def decode_error(exc: BaseException, context: str = "") -> DecodedError:
    """Turn any exception into a :class:`DecodedError`."""
    from console.api import errors as api_errors
    from console.credentials import CredentialsError as StoreCredentialsError

    prefix = f"{context} failed" if context else "Failed"
    if isinstance(exc, api_errors.PermissionDeniedError):
        missing = exc.missing_permissions
        what = ", ".join(missing) if missing else "a permission"
        return DecodedError(
            title=f"{prefix}: missing permission {what}",
            explanation=_STATUS_HELP[403],
            details=[f"{exc.method} {exc.path} → 403 {exc.code or ''}".rstrip(), exc.detail],
            correlation_id=exc.correlation_id,
            status=403,
            missing_permissions=missing,
        )
    if isinstance(exc, api_errors.ApiStatusError):
        status = exc.status_code
        help_text = _STATUS_HELP.get(status) or (
            "Genesys Cloud had a problem; try again later." if status >= 500 else "The request was refused."
        )
        details = [f"{exc.method} {exc.path} → {status} {exc.code or ''}".rstrip()]
        if exc.detail:
            details.append(exc.detail)
        if isinstance(exc, api_errors.RateLimitError) and exc.retry_after is not None:
            details.append(f"Retry after {exc.retry_after:g} s")
        return DecodedError(
            title=f"{prefix}: {exc.detail or f'HTTP {status}'}",
            explanation=help_text,
            details=details,
            correlation_id=exc.correlation_id,
            status=status,
        )
    if isinstance(exc, api_errors.ApiTimeoutError):
        return DecodedError(f"{prefix}: no answer in time", "The server did not answer in time.", [str(exc)])
    if isinstance(exc, api_errors.ApiConnectionError):
        return DecodedError(
            f"{prefix}: could not reach the server",
            "Check the network, the region or URL of the profile, and any proxy.",
            [str(exc)],
        )
    if isinstance(exc, api_errors.LoginTimeoutError):
        return DecodedError(f"{prefix}: the browser sign-in did not finish in time", "Try signing in again.")
    if isinstance(exc, api_errors.LoginError):
        return DecodedError(f"{prefix}: browser sign-in failed", str(exc))
    if isinstance(exc, StoreCredentialsError | api_errors.CredentialsError):
        return DecodedError(f"{prefix}: credentials problem", str(exc))
    return DecodedError(f"{prefix}: {type(exc).__name__}", str(exc))


class ErrorSink(QObject):
    """Collects every failure of the app and announces it decoded.

    Signals:
        reported(object): a :class:`DecodedError`.
    """

    reported = Signal(object)  # object: DecodedError

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[DecodedError] = []

    def report(self, exc: BaseException, *, context: str = "") -> DecodedError:
        """Decode ``exc``, remember it, log its title (no secrets in exceptions) and announce it."""
        decoded = decode_error(exc, context)
        self.history.append(decoded)
        log.info("%s", decoded.title)
        self.reported.emit(decoded)
        return decoded
