"""The window's activity context: who is signed in to which org, kept current from the session's signals."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot

from console import activity
from console.activity import ActivityContext

__all__ = ["SessionActivity", "context_of"]


def context_of(session: Any) -> ActivityContext:
    """The session's profile, org (from its last connection test), region and actor; no secrets.

    The actor is the signed-in user's name, else the profile's OAuth client id.
    """
    profile = getattr(session, "profile", None)
    if profile is None:
        return ActivityContext()
    report: Any = getattr(session, "last_report", None)
    ours = report is not None and getattr(report, "profile_name", None) == profile.name
    user = getattr(session, "user", None)
    return ActivityContext(
        profile=profile.name,
        org_id=report.org_id if ours else None,
        org_name=getattr(session, "org_name", None) or (report.org_name if ours else None),
        region=profile.custom_url or profile.region,
        actor=user.name if user is not None else profile.client_id,
    )


class SessionActivity(QObject):
    """Sets the activity context (:func:`console.activity.set_context`) whenever the session changes.

    Args:
        session: The window's :class:`~console.ui.session.SessionController`.
        parent: Owner.
    """

    def __init__(self, session: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        for signal in (
            session.profile_changed,
            session.connection_tested,
            session.org_changed,
            session.signed_in,
        ):
            signal.connect(self._on_session_changed)
        session.signed_out.connect(self._on_session_signed_out)
        self.refresh()

    def refresh(self) -> ActivityContext:
        """Set the context from the session now; returns it."""
        context = context_of(self.session)
        activity.set_context(context)
        return context

    @Slot(object)
    def _on_session_changed(self, _value: object) -> None:
        self.refresh()

    @Slot()
    def _on_session_signed_out(self) -> None:
        self.refresh()
