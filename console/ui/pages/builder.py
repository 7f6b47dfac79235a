"""List builder page (placeholder until the list-builder issue replaces this module)."""

from __future__ import annotations

from console.ui.pages import ComingPage


class BuilderPage(ComingPage):
    """Design an outbound contact list: columns, phone columns, division. Coming."""

    title = "List builder"
    blurb = "Design a contact list (columns, phone columns, division) and create it in the org."
