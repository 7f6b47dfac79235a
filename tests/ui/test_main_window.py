"""The main window, profiles and sign-in, driven like a user would, against the sandbox over HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from console.api.logging import TOKEN_PLACEHOLDER
from console.credentials import ProfileStore, config_dir, data_dir
from console.ui.app import create_main_window
from console.ui.main_window import PAGE_LOG, PAGE_PREVIEW, MainWindow, settings_path
from console.ui.profile_dialog import ProfileDialog
from console.ui.session import ConnectionReport

# The offscreen platform plugin says so on every show(); harmless (pytest-qt docs/logging.rst).
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _grep_dirs(tmp_home: Path, needle: str) -> list[Path]:
    hits = []
    for path in tmp_home.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            hits.append(path)
    return hits


def _free_port() -> int:
    """A loopback port free right now (the redirect port is fixed; 0 is no longer offered)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fill_profile(dialog: ProfileDialog, qtbot, *, name: str, url: str, client_id: str, secret: str) -> None:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.name_edit.setText(name)
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("custom"))
    dialog.url_edit.setText(url)
    dialog.client_id_edit.setText(client_id)
    dialog.secret_edit.setText(secret)
    dialog.pkce_client_edit.setText("sandbox-pkce")
    dialog.port_spin.setValue(_free_port())


def _press(window: MainWindow, qtbot, key: Qt.Key) -> None:
    """Press Ctrl+<key> as a user would (the window must be active for shortcuts to fire)."""
    window.activateWindow()
    window.nav.setFocus()
    qtbot.waitUntil(window.nav.hasFocus, timeout=2000)
    qtbot.keyClick(window.nav, key, Qt.KeyboardModifier.ControlModifier)


def test_keyboard_shortcuts(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    for key, page in ((Qt.Key.Key_2, 1), (Qt.Key.Key_3, 2), (Qt.Key.Key_4, 3), (Qt.Key.Key_1, 0)):
        _press(window, qtbot, key)
        assert window.stack.currentIndex() == page
        assert window.nav.currentRow() == page
    _press(window, qtbot, Qt.Key.Key_P)
    assert window.profile_dialog is not None
    assert window.profile_dialog.isVisible()
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        _press(window, qtbot, Qt.Key.Key_T)


def test_first_run_lands_on_sandbox_with_banner(make_window, qtbot, tmp_home) -> None:
    window = make_window()
    assert window.sandbox is not None
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000) as blocker:
        pass
    report = blocker.args[0]
    assert isinstance(report, ConnectionReport)
    assert report.org_name == "Sandbox Org"
    assert window.sandbox_banner.isVisible()
    assert "Sandbox — not a real org" in window.sandbox_banner.text()
    assert window.profile_label.text() == "Profile: Sandbox (built in)"
    assert window.profile_button.text() == "Profile: Sandbox (built in) ▾"
    assert window.org_label.text() == "Org: Sandbox Org"
    port = window.sandbox.port  # type: ignore[attr-defined]
    assert window.region_label.text() == f"Region: built-in sandbox on 127.0.0.1:{port}"
    assert window.user_label.text() == "User: not signed in"
    assert re.fullmatch(r"Rate limit: \d+/300 left", window.rate_label.text())
    # the implicit sandbox profile is never saved, and its secret is nowhere on disk
    assert ProfileStore().profiles == []
    window.close()
    assert not window.sandbox_banner.isVisible() or window.sandbox is None
    assert window.sandbox is None  # stopped on close
    assert _grep_dirs(tmp_home, "sandbox-secret") == []
    assert settings_path().exists()


