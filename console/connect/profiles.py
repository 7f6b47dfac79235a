"""From a stored profile (plus its secret or the user's token) to an endpoint and a client spec."""

from __future__ import annotations

from pydantic import SecretStr

from console.api.auth import AccessToken
from console.api.regions import Endpoint
from console.connect.client import AuthKind, ClientSpec
from console.credentials import CUSTOM_REGION, Profile, SignInMethod
from console.errors import CredentialsError

__all__ = ["endpoint_for", "region_label", "resolve_credentials", "spec_for"]


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
    """Short label for the status bar: ``eu_west_1`` or the custom URL."""
    return profile.custom_url or "" if profile.region == CUSTOM_REGION else profile.region


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
