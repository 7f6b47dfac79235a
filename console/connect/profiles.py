"""From a stored profile (plus its secret or the user's token) to an endpoint and a client spec."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from pydantic import SecretStr

from console.api.auth import AccessToken
from console.api.regions import Endpoint, Region, is_loopback
from console.connect.client import AuthKind, ClientSpec
from console.credentials import CUSTOM_REGION, Profile, SignInMethod
from console.errors import CredentialsError

__all__ = [
    "BUILTIN_SANDBOX_ID",
    "BUILTIN_SANDBOX_NAME",
    "REGION_NAMES",
    "SANDBOX_CLIENT",
    "SANDBOX_PKCE_CLIENT",
    "builtin_sandbox_profile",
    "endpoint_for",
    "is_builtin_sandbox",
    "is_stale_sandbox",
    "region_label",
    "resolve_credentials",
    "spec_for",
]

BUILTIN_SANDBOX_ID = "sandbox"
"""Id of the built-in sandbox's profile: made afresh at every start, never saved (its port changes)."""
BUILTIN_SANDBOX_NAME = "Sandbox (built in)"
"""How the profile list, the status bar and the menus name the built-in sandbox."""
SANDBOX_CLIENT = ("sandbox-client", "sandbox-secret")
"""The sandbox's seeded full-access client (docs/sandbox-control.md); not a secret of any real org."""
SANDBOX_PKCE_CLIENT = "sandbox-pkce"
"""The sandbox's public PKCE client."""

# source: the region list of developer.genesys.cloud "Platform API" > "Regions" (name, domain), the
#   same regions as the SDK's PureCloudRegionHosts (console.api.regions.Region)
REGION_NAMES: dict[Region, str] = {
    Region.US_EAST_1: "Americas (US East)",
    Region.EU_WEST_1: "EU (Ireland)",
    Region.AP_SOUTHEAST_2: "Asia Pacific (Sydney)",
    Region.AP_NORTHEAST_1: "Asia Pacific (Tokyo)",
    Region.EU_CENTRAL_1: "EU (Frankfurt)",
    Region.US_WEST_2: "Americas (US West)",
    Region.CA_CENTRAL_1: "Americas (Canada)",
    Region.AP_NORTHEAST_2: "Asia Pacific (Seoul)",
    Region.EU_WEST_2: "EU (London)",
    Region.AP_SOUTH_1: "Asia Pacific (Mumbai)",
    Region.US_EAST_2: "Americas (FedRAMP)",
    Region.SA_EAST_1: "Americas (São Paulo)",
    Region.ME_CENTRAL_1: "Middle East (UAE)",
    Region.AP_NORTHEAST_3: "Asia Pacific (Osaka)",
    Region.EU_CENTRAL_2: "EU (Zurich)",
    Region.MX_CENTRAL_1: "Americas (Mexico)",
    Region.AP_SOUTHEAST_1: "Asia Pacific (Jakarta)",
    Region.EUSC_DE_EAST_1: "EU Sovereign Cloud (Germany)",
}
"""The name Genesys gives each region, for the status bar and the profile form."""


def builtin_sandbox_profile(url: str) -> Profile:
    """The built-in sandbox's profile, pointing at where it runs now (``url``)."""
    return Profile(
        id=BUILTIN_SANDBOX_ID,
        name=BUILTIN_SANDBOX_NAME,
        region=CUSTOM_REGION,
        custom_url=url,
        client_id=SANDBOX_CLIENT[0],
        pkce_client_id=SANDBOX_PKCE_CLIENT,
        redirect_port=0,
    )


def is_builtin_sandbox(profile: Profile | None) -> bool:
    """Whether ``profile`` is the built-in sandbox's."""
    return profile is not None and profile.id == BUILTIN_SANDBOX_ID


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def is_stale_sandbox(profile: Profile) -> bool:
    """Whether a saved profile points at an embedded sandbox that is gone (an older version saved its port).

    True for the sandbox's own client at a loopback URL whose port no longer answers: such a
    profile is treated as the built-in sandbox (issue 16, the relaunch trap).
    """
    if profile.region != CUSTOM_REGION or profile.client_id != SANDBOX_CLIENT[0] or not profile.custom_url:
        return False
    parts = urlsplit(profile.custom_url)
    if not parts.hostname or not is_loopback(parts.hostname):
        return False
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return True
    return not _port_open(parts.hostname, port)


def endpoint_for(profile: Profile) -> Endpoint:
    """The API/login endpoint of a profile (a region, or its custom base URL).

    Raises:
        ValueError: The custom base URL is refused (not http(s), credentials in it, plain http
            to another computer).
    """
    if profile.region == CUSTOM_REGION:
        return Endpoint.custom(profile.custom_url or "")
    return Endpoint.for_region(profile.region)


def region_label(profile: Profile) -> str:
    """The region in words: ``EU (Ireland) — mypurecloud.ie``, a custom URL by its host (and port)."""
    if profile.region == CUSTOM_REGION:
        parts = urlsplit(profile.custom_url or "")
        host = parts.hostname or profile.custom_url or "?"
        try:
            port = parts.port
        except ValueError:
            port = None
        where = f"{host}:{port}" if port else host
        return f"built-in sandbox on {where}" if is_builtin_sandbox(profile) else where
    try:
        region = Region.parse(profile.region)
    except ValueError:
        return profile.region
    return f"{REGION_NAMES.get(region, region.sdk_name)} — {region.domain}"


def resolve_credentials(
    profile: Profile, secret: SecretStr | None, user_token: AccessToken | None
) -> tuple[str, SecretStr | None, AccessToken | None]:
    """What a client of ``profile`` authenticates with: ``(client id, secret, user token)``.

    The signed-in user's token wins; otherwise client credentials. One place for these checks,
    used by every client the app builds (in-process workers and the upload's child process).

    Raises:
        CredentialsError: A user-login profile nobody signed in to, or no client secret.
    """
    if user_token is not None:
        return profile.pkce_client_id or profile.client_id, None, user_token
    if profile.sign_in is SignInMethod.PKCE:
        raise CredentialsError(f'Profile {profile.name!r} signs in as a user: use "Sign in as a user" first.')
    if secret is None:
        raise CredentialsError(f"No client secret is stored for profile {profile.name!r}. Enter it and save.")
    return profile.client_id, secret, None


def spec_for(profile: Profile, secret: SecretStr | None, user_token: AccessToken | None = None) -> ClientSpec:
    """The client spec of ``profile``: its endpoint, proxy and resolved credentials.

    Raises:
        CredentialsError: No usable credentials (see :func:`resolve_credentials`).
        ValueError: The profile's base URL is refused.
    """
    client_id, secret, user_token = resolve_credentials(profile, secret, user_token)
    return ClientSpec(
        endpoint_for(profile),
        AuthKind.USER_TOKEN if user_token is not None else AuthKind.CLIENT_CREDENTIALS,
        client_id,
        secret=secret,
        user_token=user_token,
        proxy=profile.proxy_url,
    )
