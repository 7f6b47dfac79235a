"""The upload's connection data: the session answers it (the preview resolves no credentials itself)."""

from __future__ import annotations

from console import activity
from console.connect import ClientSpec
from console.ui.session import SessionController

__all__ = ["connection_labels", "upload_client_spec"]


def upload_client_spec(session: SessionController) -> ClientSpec:
    """Connection data for the upload's child process (what ``SessionController.new_client`` uses).

    Raises:
        CredentialsError: No profile, or no usable secret or token.
    """
    return session.client_spec()


def connection_labels(session: SessionController) -> dict[str, str]:
    """The profile's name, URL, region, client id, org and actor (no secrets) for the job's journal."""
    p = session.profile
    if p is None:
        return {}
    labels = {"profile": p.name, "base_url": p.custom_url or "", "region": p.region, "client_id": p.client_id}
    labels.update(activity.current_context().labels())  # org and actor for the activity log
    return {k: v for k, v in labels.items() if v}
