"""The org is always known, and "Test connection" ends (issue 16, faults 6 and 11)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.api.models import ContactList, ContactPhoneNumberColumn
from console.connect.check import TEST_LIMITS, TestLimits
from console.credentials import CUSTOM_REGION
from console.ui.builder import page as builder_page_module
from console.ui.main_window import MainWindow
from console.ui.profile_dialog import ProfileDialog
from console.ui.workers import WorkerController

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fill(dialog: ProfileDialog, *, name: str, url: str, secret: str = "sandbox-secret") -> None:
    dialog.add_button.click()
    dialog.name_edit.setText(name)
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(CUSTOM_REGION))
    dialog.url_edit.setText(url)
    dialog.client_id_edit.setText("sandbox-client")
    dialog.secret_edit.setText(secret)


def test_save_and_use_checks_the_org_at_once(make_window, qtbot) -> None:
    window: MainWindow = make_window(force_sandbox=True, auto_test=False)
    assert window.org_label.text() == "Org: not checked"
    dialog = window.show_profiles()
    _fill(dialog, name="Sandbox full", url=window.sandbox.url)
    with qtbot.waitSignal(window.session.org_changed, timeout=15000) as blocker:
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)  # no Test click needed
    assert blocker.args == ["Sandbox Org"]
    assert window.org_label.text() == "Org: Sandbox Org"
    assert window.session.org_name == "Sandbox Org"
    assert window.region_label.text() == f"Region: 127.0.0.1:{window.sandbox.port}"


def test_builder_create_waits_for_the_org_check(make_window, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    confirmations: list[str] = []

    def confirm(cls: Any, parent: Any, title: str, text: str) -> bool:
        confirmations.append(text)
        return False  # the user reads it and says no: nothing is sent

    monkeypatch.setattr(builder_page_module.ConfirmSendDialog, "ask", classmethod(confirm))
    window: MainWindow = make_window(force_sandbox=True, auto_test=False)
    assert window.session.org_name is None
    page = window.builder_page
    page.set_definition(
        ContactList(
            name="waits for the org",
            column_names=["Phone"],
            phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
        ),
        loaded=None,
    )
    page.create_button.click()
    assert confirmations == []  # not before the org is known
    assert "Checking which org" in page.result_label.text()
    qtbot.waitUntil(lambda: bool(confirmations), timeout=15000)
    [text] = confirmations
    assert "org “Sandbox Org”" in text
    assert "not checked" not in text
    assert f"region built-in sandbox on 127.0.0.1:{window.sandbox.port}" in text


def test_default_test_limits_end_within_10_s() -> None:
    assert TEST_LIMITS.total < 10
    assert TEST_LIMITS.connect <= TEST_LIMITS.total
    assert TEST_LIMITS.read <= TEST_LIMITS.total


def test_closed_port_ends_the_test_at_once_with_the_cause(make_window, qtbot) -> None:
    window: MainWindow = make_window(force_sandbox=True, auto_test=False)
    dialog = window.show_profiles()
    port = _closed_port()
    _fill(dialog, name="Down", url=f"http://127.0.0.1:{port}")
    with qtbot.waitSignal(window.session.connection_failed, timeout=TEST_LIMITS.total * 1000):
        dialog.test_button.click()
    text = dialog.result_label.text()
    assert f"127.0.0.1:{port} refused the connection" in text
    assert "correlation id" not in text.lower()


def test_silent_server_ends_the_test_at_its_limit_and_cancel_stops_it(make_window, qtbot) -> None:
    window: MainWindow = make_window(force_sandbox=True, auto_test=False)
    sandbox = window.sandbox
    # the pages' first loads end first, so the delay fault is the test's own token request
    qtbot.waitUntil(
        lambda: not any(c.is_running for c in window.findChildren(WorkerController)), timeout=15000
    )
    window.session.test_limits = TestLimits(connect=1.0, read=20.0, total=1.0)
    sandbox.control({"faults": [{"kind": "delay", "count": 1, "seconds": 30, "path": "/oauth/token"}]})
    dialog = window.show_profiles()
    dialog.profile_list.setCurrentRow(0)  # Sandbox (built in)
    with qtbot.waitSignal(window.session.connection_failed, timeout=15000) as blocker:
        dialog.test_button.click()
    assert "No answer within 1 s" in str(blocker.args[0])
    assert "did not answer in time" in dialog.result_label.text()
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=5000)

    # Cancel: the user does not wait for the limit
    window.session.test_limits = TestLimits(connect=1.0, read=30.0, total=30.0)
    sandbox.control({"faults": [{"kind": "delay", "count": 1, "seconds": 30, "path": "/oauth/token"}]})
    dialog.test_button.click()
    qtbot.waitUntil(dialog.cancel_test_button.isVisible, timeout=5000)
    assert not dialog.test_button.isEnabled()
    with qtbot.waitSignal(window.session.test_cancelled, timeout=5000):
        qtbot.mouseClick(dialog.cancel_test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=5000)
    assert dialog.result_label.text() == "Test cancelled. Nothing was changed."
    assert dialog.test_button.isEnabled()
    assert not dialog.cancel_test_button.isVisible()
    assert window.error_bar.isHidden() or "cancel" not in window.error_label.text().lower()
