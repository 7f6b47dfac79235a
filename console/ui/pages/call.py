"""Test call page (placeholder until the test-call issue replaces this module)."""

from __future__ import annotations

from console.ui.pages import ComingPage


class CallPage(ComingPage):
    """Place a test call to a number and follow its state. Coming."""

    title = "Test call"
    blurb = "Place a test call to a number, follow its state, and hang up."
