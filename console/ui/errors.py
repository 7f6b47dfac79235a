"""The one error sink of the app, and how an exception is shown (decoded) to a supervisor.

Every controller reports failures to :class:`ErrorSink` (napari ``qthreading``, qutebrowser
``message``); the main window listens to ``ErrorSink.reported`` and shows the newest error in
its error bar. :func:`decode_error` is the single place that turns an exception into a
:class:`DecodedError`: status, code, the message with its parameters filled in, correlation id,
details and nested errors, the redacted request, and the plain-language cause and fix of
:func:`console.api.explain.explain`. The decoder view (:mod:`console.ui.decoder`) shows one.

Jumping to the cause: a :class:`DecodedError` may carry an :class:`ErrorTarget` (a form field
such as ``phoneColumns[0].columnName``, or a CSV cell). Targets come from the server's
``details[].fieldName`` or from the reporting page (``sink.report(exc, target=...)``). Pages
register a handler per target kind (and optionally per owner page)::

    sink.register_target_handler("field", self.focus_field, page="builder")
    sink.register_target_handler("cell", self.show_cell, page="preview")

and :meth:`ErrorSink.jump` calls it (the decoder's "Go to ..." link does).
"""

from __future__ import annotations

import logging
import re
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer, Signal, Slot

if TYPE_CHECKING:
    from console.api.client import GenesysClient
    from console.api.logging import ExchangeRecord

log = logging.getLogger(__name__)

_CELL_FIELD = re.compile(r"^\[(\d+)\]\.data\.(.+)$")
_CLASS_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Warning)\b:?\s*)+")
"""A leading class name ("CredentialsError: ..." from a child process's re-raised error)."""


@dataclass(frozen=True)
class ErrorTarget:
    """Where an error points: a form field or a CSV cell, on an owner page.

    Attributes:
        kind: ``"field"`` or ``"cell"``.
        field: Field path as the API names it (``phoneNumber``, ``phoneColumns[0].columnName``,
            ``[3].data.Mobile``).
        row: For a cell: the 0-based row. When derived from a server answer it is the index of
            the contact in the request body; a page that knows the CSV row reports that instead.
        column: For a cell: the column name.
        page: Owner page (``"call"``, ``"builder"``, ``"preview"``), None when unknown.
    """

    kind: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    page: str | None = None

    def label(self) -> str:
        """Short words for a link ("field phoneNumber", "row 4, column Mobile")."""
        if self.kind == "cell":
            row = f"row {self.row + 1}" if self.row is not None else "row ?"
            return f"{row}, column {self.column or '?'}"
        return f"field {self.field or '?'}"


def _page_of(path: str | None) -> str | None:
    if not path:
        return None
    if "/conversations/calls" in path or "/externalcontacts" in path:
        return "call"
    if "/contacts" in path or "/uploads" in path or path.endswith("/importstatus"):
        return "preview"
    if "/outbound/contactlists" in path or "/contactlisttemplates" in path:
        return "builder"
    return None


def target_for_field(name: str, path: str | None = None) -> ErrorTarget:
    """The target of a ``details[].fieldName``: a cell for ``[i].data.Column``, else a field."""
    match = _CELL_FIELD.match(name)
    page = _page_of(path)
    if match:
        return ErrorTarget("cell", field=name, row=int(match.group(1)), column=match.group(2), page=page)
    return ErrorTarget("field", field=name, page=page)


