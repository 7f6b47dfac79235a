"""The upload's connection data: the one place the preview resolves credentials.

At merge with the connection layer, :func:`upload_client_spec` becomes
``session.client_spec()`` (the session controller answers it).
"""

from __future__ import annotations

from console.ui.preview.workers import ClientSpec
from console.ui.session import SessionController, endpoint_for, resolve_credentials

__all__ = ["connection_labels", "upload_client_spec"]


def upload_client_spec(session: SessionController) -> ClientSpec:
    """Connection data for the upload's child process (what ``SessionController.new_client`` uses).

    Raises:
        CredentialsError: No profile, or no usable secret or token.
    """
    profile, secret, user_token = session.credentials()
    client_id, secret, user_token = resolve_credentials(profile, secret, user_token)
    return ClientSpec(
        endpoint_for(profile),
        client_id,
        secret=secret.get_secret_value() if secret is not None else None,
        user_token=user_token,
    )


def connection_labels(session: SessionController) -> dict[str, str]:
    """The profile's name, URL, region and client id (no secrets) for the job's journal."""
    p = session.profile
    if p is None:
        return {}
    labels = {"profile": p.name, "base_url": p.custom_url or "", "region": p.region, "client_id": p.client_id}
    return {k: v for k, v in labels.items() if v}
