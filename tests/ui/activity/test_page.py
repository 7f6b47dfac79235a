"""The Activity page (Ctrl+5): newest first, filters, opening a row, the injection-safe CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from console import activity
from console.activity import ActivityContext, ActivityRecord
from console.api import Endpoint, GenesysClient
from console.api.models import ContactList, ContactPhoneNumberColumn
from console.contacts.reader import CsvSource
from console.jobs.upload import JobStatus
from console.ui.activity.model import ActivityTableModel, load_log
from console.ui.activity.page import ActivityPage, ExportPath, JobDialog
from console.ui.activity.table import ActivityFilter, safe_cell
from console.ui.decoder import DecoderDialog
from console.ui.main_window import PAGE_ACTIVITY, PAGE_BUILDER, MainWindow
from tests.jobs.jobs_helpers import make_list, write_csv
from tests.jobs.upload.helpers import create_job

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

SPRING = {"kind": "list", "id": "L-1", "name": "Spring"}
SEED = [
    ActivityRecord(
        action="list.created", at="2026-03-01T09:00:00.000Z", org_name="Acme", org_id="o-a", target=SPRING
    ),
    ActivityRecord(
        action="upload.finished", at="2026-03-02T09:00:00.000Z", org_name="Acme", org_id="o-a",
        result="failed", job_id="260302-aaaaaa", counts={"sent": 3, "refused": 2},
        target=SPRING, message="2 rows rejected by the server",
    ),
    ActivityRecord(
        action="call.ended", at="2026-03-03T09:00:00.000Z", org_name="Globex", org_id="o-g",
        target={"kind": "call", "id": "c-1", "name": "***0123"}, counts={"duration_s": 7},
    ),
    ActivityRecord(
        action="list.updated", at="2026-03-04T09:00:00.000Z", org_name="Globex", org_id="o-g",
        result="failed", correlation_ids=["corr-77"], message='=HYPERLINK("http://x")',
        target={"kind": "list", "id": "L-2", "name": "+Summer"},
    ),
    ActivityRecord(
        action="upload.started", at="2026-03-05T09:00:00.000Z", org_name="Acme", org_id="o-a",
        result="cancelled", job_id="260305-bbbbbb", target=SPRING,
    ),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_context() -> Any:
    yield
    activity.set_context(ActivityContext())


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window(force_sandbox=True, auto_test=False)


def seed(records: list[ActivityRecord] = SEED) -> None:
    for r in records:
        activity.default_log().append(r)


def open_page(window: MainWindow, qtbot: Any) -> ActivityPage:
    """Ctrl+5, and wait for the log's read."""
    page = window.activity_page
    with qtbot.waitSignal(page.loaded, timeout=10000):
        window.page_actions[PAGE_ACTIVITY].trigger()
    assert window.current_page() is page
    return page


def shown(page: ActivityPage) -> list[str]:
    return [r.at[:10] for r in page.model.rows]


def test_ctrl_5_shows_newest_first_and_every_filter_narrows(window: MainWindow, qtbot: Any) -> None:
    seed()
    assert window.page_actions[PAGE_ACTIVITY].shortcut().toString() == "Ctrl+5"
    page = open_page(window, qtbot)
    assert shown(page) == ["2026-03-05", "2026-03-04", "2026-03-03", "2026-03-02", "2026-03-01"]
    assert page.status.text() == "5 of 5 records"
    # text: any field, case-insensitive, every word
    page.search.setText("spring REJECTED")
    assert shown(page) == ["2026-03-02"]
    page.search.setText("corr-77")
    assert shown(page) == ["2026-03-04"]
    page.search.clear()
    # org
    assert [page.org.itemText(i) for i in range(page.org.count())] == ["All orgs", "Acme", "Globex"]
    page.org.setCurrentIndex(page.org.findText("Globex"))
    assert shown(page) == ["2026-03-04", "2026-03-03"]
    page.org.setCurrentIndex(0)
    # action: one, or a group
    page.action.setCurrentIndex(page.action.findText("upload.*"))
    assert shown(page) == ["2026-03-05", "2026-03-02"]
    page.action.setCurrentIndex(page.action.findText("list.created"))
    assert shown(page) == ["2026-03-01"]
    page.action.setCurrentIndex(0)
    # result
    page.result.setCurrentIndex(page.result.findText("failed"))
    assert shown(page) == ["2026-03-04", "2026-03-02"]
    page.result.setCurrentIndex(0)
    # date range (local days)
    page.dates.setChecked(True)
    first = ActivityRecord(action="x", at="2026-03-02T09:00:00.000Z").when.astimezone().date()
    last = ActivityRecord(action="x", at="2026-03-03T09:00:00.000Z").when.astimezone().date()
    page.start.setDate(QDate(first.year, first.month, first.day))
    page.end.setDate(QDate(last.year, last.month, last.day))
    assert shown(page) == ["2026-03-03", "2026-03-02"]
    assert page.status.text() == "2 of 5 records"
    page.dates.setChecked(False)
    assert len(shown(page)) == 5


def test_a_torn_last_line_is_reported_on_the_page(window: MainWindow, qtbot: Any) -> None:
    seed(SEED[:2])
    with activity.default_log().path.open("ab") as fh:
        fh.write(b'{"version":1,"action":"list.cre')
    page = open_page(window, qtbot)
    assert len(page.model.rows) == 2
    assert "1 line(s) skipped" in page.status.text()
    assert "torn last line" in page.status.text()