@dataclass(frozen=True)
class DecodedError:
    """An error in plain words, with everything the decoder view shows.

    Attributes:
        title: One line: what failed ("Place test call failed: the number to dial is not usable").
        explanation: Cause and fix in one paragraph (the error bar shows it).
        details: Extra facts, one per line (request, code, message, retry).
        correlation_id: ``ININ-Correlation-Id`` (or the body's ``contextId``) for Genesys support.
        status: HTTP status, when there was an answer.
        missing_permissions: Permission names a 403 names.
        code: The dotted code, OAuth error or import failure reason.
        message: The server's message with ``messageParams`` filled in.
        message_params: ``messageParams``.
        server_details: ``details[]`` entries as dicts (errorCode, fieldName, entityId, entityName).
        nested: Nested ``errors[]`` as (code, message) pairs.
        limit: The org limit that was hit ("key = value").
        method: HTTP method of the request that failed.
        url_path: Its path and query (secrets redacted).
        request_body: Its body, redacted.
        response_body: The raw answer (when it was not an ErrorBody).
        cause: Catalog cause.
        fix: Catalog fix.
        catalog_key: Catalog entry (``console.api.explain``).
        retry_after: Seconds to wait before retrying (429).
        target: Where the error points (form field or CSV cell), if anywhere.
        context: What the user was doing ("Place test call").
        reported_at: ``time.monotonic()`` when it was decoded (for the 429 countdown).
    """

    title: str
    explanation: str
    details: list[str] = field(default_factory=list)
    correlation_id: str | None = None
    status: int | None = None
    missing_permissions: list[str] = field(default_factory=list)
    code: str | None = None
    message: str = ""
    message_params: dict[str, str] = field(default_factory=dict)
    server_details: list[dict[str, str]] = field(default_factory=list)
    nested: list[tuple[str, str]] = field(default_factory=list)
    limit: str | None = None
    method: str | None = None
    url_path: str | None = None
    request_body: str | None = None
    response_body: str | None = None
    cause: str = ""
    fix: str = ""
    catalog_key: str = ""
    retry_after: float | None = None
    target: ErrorTarget | None = None
    context: str = ""
    reported_at: float = field(default_factory=time.monotonic)

    def text(self) -> str:
        """Everything as plain text (for a tooltip, the clipboard or the support bundle)."""
        lines = [self.title]
        if self.cause:
            lines.append(f"Cause: {self.cause}")
        if self.fix:
            lines.append(f"Fix: {self.fix}")
        if not self.cause and not self.fix:
            lines.append(self.explanation)
        lines.extend(self.details)
        if self.correlation_id:
            lines.append(f"Correlation id: {self.correlation_id}")
        return "\n".join(x for x in lines if x)

    @property
    def can_resend(self) -> bool:
        """Whether the failed request is known well enough to edit and resend it."""
        return bool(self.method and self.url_path and self.url_path.startswith("/api/v2/"))

    def retry_left(self, now: float | None = None) -> float | None:
        """Seconds left before a retry makes sense (None when the error did not say)."""
        if self.retry_after is None:
            return None
        now = time.monotonic() if now is None else now
        return max(0.0, self.reported_at + self.retry_after - now)


# catalog entries whose summary is generic: the title shows the server's own message instead
_GENERIC = {"bad.request", "unknown", "oauth.other", "credentials"}


