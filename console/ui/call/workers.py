"""Background jobs of the test-call page (run through ``FunctionWorker`` / ``WorkerController``).

Every function takes a client factory (``session.new_client``) and the worker's ``cancel``
event, and closes its client. Placing a call is one POST that is never retried.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from console.api.models import CallConversation, CreateCallRequest, ExternalContact, PhoneNumber, Queue, User
from console.ui.workers import Worker

ClientFactory = Callable[..., Any]
"""``session.new_client``: ``factory(cancel=event)`` → a ``GenesysClient`` (a context manager)."""

ENDED_STATES = frozenset({"disconnected", "terminated"})
"""External-party states after which a call is over."""

POLL_INTERVAL = 0.5
"""Seconds between two reads of a followed call."""


@dataclass(frozen=True)
class Lookups:
    """What the page loads when it opens or the connection changes.

    Attributes:
        default_region: The org's ``defaultCountryCode`` (ISO region), when known.
        users: Active users (for the client-credentials route).
        queues: Queues (for "call on behalf of a queue").
    """

    default_region: str | None = None
    users: list[User] = field(default_factory=list)
    queues: list[Queue] = field(default_factory=list)


def load_lookups(
    factory: ClientFactory, *, cancel: threading.Event, progress: Callable[[object], None]
) -> Lookups:
    """Org default region, users and queues (first 100 of each)."""
    with factory(cancel=cancel) as client:
        org = client.get_organization()
        users = [u for u in client.get_users(page_size=100).entities if (u.state or "active") == "active"]
        queues = list(client.get_queues(page_size=100).entities)
    return Lookups(org.default_country_code, users, queues)


def place_call(
    factory: ClientFactory,
    request: CreateCallRequest,
    user_id: str | None,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> str:
    """POST the call (as the signed-in user, or on behalf of ``user_id``); returns the conversation id."""
    with factory(cancel=cancel) as client:
        if user_id is None:
            created = client.create_call(request)
        else:
            created = client.create_call_for_user(user_id, request)
    if not created.id:
        raise ValueError("Genesys answered without a conversation id")
    return str(created.id)


def hang_up(
    factory: ClientFactory,
    conversation_id: str,
    participant_id: str,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> str:
    """Disconnect the called party; returns the conversation id."""
    with factory(cancel=cancel) as client:
        client.disconnect_participant(conversation_id, participant_id)
    return conversation_id


def search_contacts(
    factory: ClientFactory, query: str, *, cancel: threading.Event, progress: Callable[[object], None]
) -> list[ExternalContact]:
    """External contacts matching a number (digits) or a name."""
    with factory(cancel=cancel) as client:
        return list(client.search_external_contacts(query).entities)


def create_contact(
    factory: ClientFactory,
    first_name: str,
    last_name: str,
    e164: str,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> ExternalContact:
    """Create an external contact with the number as its cell phone."""
    contact = ExternalContact(
        first_name=first_name or None, last_name=last_name or None, cell_phone=PhoneNumber(display=e164)
    )
    with factory(cancel=cancel) as client:
        created: ExternalContact = client.create_external_contact(contact)
    return created


class CallFollowWorker(Worker):
    """Reads the call every :data:`POLL_INTERVAL` s until the called party has hung up or failed.

    Emits ``progressed(CallConversation)`` for each read and returns the last one.

    Args:
        factory: Client factory.
        conversation_id: The call to follow.
        interval: Seconds between reads.
    """

    def __init__(self, factory: ClientFactory, conversation_id: str, interval: float = POLL_INTERVAL) -> None:
        super().__init__()
        self._factory = factory
        self.conversation_id = conversation_id
        self._interval = interval

    def work(self) -> CallConversation:
        """Poll until the external participant is disconnected or terminated."""
        with self._factory(cancel=self.cancel_event) as client:
            while True:
                self.check_cancelled()
                conv: CallConversation = client.get_call(self.conversation_id)
                self.progressed.emit(conv)
                external = conv.participant("external")
                if external is not None and (external.state or "") in ENDED_STATES:
                    return conv
                if self.cancel_event.wait(self._interval):
                    self.check_cancelled()
