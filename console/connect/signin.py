"""The PKCE sign-in in the system browser, then ``GET /users/me`` to learn who signed in.

The redirect URI must be one the org's OAuth client has registered (genesys-api.md §1.4), so the
console listens on a fixed loopback port and path, :func:`redirect_uri` of the profile's port
(:data:`DEFAULT_REDIRECT_PORT` unless the profile says otherwise): the profile form shows that exact
URI to register. A port another program holds is said in plain words (:class:`RedirectPortInUseError`);
a user token that expired asks to sign in again (:class:`SignInExpiredError`).
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from console.api.auth import AccessToken, PkceLogin, UserTokenAuth
from console.api.client import GenesysClient
from console.api.errors import AuthenticationError
from console.api.logging import ExchangeRecord
from console.api.regions import is_loopback
from console.api.transport import DEFAULT_TIMEOUT, BorrowedTransport, ConsoleTransport
from console.connect.profiles import endpoint_for
from console.credentials import Profile, SignInMethod
from console.errors import CredentialsError

__all__ = [
    "DEFAULT_REDIRECT_PORT",
    "REDIRECT_HOST",
    "REDIRECT_PATH",
    "RedirectPortInUseError",
    "SignInExpiredError",
    "SignedInUser",
    "redirect_uri",
    "sign_in_expired",
    "sign_in_user",
]

DEFAULT_REDIRECT_PORT = 8085
"""The loopback port of the PKCE redirect, unless the profile names another (never 0 for a real org:
the URI must match one registered on the OAuth client)."""
REDIRECT_HOST = "127.0.0.1"
"""The loopback address the redirect listener binds."""
REDIRECT_PATH = "/callback"
"""The path of the PKCE redirect URI."""


_PORT_TAKEN = {
    errno.EADDRINUSE,
    errno.EACCES,
    getattr(errno, "WSAEADDRINUSE", -1),
    getattr(errno, "WSAEACCES", -1),
}
"""Bind errors that mean "another program has the port" (Windows answers WSAEACCES for reserved ports)."""


def redirect_uri(port: int = DEFAULT_REDIRECT_PORT) -> str:
    """The exact redirect URI to register on the org's OAuth client: ``http://127.0.0.1:<port>/callback``."""
    return f"http://{REDIRECT_HOST}:{port}{REDIRECT_PATH}"


class RedirectPortInUseError(CredentialsError):
    """Another program listens on the redirect port: the browser's answer could not reach the console."""


class SignInExpiredError(CredentialsError):
    """The signed-in user's token was refused (401): expired or revoked; PKCE tokens are not refreshed."""


def sign_in_expired(exc: AuthenticationError, who: str | None = None) -> SignInExpiredError:
    """The plain-words error for a 401 answered to a user token: sign in again."""
    user = f" as {who}" if who else ""
    return SignInExpiredError(
        f"Your sign-in{user} has expired or was revoked ({exc.status_code} {exc.code or ''}".rstrip()
        + "): sign in again (Account → Sign in as a user, Ctrl+Shift+L)."
    )




@dataclass(frozen=True)
class SignedInUser:
    """A user signed in with PKCE.

    Attributes:
        name: Display name.
        email: E-mail, if known.
        user_id: User id.
        token: The user's token (``SecretStr`` inside; never shown).
    """

    name: str
    email: str | None
    user_id: str | None
    token: AccessToken = field(repr=False)

    @property
    def label(self) -> str:
        """``Name <email>``."""
        return f"{self.name} <{self.email}>" if self.email else self.name


def sign_in_user(
    profile: Profile,
    *,
    open_browser: Callable[[str], object],
    on_exchange: Callable[[ExchangeRecord], None] | None = None,
    cancel: threading.Event | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 180.0,
) -> SignedInUser:
    """PKCE sign-in in the system browser, then ``GET /users/me`` to show who signed in.

    Args:
        profile: The profile (its PKCE client id, redirect port and proxy).
        open_browser: Opens the authorize URL.
        on_exchange: Called with every request/answer (the API log), the token exchange included.
        cancel: Stops the wait for the browser.
        timeout: Seconds to wait for the browser to come back.
        transport: A shared transport to borrow (the window session's); None: one of the
            profile's proxy for this sign-in only.
    """
    endpoint = endpoint_for(profile)
    port = profile.redirect_port
    if port == 0 and not is_loopback(httpx.URL(endpoint.api_base).host):
        # a real org only redirects to a registered URI: a random port can never match it
        port = DEFAULT_REDIRECT_PORT
    client_id = profile.client_id if profile.sign_in is SignInMethod.PKCE else profile.pkce_client_id
    if not client_id:
        raise CredentialsError(
            f'Profile {profile.name!r} has no user-login client id. Set "User login client" in the profile.'
        )

    def record(response: httpx.Response) -> None:
        # The token exchange is an exchange of the session like any other: it belongs in the API log.
        response.read()
        if on_exchange is not None:
            on_exchange(ExchangeRecord.from_response(response, duration=response.elapsed.total_seconds()))

    owned = ConsoleTransport(profile.proxy_url) if transport is None else None
    shared: httpx.BaseTransport = transport if transport is not None else owned  # type: ignore[assignment]
    try:
        http = httpx.Client(
            transport=BorrowedTransport(shared), timeout=DEFAULT_TIMEOUT, event_hooks={"response": [record]}
        )
        login = PkceLogin(
            endpoint,
            client_id,
            port=port,
            redirect_path=REDIRECT_PATH,
            open_browser=open_browser,
            timeout=timeout,
            http=http,
        )
        try:
            token = _browser_login(login, port, cancel)
        finally:
            http.close()
        auth = UserTokenAuth(endpoint, client_id, token)
        with GenesysClient(
            endpoint, auth, on_exchange=on_exchange, cancel=cancel, transport=BorrowedTransport(shared)
        ) as client:
            me = client.get_me()
    finally:
        if owned is not None:
            owned.close()  # also when the sign-in failed
    return SignedInUser(name=me.name or "?", email=me.email, user_id=me.id, token=token)


def _browser_login(login: PkceLogin, port: int, cancel: threading.Event | None) -> AccessToken:
    """Run ``login``; a redirect port another program holds is said in plain words."""
    try:
        return login.run(cancel)
    except OSError as exc:
        if exc.errno not in _PORT_TAKEN:
            raise
        raise RedirectPortInUseError(
            f"Port {port} on this computer is already in use by another program, so the browser "
            f"sign-in cannot come back to {redirect_uri(port)}. Close that program and sign in "
            "again, or choose another redirect port in the profile and register its URI on the "
            "OAuth client."
        ) from exc