def test_create_profile_secret_in_keyring_only_and_test_connection(
    make_window, qtbot, tmp_home, memory_keyring, tmp_path
) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    url = window.sandbox.url  # type: ignore[attr-defined]
    dialog = window.show_profiles()
    _fill_profile(
        dialog, qtbot, name="Sandbox full", url=url, client_id="sandbox-client", secret="sandbox-secret"
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "stored in the system keyring" in dialog.status_label.text()
    assert dialog.secret_edit.text() == ""
    [profile] = ProfileStore().profiles
    assert memory_keyring.store == {("outbound-console", profile.id): "sandbox-secret"}
    # nothing secret in the config or data dirs (profiles.json, window settings)
    assert (config_dir() / "profiles.json").exists()
    assert _grep_dirs(tmp_home, "sandbox-secret") == []

    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    text = dialog.result_label.text()
    assert "Connected to Sandbox Org" in text
    assert "client credentials" in text
    assert "lifetime 86399 s" in text or "lifetime 86398 s" in text
    assert "User context: none" in text
    rows = _check_rows(dialog)
    # a client-credentials token: the OAuth client's roles are not readable, nothing is probed
    assert rows
    assert all(v == "… not read — checked when first used" for v in rows.values()), rows

    # switch to it; the banner goes, the status bar follows
    with qtbot.waitSignal(window.session.profile_changed):
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert window.profile_label.text() == "Profile: Sandbox full"
    assert not window.sandbox_banner.isVisible()
    assert ProfileStore().last_profile == profile
    dialog.resize(980, 660)
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=5000)
    shot = dialog.grab()
    assert not shot.isNull()
    if os.environ.get("OUTBOUND_SCREENSHOTS"):
        shot.save(str(SCREENSHOTS / "profile-dialog.png"))

    # duplicate copies the secret into its own keyring entry; delete removes both
    qtbot.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    copy = next(p for p in ProfileStore().profiles if p.name == "Sandbox full (copy)")
    assert memory_keyring.store[("outbound-console", copy.id)] == "sandbox-secret"
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert ("outbound-console", copy.id) not in memory_keyring.store
    assert [p.name for p in ProfileStore().profiles] == ["Sandbox full"]
    window.close()
    assert _grep_dirs(tmp_home, "sandbox-secret") == []


def _check_rows(dialog: ProfileDialog) -> dict[str, str]:
    """The permission table of the profile dialog: action → result."""
    table = dialog.checks_table
    return {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())}


def _red_rows(window: MainWindow) -> list[str]:
    """The API log rows shown red (status >= 400 or no answer)."""
    model = window.log_model
    red = []
    for row in range(model.rowCount()):
        if model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole) is not None:
            entry = model.entries[row]
            red.append(f"{entry.record.method} {entry.path} {entry.record.status}")
    return red


def _writes(window: MainWindow) -> list[str]:
    data = httpx.get(f"{window.sandbox.url}/sandbox/requests").json()  # type: ignore[attr-defined]
    writes = {"POST", "PUT", "PATCH", "DELETE"}
    return [f"{r['method']} {r['path']}" for r in data["requests"] if r["method"] in writes]


