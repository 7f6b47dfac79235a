"""Every write done through the window writes exactly one activity record with the right fields.

The window runs on its embedded sandbox, as ``outbound-console --sandbox`` does; the widgets are
clicked as a user would (dialogs patched through their ``ask`` classmethods).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console import activity
from console.activity import ActivityContext, ActivityRecord
from console.api import Endpoint, GenesysClient
from console.api.models import ContactList, ContactPhoneNumberColumn
from console.ipc import ChildService
from console.ui.builder.dialogs import ConfirmSendDialog, NameDialog
from console.ui.decoder import DecoderDialog, ResendConfirm
from console.ui.main_window import MainWindow
from tests.ui.call.test_page import (
    ManualPacer,
    hang_up_and_read,
    open_call_page,
    read,
    type_number,
    wait_connected,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

CSV = (
    "ContactId,FirstName,Mobile,Email\n"
    "1,Ana,+12025550143,ana@example.com\n"
    "2,Bo,+13105550199,bo@example.com\n"
)


@pytest.fixture(autouse=True)
def _fresh_context() -> Any:
    activity.set_context(ActivityContext())
    yield
    activity.set_context(ActivityContext())


@pytest.fixture
def window(make_window: Callable[..., MainWindow], qtbot: Any) -> MainWindow:
    """A window on its own sandbox whose connection test has run (the org is known)."""
    win = make_window(force_sandbox=True, auto_test=True)
    qtbot.waitUntil(lambda: win.session.last_report is not None, timeout=15000)
    return win


def records() -> list[ActivityRecord]:
    read_back = activity.default_log().read()
    assert read_back.problems == []
    return read_back.records


def answer_correlation(window: MainWindow, method: str, path: str) -> str:
    """The ``ININ-Correlation-Id`` of the latest answer to ``method path`` in the window's API log."""
    answers = [e.record for e in window.log_model.entries if e.record.method == method and e.path == path]
    assert answers, f"no {method} {path} in the API log"
    correlation = answers[-1].correlation_id
    assert correlation
    return correlation


def assert_window_context(entry: ActivityRecord, window: MainWindow) -> None:
    report = window.session.last_report
    assert report is not None
    assert entry.profile == window.session.profile.name  # type: ignore[union-attr]
    assert (entry.org_id, entry.org_name) == (report.org_id, report.org_name)
    assert entry.region == window.sandbox.url  # type: ignore[attr-defined]
    assert entry.actor == "sandbox-client"
    assert entry.at.endswith("Z")
    assert entry.version == activity.VERSION


def test_builder_create_update_push_and_a_refusal(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConfirmSendDialog, "ask", classmethod(lambda cls, p, t, text: True))
    monkeypatch.setattr(NameDialog, "ask", classmethod(lambda cls, p, t, label, d: "Spring template"))
    page = window.builder_page
    window.page_actions[0].trigger()
    csv = tmp_path / "spring.csv"
    csv.write_text(CSV, encoding="utf-8")
    page.start_from_csv(csv)
    qtbot.waitUntil(lambda: page.columns.row_count() == 4, timeout=10000)

    def send(button: Any) -> Any:
        with qtbot.waitSignal(page.sent, timeout=10000) as blocker:
            button.click()
        qtbot.waitUntil(lambda: not page.jobs.sending, timeout=5000)
        return blocker.args[0]

    created = send(page.create_button)
    [first] = records()
    assert first.action == "list.created"
    assert first.result == "ok"
    assert first.target.model_dump() == {"kind": "list", "id": created.id, "name": "spring"}
    assert first.counts == {"columns": 4}
    assert first.correlation_ids == [answer_correlation(window, "POST", "/api/v2/outbound/contactlists")]
    assert_window_context(first, window)
    qtbot.waitUntil(page.update_button.isEnabled, timeout=5000)
    page.name_edit.setText("spring campaign")
    send(page.update_button)
    assert [(r.action, r.target.id, r.target.name) for r in records()[1:]] == [
        ("list.updated", created.id, "spring campaign")
    ]
    update_path = f"/api/v2/outbound/contactlists/{created.id}"
    assert records()[1].correlation_ids == [answer_correlation(window, "PUT", update_path)]
    page.template_button.click()
    qtbot.waitUntil(lambda: "Template “Spring template” created" in page.result_label.text(), timeout=10000)
    qtbot.waitUntil(lambda: not page.jobs.sending, timeout=5000)
    pushed = records()[2]
    assert (pushed.action, pushed.target.kind) == ("template.pushed", "template")
    assert pushed.target.name == "Spring template"
    templates = "/api/v2/outbound/contactlisttemplates"
    assert pushed.correlation_ids == [answer_correlation(window, "POST", templates)]
    # the server refuses an update: one failed record with the answer's correlation id
    window.sandbox.control({"switches": {"reject_list_write": "phoneColumns[0].type"}})  # type: ignore[attr-defined]
    qtbot.waitUntil(page.update_button.isEnabled, timeout=5000)
    page.name_edit.setText("spring campaign C")
    with qtbot.waitSignal(window.sink.reported, timeout=10000):
        page.update_button.click()
    qtbot.waitUntil(lambda: not page.jobs.sending, timeout=5000)
    refused = records()[3]
    assert (refused.action, refused.result) == ("list.updated", "failed")
    assert refused.correlation_ids == [window.sink.history[-1].correlation_id]
    assert len(records()) == 4


