"""OAuth for the console: client credentials as an ``httpx.Auth`` flow, and PKCE sign-in.

- :class:`ClientCredentialsAuth` gets a token from ``POST {login}/oauth/token`` (Basic
  auth, ``grant_type=client_credentials``; genesys-api.md §1.2), caches it until shortly
  before ``expires_in`` runs out, and on a 401 fetches a new one exactly once and replays
  the request (a 401 means the request was not processed).
- :class:`PkceLogin` runs the authorization-code-with-PKCE sign-in (§1.4) with a loopback
  redirect listener on 127.0.0.1; the step that opens the browser is injectable.
- :class:`UserTokenAuth` holds the signed-in user's token for a client; ``sign_out()`` forgets it.

Token-endpoint refusals (OAuth-shaped bodies ``{"error", "error_description"}``, not
ErrorBody) become :class:`~console.api.errors.AuthenticationError` naming the login host.
Tokens are :class:`pydantic.SecretStr` so they never print.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.server
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from console.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    AuthenticationError,
    Cancelled,
    ErrorBody,
    LoginError,
    LoginTimeoutError,
)
from console.api.logging import redact_body
from console.api.regions import Endpoint
from console.api.transport import DEFAULT_TIMEOUT, USER_AGENT, new_http_client

DEFAULT_LEEWAY = 60.0
"""Seconds before ``expires_in`` runs out at which a cached token is no longer used."""

_PKCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._"


class TokenResponse(BaseModel):
    """The token endpoint's answer (OAuth names, snake_case on the wire)."""

    model_config = ConfigDict(extra="allow")

    access_token: SecretStr
    """The bearer token."""
    token_type: str | None = None
    """``bearer``."""
    expires_in: float | None = None
    """Lifetime in seconds (≈ 86399 by default)."""
    refresh_token: SecretStr | None = None
    """Refresh token (code grants only)."""


@dataclass(frozen=True)
class AccessToken:
    """A token held by the console.

    Attributes:
        value: The bearer token.
        expires_at: Clock reading (monotonic) at which it expires; None if unknown.
        refresh_token: Refresh token, when the grant gave one.
        token_type: Usually ``bearer``.
    """

    value: SecretStr
    expires_at: float | None = None
    refresh_token: SecretStr | None = None
    token_type: str = "bearer"

    @classmethod
    def from_response(cls, data: TokenResponse, *, now: float) -> AccessToken:
        """Build from a token response received at clock reading ``now``."""
        expires = now + data.expires_in if data.expires_in is not None else None
        return cls(data.access_token, expires, data.refresh_token, data.token_type or "bearer")

    def is_fresh(self, now: float, leeway: float = DEFAULT_LEEWAY) -> bool:
        """True while the token has more than ``leeway`` seconds left (or no known expiry)."""
        return self.expires_at is None or now < self.expires_at - leeway

    def bearer(self) -> str:
        """The ``Authorization`` header value."""
        return f"Bearer {self.value.get_secret_value()}"


def token_error(response: httpx.Response, login_host: str, what: str) -> ApiStatusError:
    """Turn a refused token request into a clear error.

    OAuth-shaped bodies (``invalid_client``, ``invalid_grant``...) and any 400/401 become
    :class:`AuthenticationError` ``"the {what} was not accepted by {login_host}"``; other
    statuses (429, 5xx) keep their usual class.
    """
    data: Any
    try:
        data = response.json()
    except ValueError:
        data = None
    body: ErrorBody | None = None
    oauth_error = None
    if isinstance(data, dict):
        oauth_error = data.get("error")
        if isinstance(oauth_error, str):
            description = data.get("error_description") or data.get("description") or ""
            body = ErrorBody(code=oauth_error, message=str(description), status=response.status_code)
        else:
            body = ErrorBody.model_validate(data)
    request_body = redact_body(response.request.content, response.request.headers.get("content-type"))
    if isinstance(oauth_error, str) or response.status_code in (400, 401):
        detail = f" ({body.code}: {body.rendered_message()})" if body and body.code else ""
        return AuthenticationError(
            f"the {what} was not accepted by {login_host}{detail}",
            response.request,
            status_code=response.status_code,
            body=body,
            correlation_id=response.headers.get("ININ-Correlation-Id"),
            request_body=request_body,
        )
    return ApiStatusError.from_response(response, request_body=request_body)


def _parse_token(response: httpx.Response, login_host: str, what: str, now: float) -> AccessToken:
    if response.status_code != 200:
        raise token_error(response, login_host, what)
    try:
        parsed = TokenResponse.model_validate(response.json())
    except ValueError as exc:  # JSON or validation error: never echo the body (it may hold a token)
        raise AuthenticationError(
            f"{login_host} answered the token request without a usable access_token",
            response.request,
            status_code=response.status_code,
        ) from exc
    return AccessToken.from_response(parsed, now=now)


