"""The profile form's "Check this org" button: the doctor's steps on a worker, listed with marks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.credentials import ProfileStore, SecretVault
from console.doctor import DoctorOptions, DoctorReport
from console.sandbox import Sandbox
from console.ui.api_log import ExchangeRecorder
from console.ui.doctor_panel import DoctorPanel
from console.ui.errors import ErrorSink
from console.ui.profile_dialog import ProfileDialog
from console.ui.session import SessionController
from tests.doctor.doctor_helpers import fast_heartbeat

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


@pytest.fixture
def dialog(qtbot: Any, tmp_home: Any, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(DoctorPanel, "options", DoctorOptions(timeout=5, heartbeat_timeout=1))
    session = SessionController(SecretVault(), ErrorSink(), ExchangeRecorder())
    widget = ProfileDialog(ProfileStore(), session.vault, session)
    qtbot.addWidget(widget)
    yield widget
    panel = getattr(widget, "doctor_panel", None)
    if panel is not None:
        panel.close()
    session.shutdown()


def _fill(dialog: ProfileDialog, url: str, client_id: str, secret: str) -> None:
    dialog.add_button.click()
    dialog.name_edit.setText("Sandbox")
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("custom"))
    dialog.url_edit.setText(url)
    dialog.client_id_edit.setText(client_id)
    dialog.secret_edit.setText(secret)


def _run(qtbot: Any, dialog: ProfileDialog, sandbox: Sandbox) -> tuple[DoctorPanel, DoctorReport]:
    fast_heartbeat(sandbox)
    dialog.doctor_button.click()
    panel: DoctorPanel = dialog.doctor_panel
    with qtbot.waitSignal(panel.controller.done, timeout=30000) as blocker:
        pass
    qtbot.waitUntil(lambda: not panel.controller.is_running)
    report = blocker.args[0]
    assert isinstance(report, DoctorReport)
    return panel, report


def _rows(panel: DoctorPanel) -> list[str]:
    return [panel.step_list.item(i).text() for i in range(panel.step_list.count())]


def test_the_button_lists_every_step_with_its_mark(
    qtbot: Any, dialog: ProfileDialog, sandbox: Sandbox
) -> None:
    _fill(dialog, sandbox.url, "sandbox-client", "sandbox-secret")
    panel, report = _run(qtbot, dialog, sandbox)
    rows = _rows(panel)
    ok, skip = "\u2713", "\u2013"
    assert [r.split(":")[0] for r in rows[:6]] == [
        f"{skip} network", f"{ok} clock", f"{ok} oauth", f"{ok} org", f"{ok} outbound", f"{ok} rate-limit",
    ]  # fmt: skip
    assert rows[6].startswith(f"{ok} live-updates: channel open")
    assert "12 of 12 console actions allowed" in rows[3]
    assert panel.summary_label.text() == "6 ok, 0 failed, 1 skipped"
    assert "Checked Sandbox Org (" in panel.title_label.text()
    assert report.exit_code == 0
    assert panel.save_button.isEnabled()
    assert dialog.secret_edit.text() == "sandbox-secret"  # the form is left as it was (nothing saved)


def test_a_read_only_client_shows_a_cross_with_the_fix(
    qtbot: Any, dialog: ProfileDialog, sandbox: Sandbox
) -> None:
    _fill(dialog, sandbox.url, "sandbox-readonly", "readonly-secret")
    panel, report = _run(qtbot, dialog, sandbox)
    org = panel.step_list.item(3)
    assert org.text().startswith("\u2717 org: ")
    assert "Fix: Ask an admin to grant" in org.toolTip()
    assert "outbound:contactList:add" in org.toolTip()
    assert report.exit_code == 1
    assert panel.summary_label.text() == "5 ok, 1 failed, 1 skipped"


def test_the_saved_report_holds_no_secret_and_no_token(
    qtbot: Any, dialog: ProfileDialog, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(dialog, sandbox.url, "sandbox-client", "sandbox-secret")
    panel, _ = _run(qtbot, dialog, sandbox)
    target = tmp_path / "org-check.txt"
    monkeypatch.setattr(DoctorPanel, "ask_report_path", classmethod(lambda cls, parent: str(target)))
    panel.save_button.click()
    text = target.read_text(encoding="utf-8")
    assert "org: Sandbox Org (id " in text
    assert "sandbox-secret" not in text
    tokens = sandbox.issued_tokens()
    assert tokens
    assert not any(token in text for token in tokens)
    assert "Report saved to" in panel.summary_label.text()


def test_without_a_secret_the_panel_says_why_and_runs_nothing(
    qtbot: Any, dialog: ProfileDialog, sandbox: Sandbox
) -> None:
    _fill(dialog, sandbox.url, "sandbox-client", "")
    dialog.doctor_button.click()
    panel: DoctorPanel = dialog.doctor_panel
    assert panel.title_label.text().startswith("Cannot check: No client secret")
    assert not panel.controller.is_running
    assert panel.step_list.count() == 0


def test_closing_during_a_slow_step_stops_the_worker(
    qtbot: Any, dialog: ProfileDialog, sandbox: Sandbox
) -> None:
    sandbox.control({"faults": [{"kind": "delay", "seconds": 2, "path": "^/api/v2/organizations/me$"}]})
    _fill(dialog, sandbox.url, "sandbox-client", "sandbox-secret")
    dialog.doctor_button.click()
    panel: DoctorPanel = dialog.doctor_panel
    qtbot.waitUntil(lambda: panel.step_list.count() >= 3, timeout=10000)  # oauth done: org is waiting
    panel.close()
    assert not panel.controller.is_running