def test_test_call_placed_connected_ended(window: MainWindow, qtbot: Any) -> None:
    page = open_call_page(window, qtbot)
    page.user_combo.setCurrentIndex(page.user_combo.findText("Sam Supervisor", Qt.MatchFlag.MatchStartsWith))
    type_number(page, qtbot, "3175550123")
    window.sandbox.control({"switches": {"station_answer": 0, "call_connect_after": 0}})  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.call_placed, timeout=10000):
        qtbot.mouseClick(page.place_button, Qt.MouseButton.LeftButton)
    read(page, qtbot)
    wait_connected(page, qtbot)
    pacer = page.calls.pacer
    assert isinstance(pacer, ManualPacer)
    pacer.now += 7  # seven seconds on the line
    hang_up_and_read(page, qtbot)
    placed, connected, ended = records()
    assert [r.action for r in (placed, connected, ended)] == ["call.placed", "call.connected", "call.ended"]
    for r in (placed, connected, ended):
        assert r.target.kind == "call"
        assert r.target.id == page.calls.conversation_id
        assert r.target.name == "***0123"  # only the last four digits
        assert_window_context(r, window)
    assert ended.details["ended_by"] == "console"
    assert ended.details["connected"] is True
    assert "duration_s" in ended.counts
    blob = activity.default_log().path.read_text(encoding="utf-8")
    assert "3175550123" not in re.sub(r"\D", "", blob)
    qtbot.waitUntil(lambda: page.place_button.isEnabled(), timeout=5000)


def test_a_call_that_is_not_placed_is_one_failed_record(window: MainWindow, qtbot: Any) -> None:
    page = open_call_page(window, qtbot)
    page.user_combo.setCurrentIndex(0)
    type_number(page, qtbot, "+13175550123")
    page.queue_combo.addItem("Queue deleted since the page loaded", "00000000-0000-0000-0000-000000000000")
    page.queue_combo.setCurrentIndex(page.queue_combo.count() - 1)
    with qtbot.waitSignal(window.sink.reported, timeout=10000):
        page.place_button.click()
    [failed] = records()
    assert (failed.action, failed.result, failed.target.name) == ("call.placed", "failed", "***0123")
    assert failed.correlation_ids == [window.sink.history[-1].correlation_id]
    qtbot.waitUntil(lambda: page.place_button.isEnabled(), timeout=5000)


def test_a_resend_from_the_decoder(window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_call_page(window, qtbot)
    page.user_combo.setCurrentIndex(0)
    type_number(page, qtbot, "+13175550123")
    page.queue_combo.addItem("Gone", "00000000-0000-0000-0000-000000000000")
    page.queue_combo.setCurrentIndex(page.queue_combo.count() - 1)
    with qtbot.waitSignal(window.sink.reported, timeout=10000):
        page.place_button.click()
    qtbot.waitUntil(lambda: page.place_button.isEnabled(), timeout=5000)
    dialog = window.sink.open_decoder()
    assert isinstance(dialog, DecoderDialog)
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    body = json.loads(dialog.body_edit.toPlainText())
    del body["callFromQueueId"]
    dialog.body_edit.setPlainText(json.dumps(body))
    monkeypatch.setattr(ResendConfirm, "ask", classmethod(lambda cls, parent, m, p: True))
    with qtbot.waitSignal(dialog.resent, timeout=10000):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.send_button.isEnabled, timeout=5000)
    resent = records()[-1]
    assert len(records()) == 2  # the failed call, then the resend
    assert resent.action == "request.resent"
    assert resent.result == "ok"
    assert str(resent.target.name).startswith("POST /api/v2/conversations/calls/user/")
    assert resent.details == {"method": "POST", "status": 200}
    assert resent.correlation_ids
    assert_window_context(resent, window)
    dialog.close()