def decode_error(exc: BaseException, context: str = "", *, target: ErrorTarget | None = None) -> DecodedError:
    """Turn any exception (or a failed import) into a :class:`DecodedError`.

    Args:
        exc: What failed.
        context: What the user was doing ("Place test call").
        target: Where it points, when the caller knows better than the server's ``fieldName``.
    """
    from console.api import errors as api_errors
    from console.api.explain import explain
    from console.api.logging import redact_url

    prefix = f"{context} failed" if context else "Failed"
    ex = explain(exc)
    facts = ex.facts
    kw: dict[str, Any] = {
        "code": facts.code,
        "message": facts.message,
        "message_params": dict(facts.params),
        "cause": ex.cause,
        "fix": ex.fix,
        "catalog_key": ex.key,
        "retry_after": facts.retry_after,
        "context": context,
        "missing_permissions": list(facts.permissions),
    }
    if ex.key == "proxy.gateway":
        kw["message"] = str(exc)  # the page itself goes to the details and response_body, never the message
    details: list[str] = []
    if isinstance(exc, api_errors.ApiError) and exc.request is not None:
        url = urlsplit(redact_url(str(exc.request.url)))
        kw["method"] = exc.request.method
        kw["url_path"] = url.path + (f"?{url.query}" if url.query else "")
    if isinstance(exc, api_errors.ApiStatusError):
        kw["status"] = exc.status_code
        kw["correlation_id"] = exc.correlation_id or (exc.body.context_id if exc.body else None)
        kw["request_body"] = exc.request_body
        kw["response_body"] = exc.response_text
        details.append(f"{exc.method} {exc.path} → {exc.status_code} {exc.code or ''}".rstrip())
        if exc.detail:
            details.append(exc.detail)
        body = exc.body
        if body is not None:
            dumped = [d.model_dump(by_alias=True, exclude_none=True) for d in body.details or []]
            kw["server_details"] = [{k: v for k, v in d.items() if isinstance(v, str)} for d in dumped]
            kw["nested"] = [(e.code or "", e.rendered_message()) for e in body.errors or []]
            if body.limit is not None and body.limit.key:
                kw["limit"] = f"{body.limit.key} = {body.limit.value}"
        if target is None and facts.fields:
            target = target_for_field(facts.fields[0], exc.path)
    elif isinstance(exc, api_errors.ApiError) or facts.kind == "import":
        details.append(str(exc))
    if facts.retry_after is not None:
        details.append(f"Retry after {facts.retry_after:g} s")
    if ex.key in _GENERIC or (ex.key == "bad.request.field" and facts.message):
        what = facts.message or ex.summary
    else:
        what = ex.summary.rstrip(".")
    if ex.key == "unknown" and not isinstance(exc, api_errors.ConsoleError):
        # the headline is words, never a class name ("... failed: CredentialsError"); the class
        # goes to the details, for whoever reads the support bundle
        said = str(exc).strip()
        what = said.splitlines()[0] if said else "an unexpected problem inside the console"
        what = _CLASS_PREFIX.sub("", what) or "an unexpected problem inside the console"
        kw["cause"] = said or ex.cause
        details.append(f"Python exception: {type(exc).__name__}")
    if not kw.get("correlation_id"):
        kw["fix"] = without_correlation_id(kw["fix"])
    explanation = f"{kw['cause']} {kw['fix']}".strip()
    what = _CLASS_PREFIX.sub("", what).strip() or ex.summary.rstrip(".")
    title = f"{prefix}: {what}"
    return DecodedError(
        title=title,
        explanation=explanation,
        details=details,
        target=target,
        **kw,
    )


def decode_exchange(record: ExchangeRecord, context: str = "") -> DecodedError | None:
    """The decoded error of one logged exchange (status >= 400 or no answer), else None.

    Rebuilds the exception the client raised, with the redacted request body, so the API log
    can open the decoder on any failed row.
    """
    import httpx

    from console.api.errors import ApiConnectionError, ApiStatusError

    context = context or f"{record.method} {urlsplit(record.url).path}"
    if record.status is None:
        request = httpx.Request(record.method, record.url)
        return decode_error(ApiConnectionError(record.error or "no answer", request), context)
    if record.status < 400:
        return None
    headers = {k: v for k, v in record.response_headers.items()}
    if record.correlation_id:
        headers.setdefault("ININ-Correlation-Id", record.correlation_id)
    content = (record.response_body or "").encode()
    request = httpx.Request(record.method, record.url)
    response = httpx.Response(record.status, headers=headers, content=content, request=request)
    exc = ApiStatusError.from_response(response, request_body=record.request_body)
    return decode_error(exc, context)


_CORRELATION_SENTENCE = re.compile(r"[^.;]*correlation id[^.]*[.]?\s*", re.IGNORECASE)
_NO_ID_ADVICE = (
    "If it happens again, export a support bundle (File > Export support bundle) for whoever supports "
    "the console."
)


def without_correlation_id(fix: str) -> str:
    """``fix`` without advice to quote a correlation id (for an error that has none).

    The sentence naming the id is replaced by the support bundle, which holds what support needs.
    """
    if "correlation id" not in fix.lower():
        return fix
    kept = _CORRELATION_SENTENCE.sub("", fix).strip()
    return f"{kept} {_NO_ID_ADVICE}".strip()


TargetHandler = Callable[[ErrorTarget], bool]
"""A page's jump handler: shows the target and returns True, or returns False (not mine)."""


