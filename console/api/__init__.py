"""api layer (see STYLE.md): the Genesys Cloud HTTP client, OAuth, retries, wire models, errors.

Typical use::

    from console.api import Endpoint, GenesysClient, Region

    with GenesysClient.with_client_credentials(Endpoint.for_region(Region.EU_WEST_1), cid, secret) as api:
        for cl in api.iter_contact_lists():
            ...
"""

from console.api.auth import AccessToken, ClientCredentialsAuth, PkceLogin, UserTokenAuth
from console.api.client import GenesysClient
from console.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    Cancelled,
    ConflictError,
    ConsoleError,
    CredentialsError,
    LoginError,
    LoginTimeoutError,
    NotFoundError,
    OperationCancelledError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from console.api.logging import ExchangeRecord
from console.api.ratelimit import Pacer, RateLimitState
from console.api.regions import Endpoint, Region

__all__ = [
    "AccessToken",
    "ApiConnectionError",
    "ApiError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Cancelled",
    "ClientCredentialsAuth",
    "ConflictError",
    "ConsoleError",
    "CredentialsError",
    "Endpoint",
    "ExchangeRecord",
    "GenesysClient",
    "LoginError",
    "LoginTimeoutError",
    "NotFoundError",
    "OperationCancelledError",
    "Pacer",
    "PermissionDeniedError",
    "PkceLogin",
    "RateLimitError",
    "RateLimitState",
    "Region",
    "ServerError",
    "UserTokenAuth",
]