def test_readonly_client_test_writes_nothing(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    dialog = window.show_profiles()
    url = window.sandbox.url  # type: ignore[attr-defined]
    _fill_profile(
        dialog, qtbot, name="Read only", url=url, client_id="sandbox-readonly", secret="readonly-secret"
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    httpx.delete(f"{url}/sandbox/requests")
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert 'OAuth client "Sandbox read-only"' in dialog.result_label.text()
    rows = _check_rows(dialog)
    assert rows["Create contact lists"] == "… not read — checked when first used"
    assert rows["Place test calls"] == "… not read — checked when first used"
    # no empty POSTs to see what is refused: only the token request was a POST, and no red rows
    assert _writes(window) == ["POST /oauth/token"]
    qtbot.waitUntil(lambda: window.log_model.rowCount() >= 3, timeout=5000)
    assert _red_rows(window) == []


def test_user_test_connection_lists_permissions_and_writes_nothing(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    with qtbot.waitSignal(window.session.signed_in, timeout=15000):
        window.sign_in_action.trigger()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=5000)
    httpx.delete(f"{window.sandbox.url}/sandbox/requests")  # type: ignore[attr-defined]
    dialog = window.show_profiles()
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        window.test_action.trigger()
    rows = _check_rows(dialog)
    for action in ("Create contact lists", "Update contact lists", "Upload contacts", "Place test calls"):
        assert rows[action] == "✔ allowed — role Outbound Supervisor", rows
    assert _writes(window) == []
    assert _red_rows(window) == []


def test_wrong_secret_is_decoded(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    dialog = window.show_profiles()
    url = window.sandbox.url  # type: ignore[attr-defined]
    _fill_profile(dialog, qtbot, name="Typo", url=url, client_id="sandbox-client", secret="wrong")
    with qtbot.waitSignal(window.session.connection_failed, timeout=15000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "credentials or the token were not accepted" in dialog.result_label.text()
    assert window.error_bar.isVisible()
    assert "Test connection failed" in window.error_label.text()


def test_no_keyring_offers_session_only(qtbot, tmp_home, no_keyring) -> None:
    window = create_main_window(force_sandbox=True, auto_test=False)
    qtbot.addWidget(window)
    try:
        dialog = window.show_profiles()
        assert dialog.keyring_label.isVisible()
        assert "this session only" in dialog.keyring_label.text()
        assert dialog.session_only_check.isChecked()
        url = window.sandbox.url  # type: ignore[attr-defined]
        _fill_profile(
            dialog, qtbot, name="No keyring", url=url, client_id="sandbox-client", secret="sandbox-secret"
        )
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert "for this session only" in dialog.status_label.text()
        [profile] = ProfileStore().profiles
        assert window.vault.is_session_only(profile.id)
        with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
            qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        assert _grep_dirs(tmp_home, "sandbox-secret") == []
    finally:
        window.close()


def test_pkce_sign_in_and_sign_out(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    dialog = window.show_profiles()
    url = window.sandbox.url  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.name_edit.setText("Supervisor login")
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("custom"))
    dialog.url_edit.setText(url)
    dialog.client_id_edit.setText("sandbox-pkce")
    dialog.sign_in_combo.setCurrentIndex(dialog.sign_in_combo.findData("pkce"))
    dialog.port_spin.setValue(_free_port())
    assert not dialog.secret_edit.isEnabled()
    with qtbot.waitSignal(window.session.signed_in, timeout=15000, raising=False) as blocker:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert blocker.signal_triggered, (window.sink.history, dialog.status_label.text())
    assert blocker.args[0].name == "Sam Supervisor", window.sink.history
    assert "Sam Supervisor <sam.supervisor@sandbox.example>" in dialog.user_label.text()
    assert window.user_label.text() == "User: Sam Supervisor"
    # the authorization-code exchange is in the API log like any other exchange, its secrets redacted
    token_posts = [
        e.record
        for e in window.log_model.entries
        if e.record.method == "POST" and e.record.url.endswith("/oauth/token")
    ]
    assert token_posts, [e.record.url for e in window.log_model.entries]
    assert "code_verifier=" in (token_posts[-1].request_body or "")
    assert "access_token" in (token_posts[-1].response_body or "")
    assert "[REDACTED]" in (token_posts[-1].response_body or "")
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=5000)  # the sign-in worker has ended
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "User context: Sam Supervisor" in dialog.result_label.text()
    assert "user login (PKCE)" in dialog.result_label.text()
    with qtbot.waitSignal(window.session.signed_out):
        qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    assert window.user_label.text() == "User: not signed in"
    assert "No user signed in" in dialog.user_label.text()


def _pkce_form(dialog: ProfileDialog, qtbot, url: str, port: int) -> None:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.name_edit.setText("Supervisor login")
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("custom"))
    dialog.url_edit.setText(url)
    dialog.client_id_edit.setText("sandbox-pkce")
    dialog.sign_in_combo.setCurrentIndex(dialog.sign_in_combo.findData("pkce"))
    dialog.port_spin.setValue(port)


def test_sign_in_says_the_redirect_port_is_taken(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    dialog = window.show_profiles()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _pkce_form(dialog, qtbot, window.sandbox.url, port)  # type: ignore[attr-defined]
        assert dialog.redirect_edit.text() == f"http://127.0.0.1:{port}/callback"
        with qtbot.waitSignal(window.session.sign_in_failed, timeout=15000):
            qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    text = dialog.status_label.text()
    assert f"Port {port} on this computer is already in use by another program" in text
    assert f"http://127.0.0.1:{port}/callback" in text
    assert "No user signed in" in dialog.user_label.text()  # no longer "waiting for the browser"
    assert window.session.user is None


def test_expired_user_token_asks_to_sign_in_again(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    dialog = window.show_profiles()
    _pkce_form(dialog, qtbot, window.sandbox.url, _free_port())  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.session.signed_in, timeout=15000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=5000)
    window.sandbox.control({"expire_tokens": True})  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.session.connection_failed, timeout=15000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "sign in again" in dialog.result_label.text()
    assert window.error_bar.isVisible()
    assert "sign in again" in window.error_label.text()


def test_api_log_entries_filter_curl_and_secret_free_bundle(make_window, qtbot, tmp_path) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        window.test_action.trigger()  # client credentials: logs the token request too
    with qtbot.waitSignal(window.session.signed_in, timeout=15000):
        window.sign_in_action.trigger()
    _press(window, qtbot, Qt.Key.Key_4)
    assert window.stack.currentIndex() == PAGE_LOG
    log = window.log_page.log_widget
    qtbot.waitUntil(lambda: log.model.rowCount() >= 5, timeout=5000)
    paths = [e.path for e in log.model.entries]
    assert "/oauth/token" in paths
    assert any(p.startswith("/api/v2/organizations/me") for p in paths)
    assert all(e.record.correlation_id for e in log.model.entries if e.path.startswith("/api/v2/"))

    # a role lookup refused with 403: test connection still reports, the rows say "not read"
    window.sandbox.control(  # type: ignore[attr-defined]
        {"faults": [{"kind": "status", "status": 403, "count": 1, "path": "authorization/subjects/me"}]}
    )
    qtbot.waitUntil(lambda: not window.session.busy, timeout=5000)
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000) as tested:
        window.test_action.trigger()
    assert all("roles not readable: 403" in c.detail for c in tested.args[0].checks)
    # filter to client errors: only that 403 is left
    from console.ui.api_log import StatusFilter

    log.set_status_filter(StatusFilter.CLIENT)
    visible = [log.proxy.index(r, 3).data() for r in range(log.proxy.rowCount())]
    assert visible
    assert all(s.startswith("4") for s in visible)
    assert f"of {log.model.rowCount()} exchanges" in log.count_label.text()

    log.select_row(0)
    details = log.details.toPlainText()
    assert "== Error" in details
    assert "Correlation id:" in details
    assert "Bearer [REDACTED]" in details

    with qtbot.waitSignal(log.curl_copied) as blocker:
        qtbot.mouseClick(log.curl_button, Qt.MouseButton.LeftButton)
    curl = blocker.args[0]
    assert curl.startswith("curl -X ")
    assert TOKEN_PLACEHOLDER in curl
    assert QGuiApplication.clipboard().text() == curl

    sandbox = window.sandbox
    tokens = sandbox.issued_tokens()  # type: ignore[attr-defined]
    assert tokens
    assert all(t not in curl for t in tokens)
    bundle = window.export_support_bundle(tmp_path / "bundle.zip")
    assert bundle is not None
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        blob = b"".join(zf.read(n) for n in names)
    assert names == {"README.txt", "api-log.jsonl", "versions.json", "correlation-ids.txt", "errors.txt"}
    for secret in [*tokens, "sandbox-secret", "c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ="]:
        assert secret.encode() not in blob, secret
    with zipfile.ZipFile(bundle) as zf:
        lines = zf.read("api-log.jsonl").decode().splitlines()
        versions = json.loads(zf.read("versions.json"))
        ids = zf.read("correlation-ids.txt").decode()
    assert len(lines) == log.model.rowCount()
    assert versions["pyside6"].startswith("6.11")
    assert all(e.record.correlation_id in ids for e in log.model.entries if e.record.correlation_id)


def test_close_during_slow_request_exits_cleanly(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    window.sandbox.control(  # type: ignore[attr-defined]
        {"faults": [{"kind": "delay", "count": 1, "seconds": 20, "path": "organizations/me"}]}
    )
    window.test_action.trigger()
    qtbot.waitUntil(
        lambda: (
            any(
                r["path"].endswith("/oauth/token")
                for r in httpx.get(window.sandbox.url + "/sandbox/requests").json().get("requests", [])  # type: ignore[attr-defined]
            )
            or window.log_page.log_widget.model.rowCount() > 0
        ),
        timeout=5000,
    )
    # the delay fault is consumed when organizations/me arrives: from then on it is held in the sandbox
    qtbot.waitUntil(
        lambda: not httpx.get(window.sandbox.url + "/sandbox/control").json().get("faults"),  # type: ignore[attr-defined]
        timeout=5000,
    )
    assert window.session.busy
    t0 = time.monotonic()
    window.close()
    assert time.monotonic() - t0 < 3
    assert not window.session.busy
    assert window.error_bar.isHidden()  # a cancel on close is not an error


def test_layout_page_and_last_profile_are_remembered(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    window.resize(760, 520)  # offscreen screens are 800x600; restoreGeometry keeps windows on screen
    size = (window.width(), window.height())
    window.show_page(PAGE_PREVIEW)
    window.splitter.setSizes([240, 460])
    sizes = window.splitter.sizes()
    window.close()
    again = make_window(force_sandbox=True, auto_test=False)
    assert again.stack.currentIndex() == PAGE_PREVIEW
    assert again.height() == size[1] == 520
    assert again.width() == size[0]
    assert again.splitter.sizes() == sizes


def test_csv_dropped_on_window_opens_in_preview(make_window, tmp_path) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    csv = tmp_path / "contacts.csv"
    csv.write_text("name,phone\nAda,+15555550100\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(csv))])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    assert window.stack.currentIndex() == PAGE_PREVIEW
    assert window.preview_page.path == csv
    assert "contacts.csv" in window.preview_page.file_bar.message.text()

    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    enter2 = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        other,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter2)
    assert not enter2.isAccepted()


def test_main_window_screenshot(make_window, qtbot) -> None:
    window = make_window()
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        pass
    window.resize(1100, 700)
    window.show_page(PAGE_LOG)
    log = window.log_page.log_widget
    qtbot.waitUntil(lambda: log.model.rowCount() >= 3, timeout=5000)  # token, org, token info
    log.select_row(1)
    qtbot.wait(100)  # let the status bar lay out its updated labels
    shot = window.grab()
    assert shot.width() >= 1000
    if os.environ.get("OUTBOUND_SCREENSHOTS"):
        shot.save(str(SCREENSHOTS / "main-window.png"))
    assert data_dir()  # platformdirs resolves inside tmp_home


def test_repeated_test_shortcut_runs_one_test_at_a_time(make_window, qtbot) -> None:
    window = make_window(force_sandbox=True, auto_test=False)
    tested: list[object] = []
    window.session.connection_tested.connect(tested.append)
    window.test_action.trigger()
    window.test_action.trigger()  # while the first runs: ignored, no crash
    qtbot.waitUntil(lambda: bool(tested) and not window.session.busy, timeout=15000)
    qtbot.wait(200)
    assert len(tested) == 1
    assert window.sink.history == []


def test_preview_follows_the_definition_being_built(make_window, qtbot) -> None:
    window = make_window()
    window.show_page(0)
    window.builder_page.name_edit.setText("Built here")  # typed in the builder
    qtbot.waitUntil(
        lambda: (
            window.preview_page.builder_definition is not None
            and window.preview_page.builder_definition.name == "Built here"
        ),
        timeout=5000,
    )


def test_window_has_the_app_icon(make_window) -> None:
    window = make_window()
    icon = window.windowIcon()
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).isNull()
