"""console.connect without Qt: credentials resolution, the client spec, the connection test on the sandbox."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from pydantic import SecretStr

from console.api.auth import AccessToken
from console.connect import (
    AuthKind,
    ClientSpec,
    build_client,
    endpoint_for,
    resolve_credentials,
    run_connection_test,
    spec_for,
)
from console.credentials import CUSTOM_REGION, Profile, SignInMethod
from console.errors import CredentialsError


def _profile(**kw: Any) -> Profile:
    data: dict[str, Any] = {
        "name": "p", "region": CUSTOM_REGION, "custom_url": "http://127.0.0.1:9", "client_id": "c",
    }  # fmt: skip
    data.update(kw)
    return Profile.model_validate(data)


def test_resolution_errors_are_credentials_errors() -> None:
    with pytest.raises(CredentialsError, match="No client secret"):
        resolve_credentials(_profile(), None, None)
    with pytest.raises(CredentialsError, match="signs in as a user"):
        resolve_credentials(_profile(sign_in=SignInMethod.PKCE), None, None)


def test_spec_for_user_token_and_secret() -> None:
    token = AccessToken(SecretStr("tok"))
    user = spec_for(_profile(pkce_client_id="pub"), None, token)
    assert (user.auth, user.client_id, user.secret) == (AuthKind.USER_TOKEN, "pub", None)
    secret = spec_for(_profile(proxy_url="http://proxy:1"), SecretStr("s"))
    assert (secret.auth, secret.client_id, secret.proxy) == (AuthKind.CLIENT_CREDENTIALS, "c", "http://proxy:1")
    back = pickle.loads(pickle.dumps(secret))
    assert back == secret
    assert "secret=" not in repr(back)
    with pytest.raises(ValueError, match="needs the secret"):
        ClientSpec(secret.endpoint, AuthKind.CLIENT_CREDENTIALS, "c")


def test_region_profile_endpoint() -> None:
    profile = Profile(name="eu", region="eu_west_1", client_id="c")
    assert endpoint_for(profile).api_base == "https://api.mypurecloud.ie"


def test_connection_test_without_qt(sandbox: Any) -> None:
    profile = _profile(custom_url=sandbox.url, client_id="sandbox-client")
    spec = spec_for(profile, SecretStr("sandbox-secret"))
    with build_client(spec) as client:
        report = run_connection_test(client, profile)
    assert report.org_name == "Sandbox Org"
    assert report.grant.startswith("client credentials")
    assert all(check.allowed for check in report.checks), report.checks