def upload_ten_rows(window: MainWindow, qtbot: Any, tmp_path: Path) -> tuple[str, list[str]]:
    """Create "Spring list", open a CSV of ten rows in the preview and click Upload; (list id, phones)."""
    url = window.sandbox.url  # type: ignore[attr-defined]
    api = GenesysClient.with_client_credentials(Endpoint.custom(url), "sandbox-client", "sandbox-secret")
    try:
        created = api.create_contact_list(
            ContactList(
                name="Spring list",
                column_names=["ContactId", "FirstName", "Phone"],
                phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
            )
        )
    finally:
        api.close()
    assert created.id
    phones = [f"+1212555{n:04d}" for n in range(101, 111)]
    path = tmp_path / "spring.csv"
    path.write_text(
        "ContactId,FirstName,Phone\r\n" + "".join(f"S{n},Ann {n},{p}\r\n" for n, p in enumerate(phones)),
        encoding="utf-8",
    )
    page = window.preview_page
    window.open_csv(path)
    qtbot.waitUntil(lambda: not page.context.session.busy, timeout=10000)
    with qtbot.waitSignal(page.lists_loaded, timeout=15000):
        page.load_lists()  # the list was made after the window loaded the org's lists
    with qtbot.waitSignal(page.validated, timeout=30000):
        page.select_list(created.id)
    with qtbot.waitSignal(page.upload_finished, timeout=60000):
        page.upload_panel.upload_button.click()
    return created.id, phones


def assert_upload_records(window: MainWindow, list_id: str) -> None:
    """The window's log holds exactly the upload's started and finished records."""
    started, finished = records()
    assert (started.action, finished.action, finished.result) == ("upload.started", "upload.finished", "ok")
    assert finished.counts["sent"] == 10
    assert finished.target.model_dump() == {"kind": "list", "id": list_id, "name": "Spring list"}
    assert finished.details["mode"] == "upsert"
    assert finished.job_id
    for r in (started, finished):
        assert_window_context(r, window)


def test_the_window_upload_records_and_leaks_nothing(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    list_id, phones = upload_ten_rows(window, qtbot, tmp_path)
    assert_upload_records(window, list_id)
    blob = activity.default_log().path.read_text(encoding="utf-8")
    for secret in ["sandbox-secret", *phones, *(p[2:] for p in phones)]:
        assert secret not in blob
    # the window's sandbox runs in its own process: no bearer token of its shape (64 url-safe characters)
    assert not re.search(r"[A-Za-z0-9_-]{60,}", blob)


def test_the_upload_child_writes_the_windows_log_whatever_data_folder_it_sees(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload child's own data folder is not the window's: its records still reach the window's log.

    A spawned child re-imports the parent's main module, so a launcher or script that points the
    data folder somewhere at import (scripts/screenshots.py makes a fresh temporary one each time)
    gives the child another folder. The window hands the child its journal and shown-file folders,
    and must hand it its activity log too.
    """
    elsewhere = tmp_path / "child-data"
    elsewhere.mkdir()
    base_start = ChildService.start

    def start_elsewhere(self: ChildService) -> None:
        # the child's environment is fixed when it is spawned; the window keeps its own
        before = os.environ["XDG_DATA_HOME"]
        os.environ["XDG_DATA_HOME"] = str(elsewhere)
        try:
            base_start(self)
        finally:
            os.environ["XDG_DATA_HOME"] = before

    monkeypatch.setattr(ChildService, "start", start_elsewhere)
    list_id, _ = upload_ten_rows(window, qtbot, tmp_path)
    assert_upload_records(window, list_id)
    assert list(elsewhere.rglob(activity.LOG_NAME)) == []
