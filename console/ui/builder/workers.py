"""Background jobs of the builder page (no Qt; run by :class:`~.controller.BuilderController`).

Each runs on a ``FunctionWorker``; the org jobs get a fresh client of the session through
:func:`with_client`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.api.client import GenesysClient
from console.api.models import ContactList, ContactListTemplate
from console.contacts.rules import load_definition
from console.ui.activity.records import recorded_send


def with_client(session: Any, fn: Any, *args: Any, cancel: Any, progress: Any) -> Any:
    """Run ``fn(client, *args)`` with a fresh client for this worker.

    The client is deliberately not closed: every session client shares the session's
    ``AbortableTransport``, and closing one client closes that pool under the other pages'
    requests in flight (seen as ``ReadError: Bad file descriptor``).
    """
    client = session.new_client(cancel=cancel)
    return fn(client, *args)


def load_org_pickers(client: GenesysClient) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The org's divisions and attempt limits, as (name, id) pairs."""
    divisions = [(d.name or d.id or "", d.id or "") for d in client.iter_divisions()]
    limits = [(a.name or a.id or "", a.id or "") for a in client.get_attempt_limits(page_size=100).entities]
    return divisions, limits


def search(client: GenesysClient, kind: str, text: str) -> list[tuple[str, str, str]]:
    """Lists (``kind`` "list") or templates whose name starts with ``text``: (kind, id, name)."""
    name = text.strip() or None
    if kind == "template":
        page_t = client.list_contact_list_templates(name=name, page_size=100, sort_by="name")
        return [("template", t.id or "", t.name or "") for t in page_t.entities]
    page_l = client.list_contact_lists(name=name, page_size=100, sort_by="name")
    return [("list", c.id or "", c.name or "") for c in page_l.entities]


def fetch(client: GenesysClient, kind: str, entity_id: str) -> tuple[str, ContactList]:
    """One list or template, with its kind."""
    if kind == "template":
        return kind, client.get_contact_list_template(entity_id)
    return kind, client.get_contact_list(entity_id)


@recorded_send  # one activity record of each create, update and push
def send(client: GenesysClient, action: str, definition: ContactList) -> tuple[str, ContactList]:
    """Create (``create``), update (``update``) or push as a template (``template``); the answer."""
    if action == "update":
        return action, client.update_contact_list(definition)
    if action == "template":
        return action, client.create_contact_list_template(ContactListTemplate.from_list(definition))
    return action, client.create_contact_list(definition)


def read_definition(path: Path) -> ContactList:
    """A definition JSON file (the one ``validate --definition`` reads)."""
    return load_definition(path)


def write_definition(path: Path, body: dict[str, Any]) -> Path:
    """Write a definition JSON file."""
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
