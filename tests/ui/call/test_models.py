"""The call page's table models (participants, the session's call history)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.ui.call.models import CallHistoryModel, CallRecord, ParticipantTableModel


def test_models_pass_qtmodeltester(qtmodeltester: Any) -> None:
    from console.api.models import CallMediaParticipant, ErrorInfo

    participants = ParticipantTableModel()
    participants.set_participants(
        [
            CallMediaParticipant(id="u", purpose="user", name="Sam", state="connected"),
            CallMediaParticipant(
                id="e",
                purpose="external",
                address="tel:+1",
                state="disconnected",
                error_info=ErrorInfo(code="x", message="bad"),
            ),
        ]
    )
    qtmodeltester.check(participants)
    history = CallHistoryModel()
    history.add(CallRecord(started=datetime.now(), number="+15551234567", route="as Sam"))
    history.update(0, state="connected")
    qtmodeltester.check(history)
    assert history.data(history.index(0, 3)) == "connected"