def _timeouts_of(request: httpx.Request) -> dict[str, Any]:
    """The time-outs of the API request a token request is made for.

    A request an auth flow yields is sent as it is: built without the ``timeout`` extension it
    would wait for ever on a token endpoint that accepts the connection and never answers.
    """
    timeout = request.extensions.get("timeout")
    return {"timeout": timeout} if timeout is not None else {"timeout": DEFAULT_TIMEOUT.as_dict()}


class ClientCredentialsAuth(httpx.Auth):
    """Client-credentials grant inside an ``httpx.Auth`` flow.

    The token is cached until ``leeway`` seconds before ``expires_in``; a 401 from the API
    drops it, fetches a new one once and replays the request once. Share one instance
    between the clients of one connection so they share the token.

    Args:
        endpoint: Where the login host is.
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        leeway: Seconds before expiry at which the token is renewed.
        clock: Monotonic clock (injectable for tests).
    """

    requires_response_body = True

    def __init__(
        self,
        endpoint: Endpoint,
        client_id: str,
        client_secret: SecretStr | str,
        *,
        leeway: float = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.client_id = client_id
        self._secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        self.leeway = leeway
        self._clock = clock
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self.fetch_count = 0
        """Tokens fetched so far (tests assert re-auth happened exactly once)."""

    @property
    def token(self) -> AccessToken | None:
        """The cached token, if any."""
        with self._lock:
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token; the next request fetches a new one."""
        with self._lock:
            self._token = None

    def _basic(self) -> str:
        raw = f"{self.client_id}:{self._secret.get_secret_value()}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def _fetch(self, like: httpx.Request) -> Generator[httpx.Request, httpx.Response, AccessToken]:
        request = httpx.Request(
            "POST",
            self.endpoint.token_url,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": self._basic(), "Accept": "application/json", "User-Agent": USER_AGENT},
            extensions=_timeouts_of(like),
        )
        response = yield request
        token = _parse_token(response, self.endpoint.login_host, "client id or secret", self._clock())
        with self._lock:
            self._token = token
            self.fetch_count += 1
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Attach a fresh token; on a 401 fetch a new one once and replay."""
        with self._lock:
            token = self._token
        if token is None or not token.is_fresh(self._clock(), self.leeway):
            token = yield from self._fetch(request)
        request.headers["Authorization"] = token.bearer()
        response = yield request
        if response.status_code == 401:
            with self._lock:
                if self._token is token:
                    self._token = None
                current = self._token
            if current is None or current is token:
                current = yield from self._fetch(request)
            request.headers["Authorization"] = current.bearer()
            yield request


class UserTokenAuth(httpx.Auth):
    """Bearer auth with the signed-in user's token (from :class:`PkceLogin`).

    The UI keeps one instance per signed-in user and passes it to every client. When the
    token carries a refresh token, a 401 refreshes it once (form ``grant_type=refresh_token``
    with ``client_id``) and replays; otherwise the 401 surfaces as AuthenticationError and
    the UI asks the user to sign in again.

    Args:
        endpoint: Where the login host is.
        client_id: The PKCE client id (for refresh).
        token: The current token; None until signed in.
        clock: Monotonic clock.
    """

    requires_response_body = True

    def __init__(
        self,
        endpoint: Endpoint,
        client_id: str,
        token: AccessToken | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.client_id = client_id
        self._token = token
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def signed_in(self) -> bool:
        """True while a token is held."""
        with self._lock:
            return self._token is not None

    @property
    def token(self) -> AccessToken | None:
        """The held token."""
        with self._lock:
            return self._token

    def set_token(self, token: AccessToken) -> None:
        """Hold a new token (after sign-in)."""
        with self._lock:
            self._token = token

    def sign_out(self) -> None:
        """Forget the token; revoke it on the server first with ``GenesysClient.revoke_token()``."""
        with self._lock:
            self._token = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Attach the user's token; refresh once on a 401 when a refresh token is held."""
        with self._lock:
            token = self._token
        if token is None:
            raise LoginError("not signed in: sign in with the browser first")
        request.headers["Authorization"] = token.bearer()
        response = yield request
        if response.status_code != 401 or token.refresh_token is None:
            return
        refresh = httpx.Request(
            "POST",
            self.endpoint.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": token.refresh_token.get_secret_value(),
                "client_id": self.client_id,
            },
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            extensions=_timeouts_of(request),
        )
        refreshed = yield refresh
        new = _parse_token(refreshed, self.endpoint.login_host, "refresh token", self._clock())
        with self._lock:
            self._token = new
        request.headers["Authorization"] = new.bearer()
        yield request


# ---------------------------------------------------------------------------
# PKCE
# ---------------------------------------------------------------------------


def generate_code_verifier(length: int = 64) -> str:
    """A PKCE code verifier: ``length`` (43..128) characters of ``A-Z a-z 0-9 - . _`` (as the SDK)."""
    if not 43 <= length <= 128:
        raise ValueError("a PKCE code verifier has 43 to 128 characters")
    return "".join(secrets.choice(_PKCE_ALPHABET) for _ in range(length))


def code_challenge(verifier: str) -> str:
    """``base64url(SHA-256(verifier))`` without ``=`` padding (method ``S256``)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@dataclass
class _Redirect:
    params: dict[str, str]


class _LoopbackServer(http.server.HTTPServer):
    redirect_path: str
    result: _Redirect | None
    arrived: threading.Event


class _LoopbackHandler(http.server.BaseHTTPRequestHandler):
    server: _LoopbackServer
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.redirect_path or self.server.arrived.is_set():
            self.send_error(404)
            return
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.server.result = _Redirect(params)
        self.server.arrived.set()
        ok = "code" in params and "error" not in params
        reason = params.get("error_description") or params.get("error") or "no code"
        text = (
            "Signed in. You can close this window and return to Outbound Console."
            if ok
            else "Sign-in failed: " + html.escape(reason)
        )
        page = f"<!doctype html><meta charset=utf-8><title>Outbound Console</title><p>{text}</p>".encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr logging (the redirect URL carries the code)."""


class PkceLogin:
    """Authorization code with PKCE and a loopback redirect listener on 127.0.0.1.

    ``run()`` binds the listener (``port`` 0 = random), opens the authorize URL with
    ``open_browser``, waits for the redirect (``timeout`` seconds, or until ``cancel`` is
    set), checks ``state``, and exchanges the code (no client secret) for a token.

    Args:
        endpoint: Region or custom base.
        client_id: The PKCE OAuth client id (redirect URI registered as a loopback URL).
        port: Listener port; 0 picks a free one (register ``http://127.0.0.1/...`` loopback URIs).
        redirect_path: Path of the redirect URI.
        open_browser: Called with the authorize URL; ``webbrowser.open`` by default. Tests pass
            a function that follows the redirects with httpx.
        timeout: Seconds to wait for the redirect.
        http: Client for the token exchange (a default one is made and closed otherwise).
        extra_params: Extra authorize parameters (``org``, ``provider``, ``login_hint``, ``prompt``).
    """

    def __init__(
        self,
        endpoint: Endpoint,
        client_id: str,
        *,
        port: int = 0,
        redirect_path: str = "/oauth/callback",
        open_browser: Callable[[str], object] = webbrowser.open,
        timeout: float = 180.0,
        http: httpx.Client | None = None,
        extra_params: dict[str, str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.client_id = client_id
        self.port = port
        self.redirect_path = redirect_path
        self.open_browser = open_browser
        self.timeout = timeout
        self._http = http
        self.extra_params = dict(extra_params or {})
        self.redirect_uri: str | None = None
        """Set once the listener is bound."""

    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        """The ``/oauth/authorize`` URL for this sign-in."""
        params = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
            **self.extra_params,
        }
        return f"{self.endpoint.authorize_url}?{urlencode(params)}"

    def run(self, cancel: threading.Event | None = None) -> AccessToken:
        """Sign in and return the user's token.

        Raises:
            LoginTimeoutError: no redirect within ``timeout``.
            LoginError: the redirect carried an error, a wrong state or no code, or the browser
                could not be opened.
            AuthenticationError: the login host refused the code exchange.
            Cancelled: ``cancel`` was set.
        """
        verifier = generate_code_verifier()
        state = secrets.token_urlsafe(24)
        server = _LoopbackServer(("127.0.0.1", self.port), _LoopbackHandler)
        server.redirect_path = self.redirect_path
        server.result = None
        server.arrived = threading.Event()
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            port = server.server_address[1]
            self.redirect_uri = f"http://127.0.0.1:{port}{self.redirect_path}"
            url = self.authorize_url(self.redirect_uri, state, code_challenge(verifier))
            try:
                self.open_browser(url)
            except Exception as exc:  # any browser failure is a sign-in failure
                raise LoginError(f"could not open the browser for sign-in: {exc}") from exc
            deadline = time.monotonic() + self.timeout
            while not server.arrived.wait(min(0.1, max(deadline - time.monotonic(), 0))):
                if cancel is not None and cancel.is_set():
                    raise Cancelled("sign-in cancelled")
                if time.monotonic() >= deadline:
                    raise LoginTimeoutError(f"no answer from the browser sign-in within {self.timeout:g} s")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=2)
        result: _Redirect | None = server.result
        params = result.params if result is not None else {}
        if "error" in params:
            reason = params.get("error_description") or params["error"]
            raise LoginError(f"{self.endpoint.login_host} refused the sign-in: {reason}")
        if not secrets.compare_digest(params.get("state", ""), state):
            raise LoginError("the sign-in answer carried a wrong state (possible forged redirect); try again")
        code = params.get("code")
        if not code:
            raise LoginError("the sign-in answer carried no authorization code")
        return self._exchange(code, verifier)

    def _exchange(self, code: str, verifier: str) -> AccessToken:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri or "",
        }
        http = self._http or new_http_client()
        try:
            response = http.post(self.endpoint.token_url, data=form)
        except httpx.TransportError as exc:
            raise ApiConnectionError(f"could not reach {self.endpoint.login_host}: {exc}") from exc
        finally:
            if self._http is None:
                http.close()
        return _parse_token(response, self.endpoint.login_host, "sign-in code", time.monotonic())