class ErrorSink(QObject):
    """Collects every failure of the app, announces it decoded, and routes jumps to pages.

    Signals:
        reported(object): a :class:`DecodedError` (the newest failure).
        decoder_requested(object): a :class:`DecodedError` the user wants to see in the decoder.
        jumped(object): an :class:`ErrorTarget` a page has just shown.
    """

    reported = Signal(object)  # object: DecodedError
    decoder_requested = Signal(object)  # object: DecodedError
    jumped = Signal(object)  # object: ErrorTarget

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[DecodedError] = []
        self._handlers: list[tuple[str, str | None, Callable[[], TargetHandler | None]]] = []
        self.client_factory: Callable[..., GenesysClient] | None = None
        """Makes a client for the decoder's resend (``session.new_client``); set by the window or a page."""
        self.decoder: QObject | None = None
        """The decoder view, once opened (one per sink)."""
        self._attached = False

    # -- reporting -------------------------------------------------------------------------

    def report(
        self, exc: BaseException, *, context: str = "", target: ErrorTarget | None = None
    ) -> DecodedError:
        """Decode ``exc``, remember it, log its title (no secrets in exceptions) and announce it.

        Args:
            exc: What failed.
            context: What the user was doing ("Save contact list").
            target: The form field or CSV cell it concerns, when the page knows it.
        """
        return self.report_decoded(decode_error(exc, context, target=target))

    def report_decoded(self, decoded: DecodedError) -> DecodedError:
        """Remember and announce an already decoded error."""
        self.history.append(decoded)
        log.info("%s", decoded.title)
        self.reported.emit(decoded)
        return decoded

    @property
    def last(self) -> DecodedError | None:
        """The newest error, if any."""
        return self.history[-1] if self.history else None

    def open_decoder(self, decoded: DecodedError | None = None) -> QObject:
        """Show the decoder view on ``decoded`` (default: the newest error) and return it."""
        from console.ui.decoder import DecoderDialog

        if self.decoder is None:
            self.decoder = DecoderDialog(self)
        chosen = decoded or self.last
        self.decoder_requested.emit(chosen)
        assert isinstance(self.decoder, DecoderDialog)
        self.decoder.show_error(chosen)
        return self.decoder

    # -- jump targets ------------------------------------------------------------------------

    def register_target_handler(self, kind: str, handler: TargetHandler, *, page: str | None = None) -> None:
        """Let a page show targets of ``kind`` (``"field"``/``"cell"``), optionally only its own.

        A bound method is held weakly, so a closed page drops out by itself.
        """
        ref: Callable[[], TargetHandler | None]
        if hasattr(handler, "__self__") and hasattr(handler, "__func__"):
            ref = weakref.WeakMethod(handler)
        else:

            def ref() -> TargetHandler | None:
                return handler

        self._handlers.append((kind, page, ref))

    def _candidates(self, target: ErrorTarget) -> list[TargetHandler]:
        own = [r() for k, p, r in self._handlers if k == target.kind and p is not None and p == target.page]
        other = [r() for k, p, r in self._handlers if k == target.kind and p is None]
        return [h for h in [*own, *other] if h is not None]

    def can_jump(self, target: ErrorTarget | None) -> bool:
        """Whether some page can show ``target``."""
        return target is not None and bool(self._candidates(target))

    def jump(self, target: ErrorTarget) -> bool:
        """Ask the pages to show ``target``; True when one did."""
        for handler in self._candidates(target):
            if handler(target):
                self.jumped.emit(target)
                return True
        return False

    # -- main window hook ------------------------------------------------------------------------

    def setParent(self, parent: QObject | None) -> None:
        """Reparent; when the parent is the main window, hook the decoder into it once it is built."""
        super().setParent(parent)
        if parent is not None and not self._attached:
            QTimer.singleShot(0, self, self._on_parent_ready)

    @Slot()
    def _on_parent_ready(self) -> None:
        from console.ui.decoder import attach_to_window

        window = self.parent()
        if window is not None and not self._attached and hasattr(window, "error_bar"):
            self._attached = attach_to_window(window, self)
