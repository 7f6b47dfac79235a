"""Issue 16, fault 9: labels and small things, in the real window on its embedded sandbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from console import APP_NAME
from console.api.models import ContactList, ContactPhoneNumberColumn
from console.ui.builder.dialogs import ConfirmSendDialog
from console.ui.main_window import PAGE_CALL, MainWindow
from tests.ui.conftest import requests_to

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

LONE_AMPERSAND = re.compile(r"(?<!&)&(?!&)")


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window(force_sandbox=True, auto_test=False)


def test_every_mnemonic_renders(window: MainWindow) -> None:
    # a label's "&" is a mnemonic only with a buddy; without one the "&" is shown as typed
    literal = [
        label.text()
        for label in window.findChildren(QLabel)
        if LONE_AMPERSAND.search(label.text())
        and label.buddy() is None
    ]
    assert literal == []
    # the Go menu's items are page titles: an "&" in a title is text, not a mnemonic
    for action in window.page_actions:
        assert not LONE_AMPERSAND.search(action.text()), action.text()
    assert window.page_actions[1].text().replace("&&", "&") == "CSV preview & upload"


def test_the_window_title_names_the_app_once(window: MainWindow) -> None:
    title = window.windowTitle()
    assert title.count(APP_NAME) == 1
    # Qt appends the application's display name unless the title ends with it
    assert title.endswith(APP_NAME)
    assert "Sandbox" in title


def new_list(name: str) -> ContactList:
    return ContactList(
        name=name,
        column_names=["ContactId", "Phone"],
        phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
    )


def test_builder_says_post_when_creating_catches_a_taken_name_and_the_preview_offers_the_new_list(
    window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConfirmSendDialog, "ask", classmethod(lambda cls, parent, title, text: True))
    builder, preview = window.builder_page, window.preview_page
    # a list made elsewhere, then the preview loads the org's lists
    api = window.session.new_client()
    try:
        api.create_contact_list(new_list("Made elsewhere"))
    finally:
        api.close()
    with qtbot.waitSignal(preview.lists_loaded, timeout=15000):
        preview.load_lists()
    qtbot.waitUntil(lambda: not preview.lists_ctl.is_running, timeout=5000)

    builder.set_definition(new_list("Spring 16"))
    assert builder.json_label.text().startswith("<b>POST</b> /api/v2/outbound/contactlists ")
    with qtbot.waitSignal(builder.sent, timeout=10000) as blocker:
        builder.create_button.click()
    created = blocker.args[0]
    qtbot.waitUntil(builder.update_button.isEnabled, timeout=5000)
    # editing it: Update sends a PUT, and the heading says what Create would send
    heading = builder.json_label.text().replace("\u200b", "")  # the path may break at its slashes
    assert heading.startswith(f"<b>PUT</b> /api/v2/outbound/contactlists/{created.id}")
    assert "Create list and Save as a new list <b>POST</b>" in heading
    # the preview offers it at once (no ↻)
    assert preview.file_bar.list_combo.findData(created.id) >= 0

    # a new list may not take a name the org's lists use: caught here, nothing is sent
    posts = len(requests_to(window, "POST", "/contactlists"))
    for name in ("made elsewhere ", "Spring 16"):
        builder.set_definition(new_list(name))
        assert "name.duplicate" in {f.code for f in builder.findings}
        builder.create_button.click()
        assert builder.result_label.text().startswith("Not sent")
    assert len(requests_to(window, "POST", "/contactlists")) == posts


def test_builder_check_counts_in_plain_words(window: MainWindow) -> None:
    builder = window.builder_page
    builder.set_definition(ContactList(name="", column_names=["ContactId"]))
    assert "error, " in builder.summary_label.text() or "errors, " in builder.summary_label.text()
    assert "(s)" not in builder.summary_label.text()


def test_typing_digits_on_the_call_page_is_not_turned_into_a_trunk_prefix(
    window: MainWindow, qtbot: Any
) -> None:
    page = window.call_page
    window.page_actions[PAGE_CALL].trigger()
    page.number_edit.clear()
    qtbot.keyClicks(page.number_edit, "12345")
    assert page.number_edit.text() == "12345"
    page.number_edit.clear()
    qtbot.keyClicks(page.number_edit, "3175550123")
    assert page.number_edit.text() == "(317) 555-0123"
