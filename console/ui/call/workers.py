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

ClientFactory = Callable[..., Any]
"""``session.new_client``: ``factory(cancel=event)`` → a ``GenesysClient`` (a context manager)."""


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


def read_call(
    factory: ClientFactory,
    conversation_id: str,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> CallConversation:
    """One read of a followed call (the controller paces the reads)."""
    with factory(cancel=cancel) as client:
        conv: CallConversation = client.get_call(conversation_id)
    return conv


def hang_up(
    factory: ClientFactory,
    conversation_id: str,
    far_participant_id: str | None,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> str:
    """Disconnect the called party, or the whole conversation when there is none yet; the conversation id.

    While the caller's station still rings there is no far end (genesys-api.md §8.3): the PATCH of the
    conversation ends the caller's leg too.
    """
    with factory(cancel=cancel) as client:
        if far_participant_id is None:
            client.disconnect_call(conversation_id)
        else:
            client.disconnect_participant(conversation_id, far_participant_id)
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
