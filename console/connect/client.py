"""A picklable client spec and the one function that turns it into a ``GenesysClient``.

Every client of the console is built here: the window's workers (through the session), the
command line (``console.jobs.cli``) and the upload's child process (from a spec the session
hands out, :meth:`console.ui.session.SessionController.client_spec`). One place, so the
proxy, the time-outs and the credentials are the same everywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import httpx
from pydantic import SecretStr

from console.api.auth import AccessToken, ClientCredentialsAuth, UserTokenAuth
from console.api.client import GenesysClient
from console.api.logging import ExchangeRecord
from console.api.regions import Endpoint
from console.api.transport import BorrowedTransport, ConsoleTransport

__all__ = ["AuthKind", "ClientSpec", "build_client"]


class AuthKind(StrEnum):
    """How a client authenticates."""

    CLIENT_CREDENTIALS = "client_credentials"
    """The OAuth client's id and secret."""
    USER_TOKEN = "user_token"
    """A token a user obtained by signing in (PKCE)."""


@dataclass(frozen=True)
class ClientSpec:
    """Everything a client needs, as plain picklable data (safe to send to a child process).

    Attributes:
        endpoint: API and login hosts.
        auth: Client credentials or a user's token.
        client_id: OAuth client id (the PKCE client's for a user token).
        secret: Client secret (client credentials only).
        user_token: The signed-in user's token (user token only).
        proxy: An explicit proxy URL for every request (a profile's); None to follow the
            environment (``HTTPS_PROXY``/``NO_PROXY``...; loopback direct).
        connect_timeout: Seconds to connect.
        timeout: Seconds for every read, write and pool wait (token requests included).
    """

    endpoint: Endpoint
    auth: AuthKind
    client_id: str
    secret: SecretStr | None = field(default=None, repr=False)
    user_token: AccessToken | None = field(default=None, repr=False)
    proxy: str | None = None
    connect_timeout: float = 5.0
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.auth is AuthKind.USER_TOKEN and self.user_token is None:
            raise ValueError("a user-token spec needs the user's token")
        if self.auth is AuthKind.CLIENT_CREDENTIALS and self.secret is None:
            raise ValueError("a client-credentials spec needs the secret")

    @property
    def timeouts(self) -> httpx.Timeout:
        """The httpx time-outs of this spec."""
        return httpx.Timeout(self.timeout, connect=self.connect_timeout)

    def build(
        self,
        on_exchange: Callable[[ExchangeRecord], None] | None = None,
        *,
        cancel: threading.Event | None = None,
    ) -> GenesysClient:
        """:func:`build_client` of this spec (the caller closes the client)."""
        return build_client(self, on_exchange=on_exchange, cancel=cancel)


def build_client(
    spec: ClientSpec,
    *,
    on_exchange: Callable[[ExchangeRecord], None] | None = None,
    cancel: threading.Event | None = None,
    transport: httpx.BaseTransport | None = None,
) -> GenesysClient:
    """A client for ``spec``; the caller closes it.

    Args:
        spec: What to connect to and with.
        on_exchange: Called with every request/answer (the API log).
        cancel: Stops retry and pacing waits.
        transport: A shared transport to borrow (the window session's: one pool, one abort
            switch; closing the client leaves it open). None: the client owns a new
            :class:`~console.api.transport.ConsoleTransport` for ``spec.proxy``.
    """
    auth: httpx.Auth
    if spec.auth is AuthKind.USER_TOKEN:
        assert spec.user_token is not None  # checked in __post_init__
        auth = UserTokenAuth(spec.endpoint, spec.client_id, spec.user_token)
    else:
        auth = ClientCredentialsAuth(spec.endpoint, spec.client_id, spec.secret or SecretStr(""))
    route: httpx.BaseTransport = (
        BorrowedTransport(transport) if transport is not None else ConsoleTransport(spec.proxy)
    )
    return GenesysClient(
        spec.endpoint, auth, on_exchange=on_exchange, cancel=cancel, transport=route, timeout=spec.timeouts
    )
