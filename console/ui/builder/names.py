"""A list name already used on the org, caught before sending (pure, no Qt).

The platform refuses a second list with the same name (genesys-api.md §4.4); the builder knows
the org's lists the app has loaded (the preview's target picker, the builder's own search and the
lists it created), so it says so at the name field instead of waiting for the server's 400.
"""

from __future__ import annotations

from collections.abc import Mapping

from console.contacts.listcheck import ListFinding

__all__ = ["duplicate_name"]


def duplicate_name(name: str, own_id: str | None, known: Mapping[str, str]) -> ListFinding | None:
    """The finding for ``name`` when another known list has it (case and outer spaces ignored).

    Args:
        name: The name being sent.
        own_id: The id of the list being updated (its own name is no duplicate), or None when creating.
        known: List id -> name of the org's lists the app has loaded.
    """
    key = name.strip().casefold()
    if not key:
        return None
    for list_id, other in known.items():
        if list_id != own_id and other.strip().casefold() == key:
            return ListFinding(
                "name",
                "name.duplicate",
                f"name: the org already has a contact list named “{other}”.",
                "Choose another name, or load that list to update it.",
            )
    return None
