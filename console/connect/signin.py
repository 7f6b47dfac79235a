"""The PKCE sign-in in the system browser, then ``GET /users/me`` to learn who signed in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from console.api.auth import AccessToken, PkceLogin, UserTokenAuth
from console.api.client import GenesysClient
from console.api.logging import ExchangeRecord
from console.api.transport import DEFAULT_TIMEOUT, BorrowedTransport, ConsoleTransport
from console.connect.profiles import endpoint_for
from console.credentials import Profile, SignInMethod
from console.errors import CredentialsError

__all__ = ["SignedInUser", "sign_in_user"]


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
    http = httpx.Client(
        transport=BorrowedTransport(shared), timeout=DEFAULT_TIMEOUT, event_hooks={"response": [record]}
    )
    try:
        login = PkceLogin(
            endpoint,
            client_id,
            port=profile.redirect_port,
            open_browser=open_browser,
            timeout=timeout,
            http=http,
        )
        token = login.run(cancel)
    finally:
        http.close()
    auth = UserTokenAuth(endpoint, client_id, token)
    try:
        with GenesysClient(
            endpoint, auth, on_exchange=on_exchange, cancel=cancel, transport=BorrowedTransport(shared)
        ) as client:
            me = client.get_me()
    finally:
        if owned is not None:
            owned.close()
    return SignedInUser(name=me.name or "?", email=me.email, user_id=me.id, token=token)

