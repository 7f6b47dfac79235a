"""The profile dialog's proxy field and its refusal of unsafe base URLs."""

from __future__ import annotations

from typing import Any

import pytest

from console.credentials import ProfileStore, SecretVault
from console.ui.api_log import ExchangeRecorder
from console.ui.errors import ErrorSink
from console.ui.profile_dialog import ProfileDialog
from console.ui.session import SessionController

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


@pytest.fixture
def dialog(qtbot: Any, tmp_home: Any, memory_keyring: Any) -> Any:
    session = SessionController(SecretVault(), ErrorSink(), ExchangeRecorder())
    widget = ProfileDialog(ProfileStore(), session.vault, session)
    qtbot.addWidget(widget)
    yield widget
    session.shutdown()


def _fill(dialog: ProfileDialog, url: str, proxy: str = "") -> None:
    dialog.add_button.click()
    dialog.name_edit.setText("P")
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("custom"))
    dialog.url_edit.setText(url)
    dialog.client_id_edit.setText("c")
    dialog.proxy_edit.setText(proxy)


def test_proxy_is_saved_and_shown(dialog: ProfileDialog) -> None:
    _fill(dialog, "http://127.0.0.1:8765", "http://proxy.corp:3128")
    profile = dialog.save()
    assert profile is not None
    assert profile.proxy_url == "http://proxy.corp:3128"
    assert ProfileStore().get(profile.id).proxy_url == "http://proxy.corp:3128"  # type: ignore[union-attr]
    dialog.proxy_edit.clear()
    dialog.load_profile(profile)
    assert dialog.proxy_edit.text() == "http://proxy.corp:3128"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://me:hunter2@gw.example.com", "user name or password"),
        ("http://gw.example.com", "plain http://"),
    ],
)
def test_unsafe_base_url_is_not_saved(dialog: ProfileDialog, url: str, words: str) -> None:
    _fill(dialog, url)
    assert dialog.save() is None
    assert words in dialog.status_label.text()
    assert "hunter2" not in dialog.status_label.text()
    assert ProfileStore().profiles == []


def test_redirect_uri_to_register_is_shown_and_copied(dialog: ProfileDialog, qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    assert dialog.redirect_edit.text() == "http://127.0.0.1:8085/callback"
    assert dialog.redirect_edit.isReadOnly()
    assert dialog.port_spin.minimum() == 1  # never "any free port": the URI must be registered
    dialog.port_spin.setValue(9123)
    assert dialog.redirect_edit.text() == "http://127.0.0.1:9123/callback"
    qtbot.mouseClick(dialog.copy_redirect_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "http://127.0.0.1:9123/callback"
    _fill(dialog, "http://127.0.0.1:8765")
    dialog.port_spin.setValue(9124)
    profile = dialog.save()
    assert profile is not None
    assert profile.redirect_port == 9124
    dialog.load_profile(profile.model_copy(update={"redirect_port": 0}))  # an old "any free port" profile
    assert dialog.redirect_edit.text() == "http://127.0.0.1:8085/callback"


def test_profile_dialog_fits_1024x700_and_clips_nothing(qtbot: Any, tmp_home: Any, no_keyring: Any) -> None:
    """Issue 16 (small screens): the keyring warning and the permission results are read whole."""
    from PySide6.QtCore import QRect, Qt

    from console.connect.check import ConnectionReport, permission_checks

    session = SessionController(SecretVault(), ErrorSink(), ExchangeRecorder())
    dialog = ProfileDialog(ProfileStore(), session.vault, session)
    qtbot.addWidget(dialog)
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 1024
    assert hint.height() <= 700
    dialog.resize(1024, 700)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.keyring_label
    assert label.isVisible()
    assert "No password store" in label.text()
    assert label.height() >= label.heightForWidth(label.width())  # every wrapped line shows

    granted = {"outbound:contactList:view": "Outbound Supervisor with a rather long role name"}
    report = ConnectionReport(
        profile_name="P",
        org_name="Org",
        org_id="1",
        region="EU (Ireland) — mypurecloud.ie",
        grant="user login (PKCE)",
        token_type="bearer",
        token_lifetime=3600,
        user="Sam <sam@example.com>",
        checks=permission_checks(granted),
    )
    dialog._on_session_connection_tested(report)
    dialog.resize(hint.width(), 640)  # as narrow as it goes, on a 700 px screen less a panel
    qtbot.wait(10)  # the layout settles (no signal for it)
    table = dialog.checks_table
    assert table.horizontalHeader().length() <= table.viewport().width()  # no sideways scrolling
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        for col in range(3):
            rect = table.visualRect(table.model().index(row, col))
            text = table.item(row, col).text()
            needed = metrics.boundingRect(
                QRect(0, 0, rect.width() - 8, 10_000), Qt.TextFlag.TextWordWrap, text
            )
            assert needed.height() <= rect.height(), (row, col, text)
    session.shutdown()


def test_add_clears_the_previous_profiles_messages_and_results(
    dialog: ProfileDialog, qtbot: Any, sandbox: Any
) -> None:
    """Issue 16, fault 9: "Add" starts a clean form, not one showing the last profile's test and proxy."""
    _fill(dialog, "http://gw.example.com", "http://proxy.corp:3128")
    assert dialog.save() is None  # refused: plain http to a remote host
    assert dialog.status_label.text()
    _fill(dialog, sandbox.url)
    dialog.client_id_edit.setText("sandbox-client")
    dialog.secret_edit.setText("sandbox-secret")
    profile = dialog.save()
    assert profile is not None
    with qtbot.waitSignal(dialog.session.connection_tested, timeout=15000):
        dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.checks_table.rowCount() > 0, timeout=5000)
    assert "Connected to" in dialog.result_label.text()
    dialog.proxy_edit.setText("http://proxy.corp:3128")

    dialog.add_button.click()
    assert dialog.status_label.text() == ""
    assert "Connected to" not in dialog.result_label.text()
    assert dialog.checks_table.rowCount() == 0
    assert dialog.proxy_edit.text() == ""
