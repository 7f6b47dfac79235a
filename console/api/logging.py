"""The request log: one :class:`ExchangeRecord` per HTTP exchange, secrets redacted.

Redaction happens when the record is built, so no hook ever sees a token or secret:
``Authorization``/``Cookie`` headers, JSON or form fields named like tokens, secrets,
passwords, codes and verifiers, and signature-like query parameters of presigned URLs.
Bodies are truncated to ``max_body`` characters.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

REDACTED = "[REDACTED]"
"""What replaces a secret."""

TOKEN_PLACEHOLDER = "$GENESYS_TOKEN"
"""What :meth:`ExchangeRecord.to_curl` puts in place of the bearer token."""

DEFAULT_MAX_BODY = 4000
"""Longest body text kept in a record."""

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-amz-security-token"}
)
"""Headers whose values are always redacted."""

_SENSITIVE_KEY = re.compile(
    r"(token|secret|password|passwd|assertion|code_verifier|codeverifier|signature|credential"
    r"|^sig$|^x-amz-security-token$)",
    re.IGNORECASE,
)
# ``code`` is the OAuth authorization code only in form bodies and URLs; in JSON it is the
# ErrorBody's error code (``bad.request``), which the API log and the decoder must show.
_OAUTH_CODE_KEY = re.compile(r"^code$", re.IGNORECASE)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/=]+")
# fallback for text that is not valid JSON/form: "access_token": "...", client_secret=...
_KEY_VALUE = re.compile(
    r"""(?ix)(["']?[a-z_\-]*(?:token|secret|password|code_verifier)["']?\s*[:=]\s*["']?)[^"'&,\s}]+"""
)


def _mask_text(text: str) -> str:
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _KEY_VALUE.sub(lambda m: m.group(1) + REDACTED, text)


def is_sensitive_key(name: str, *, form: bool = False) -> bool:
    """True for keys whose values must not be logged.

    Args:
        name: The JSON, form or query key.
        form: The key is a form field or query parameter, where ``code`` is an OAuth
            authorization code (in JSON bodies ``code`` is an error code and is kept).
    """
    return bool(_SENSITIVE_KEY.search(name)) or (form and bool(_OAUTH_CODE_KEY.search(name)))


def _redact_header(name: str, value: str) -> str:
    if name.lower() not in SENSITIVE_HEADERS:
        return value
    scheme, sep, _ = value.partition(" ")
    if sep and scheme.lower() in ("bearer", "basic"):
        return f"{scheme} {REDACTED}"
    return REDACTED


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Copy of ``headers`` with credential values redacted (the ``Bearer``/``Basic`` scheme is kept)."""
    return {k: _redact_header(k, v) for k, v in headers.items()}


def redact_url(url: str) -> str:
    """The URL with sensitive query parameters (signatures, tokens, codes) redacted."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    cleaned = [(k, REDACTED if is_sensitive_key(k, form=True) else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(cleaned, safe=",:[]")))


def _redact_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if is_sensitive_key(str(k)) and v not in (None, "") else _redact_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(v) for v in value]
    return value


def redact_body(
    body: bytes | str | None, content_type: str | None, *, max_body: int = DEFAULT_MAX_BODY
) -> str | None:
    """Text of a request/response body with secrets redacted and the result truncated.

    JSON and form bodies are redacted field by field; anything else has bearer/basic
    credentials masked. Multipart and binary bodies are summarised by size.
    """
    if body is None:
        return None
    raw = body.encode() if isinstance(body, str) else body
    if not raw:
        return ""
    ctype = (content_type or "").lower()
    if "multipart/" in ctype:
        return f"<multipart body, {len(raw)} bytes>"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"<binary body, {len(raw)} bytes>"
    if "json" in ctype or text[:1] in "{[":
        try:
            text = json.dumps(_redact_json(json.loads(text)), ensure_ascii=False, separators=(",", ":"))
        except ValueError:
            text = _mask_text(text)
    elif "x-www-form-urlencoded" in ctype:
        pairs = parse_qsl(text, keep_blank_values=True)
        text = urlencode(
            [(k, REDACTED if is_sensitive_key(k, form=True) else v) for k, v in pairs], safe=":[]"
        )
    else:
        text = _mask_text(text)
    if len(text) > max_body:
        text = text[:max_body] + f"... [{len(text) - max_body} more characters]"
    return text