def test_export_writes_the_filtered_rows_injection_safe(window: MainWindow, qtbot: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    seed()
    page = open_page(window, qtbot)
    page.org.setCurrentIndex(page.org.findText("Globex"))
    target = tmp_path / "out.csv"
    monkeypatch.setattr(ExportPath, "ask", classmethod(lambda cls, parent: target))
    page.export_button.click()
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["action"] for r in rows] == ["list.updated", "call.ended"]
    assert rows[0]["message"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["target_name"] == "'+Summer"
    assert rows[0]["correlation_ids"] == "corr-77"
    assert rows[1]["target_name"] == "***0123"
    assert "Exported 2 records" in page.status.text()


def test_a_failed_record_opens_its_decoded_error(window: MainWindow, qtbot: Any) -> None:
    seed()
    page = open_page(window, qtbot)
    page.search.setText("corr-77")
    page.table.selectRow(0)
    with qtbot.waitSignal(page.opened) as blocker:
        page.open_button.click()
    assert blocker.args[0] == "error"
    decoder = window.sink.decoder
    assert isinstance(decoder, DecoderDialog)
    assert decoder.isVisible()
    assert "list.updated failed (+Summer)" in decoder.title_label.text()
    decoder.close()


def test_a_list_record_opens_the_list_in_the_builder(window: MainWindow, qtbot: Any) -> None:
    url = window.sandbox.url  # type: ignore[attr-defined]
    api = GenesysClient.with_client_credentials(Endpoint.custom(url), "sandbox-client", "sandbox-secret")
    try:
        created = api.create_contact_list(
            ContactList(
                name="Autumn",
                column_names=["ContactId", "Phone"],
                phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
            )
        )
    finally:
        api.close()
    seed([ActivityRecord(action="list.created", target={"kind": "list", "id": created.id, "name": "Autumn"})])
    page = open_page(window, qtbot)
    builder = window.builder_page
    where = page.table.visualRect(page.model.index(0, 0)).center()
    with qtbot.waitSignal(builder.jobs.entity_loaded, timeout=10000):
        # a double-click is a press, a release, then the double-click press (QAbstractItemView)
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.current_page() is builder
    assert window.nav.currentRow() == PAGE_BUILDER
    qtbot.waitUntil(lambda: builder.name_edit.text() == "Autumn", timeout=5000)
    qtbot.waitUntil(lambda: not builder.jobs.loading, timeout=5000)


def test_an_upload_record_opens_its_journal_and_reconciliation(
    window: MainWindow, qtbot: Any, sandbox: Any, tmp_path: Path, tmp_home: Path
) -> None:
    api = GenesysClient.with_client_credentials(
        Endpoint.custom(sandbox.url), "sandbox-client", "sandbox-secret"
    )
    sources: list[CsvSource] = []
    try:
        list_id = make_list(api, "Journal list")
        sample = write_csv(tmp_path / "c.csv", 12, bad_every=0)
        jobs_dir = tmp_home / "xdg_data_home" / "outbound-console" / "jobs"
        job = create_job(api, list_id, sample.path, jobs_dir, sources)
        try:
            assert job.run().status is JobStatus.DONE
        finally:
            job.close()
    finally:
        for s in sources:
            s.close()
        api.close()
    page = open_page(window, qtbot)
    page.action.setCurrentIndex(page.action.findText("upload.finished"))
    page.table.selectRow(0)
    with qtbot.waitSignal(page.opened) as blocker:
        page.open_button.click()
    assert blocker.args[0] == "job"
    dialog = page.job_dialog
    assert isinstance(dialog, JobDialog)
    assert dialog.isVisible()
    text = dialog.view.toPlainText()
    assert f"Job {job.job_id}" in text
    assert "Status: done" in text
    assert "started" in text
    assert "Reconciliation" in text
    assert "the list matches the file" in text
    dialog.close()


def test_the_model_passes_qtmodeltester(qtmodeltester: Any, tmp_path: Path) -> None:
    log = activity.ActivityLog(tmp_path / "activity.jsonl")
    for r in SEED:
        log.append(r)
    model = ActivityTableModel()
    model.set_loaded(load_log(log))
    qtmodeltester.check(model)
    model.set_filter(ActivityFilter(result="failed"))
    qtmodeltester.check(model)
    assert model.rowCount() == 2


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Spring", "Spring"),
        (None, ""),
        (5, "5"),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_the_filter_reads_local_days() -> None:
    entry = ActivityRecord(action="list.created", at="2026-03-01T12:00:00.000Z")
    day = entry.when.astimezone().date()
    assert ActivityFilter(start=day, end=day).accepts(entry)
    assert not ActivityFilter(start=date(2026, 3, 5)).accepts(entry)
    assert ActivityFilter(action="list").accepts(entry)
    assert not ActivityFilter(action="lis").accepts(entry)


def test_newest_first_keeps_the_later_line_first_within_one_millisecond(tmp_path: Path) -> None:
    same = "2026-03-01T09:00:00.000Z"
    log = activity.ActivityLog(tmp_path / "activity.jsonl")
    for action in ("upload.started", "upload.finished"):
        log.append(ActivityRecord(action=action, at=same))
    newest_first = ["upload.finished", "upload.started"]
    assert [r.action for r in load_log(log).records] == newest_first
    assert [r.action for r in ActivityFilter().apply(log.read().records)] == newest_first