def request_body_text(request: httpx.Request, max_body: int = DEFAULT_MAX_BODY) -> str | None:
    """The request's body for a record: redacted and truncated (streamed bodies are not read)."""
    try:
        content = request.content
    except httpx.RequestNotRead:
        return "<streamed body>"
    return redact_body(content, request.headers.get("content-type"), max_body=max_body) if content else None


@dataclass(frozen=True)
class ExchangeRecord:
    """One HTTP exchange as logged: everything already redacted.

    Attributes:
        method: HTTP method.
        url: Full URL, sensitive query parameters redacted.
        status: HTTP status, or None when no answer came.
        duration: Seconds from sending to the answer (or the failure).
        correlation_id: ``ININ-Correlation-Id`` of the answer.
        request_headers: Request headers, credentials redacted.
        request_body: Request body text, redacted and truncated.
        response_headers: Response headers, cookies redacted.
        response_body: Response body text, redacted and truncated.
        error: Transport error text when no answer came.
        attempt: 0 for the first try, 1.. for retries.
    """

    method: str
    url: str
    status: int | None
    duration: float
    correlation_id: str | None = None
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    error: str | None = None
    attempt: int = 0

    @classmethod
    def from_response(
        cls, response: httpx.Response, *, duration: float, attempt: int = 0, max_body: int = DEFAULT_MAX_BODY
    ) -> ExchangeRecord:
        """The redacted record of an answered exchange (the response body must have been read)."""
        request = response.request
        return cls(
            method=request.method,
            url=redact_url(str(request.url)),
            status=response.status_code,
            duration=duration,
            correlation_id=response.headers.get("ININ-Correlation-Id"),
            request_headers=redact_headers(request.headers),
            request_body=request_body_text(request, max_body),
            response_headers=redact_headers(response.headers),
            response_body=redact_body(
                response.content, response.headers.get("content-type"), max_body=max_body
            ),
            attempt=attempt,
        )

    @classmethod
    def from_failure(
        cls,
        request: httpx.Request,
        exc: BaseException,
        *,
        duration: float,
        attempt: int = 0,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> ExchangeRecord:
        """The redacted record of an exchange that got no answer (time-out, dropped connection)."""
        return cls(
            method=request.method,
            url=redact_url(str(request.url)),
            status=None,
            duration=duration,
            request_headers=redact_headers(request.headers),
            request_body=request_body_text(request, max_body),
            error=f"{type(exc).__name__}: {exc}",
            attempt=attempt,
        )

    def summary(self) -> str:
        """One line: ``GET /api/v2/... -> 200 (12 ms) [correlation]``."""
        outcome = str(self.status) if self.status is not None else f"failed: {self.error}"
        corr = f" [{self.correlation_id}]" if self.correlation_id else ""
        return f"{self.method} {self.url} -> {outcome} ({self.duration * 1000:.0f} ms){corr}"

    def to_curl(self, *, token_placeholder: str = TOKEN_PLACEHOLDER) -> str:
        """A ``curl`` command that repeats the request, the bearer token replaced by a placeholder.

        Other redacted values stay ``[REDACTED]``; the command is for reading and adapting,
        it never contains a secret.
        """
        parts = ["curl", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            lname = name.lower()
            if lname in ("content-length", "host", "accept-encoding", "connection"):
                continue
            if lname == "authorization":
                scheme = value.partition(" ")[0]
                if scheme.lower() == "basic":
                    secret = "$GENESYS_BASIC_CREDENTIALS"
                else:
                    scheme, secret = "Bearer", token_placeholder
                # double quotes: the placeholder is meant to be expanded by the shell
                parts += ["-H", f'"{name}: {scheme} {secret}"']
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body:
            parts += ["--data-raw", shlex.quote(self.request_body)]
        return " ".join(parts)


ExchangeHook = Callable[[ExchangeRecord], None]
"""Receives one record per exchange."""
