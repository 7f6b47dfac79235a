"""The preview page's upload: resumable through faults, rejections mapped back, a failed import explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from console.api.explain import explain
from console.jobs import JobStatus, Phase
from console.ui.pages.preview import PreviewPage
from console.ui.preview.model import REJECTED_COLOR
from tests.ui import preview_support
from tests.ui.preview_support import (
    BACKGROUND,
    COLUMNS,
    CONTACTS,
    TOOLTIP,
    close_page,
    list_contents,
    open_checked,
    write_big,
    write_messy,
)

# the fixtures (pytest finds them as module attributes)
api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


def test_upload_through_429s_drop_and_crash_then_resume_once(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    expected = write_big(path, 2600)
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    assert page.checked is not None
    assert page.checked.result.invalid_rows == 52
    assert "2,548 valid rows" in page.upload_panel.send_label.text()
    sandbox.control(
        {
            "faults": [
                {"kind": "429", "count": 4, "retry_after": 0, "path": CONTACTS, "method": "POST"},
                {"kind": "drop", "count": 1, "path": CONTACTS, "method": "POST"},
            ]
        }
    )
    page.crash_after_rows = 1000  # the app "dies" once the first chunk is confirmed
    seen: list[Any] = []
    page.upload_progressed.connect(seen.append)
    with qtbot.waitSignal(page.upload_failed, timeout=60000):
        page.upload_panel.upload_button.click()
    assert any(p.phase is Phase.SENDING for p in seen)
    assert "rows/s" in page.upload_panel.upload_status.text()
    stored = list_contents(sandbox, list_id)
    assert 0 < len(stored) < len(expected)
    close_page(page)  # the dead app's window: workers joined, file closed; the journal says "running"
    page.close()

    # a new window: it offers the unfinished job; accepting sends the rest
    again = make_page()
    assert again.resume_bar.isVisible()
    assert again.resume_offer is not None
    assert again.resume_offer.status == "running"
    assert "big.csv" in again.resume_bar.label.text()
    with qtbot.waitSignal(again.upload_finished, timeout=60000) as blocker:
        again.resume_bar.resume_button.click()
    outcome = blocker.args[0]
    assert outcome.result.status is JobStatus.DONE, outcome.result.message
    assert outcome.result.sent == len(expected)
    assert outcome.result.reconciliation is not None
    assert outcome.result.reconciliation.ok
    stored = list_contents(sandbox, list_id)
    ids = [c["id"] for c in stored]
    assert len(ids) == len(set(ids)) == len(expected)
    assert {c["id"]: c["data"] for c in stored} == expected
    assert not again.resume_bar.isVisible()
    assert "Done" in again.upload_panel.result_label.text()
    # the id map export (written by a worker)
    assert again.upload_panel.id_map_button.isEnabled()
    id_map = tmp_path / "ids.csv"
    monkeypatch.setattr(
        PreviewPage, "ask_save_path", classmethod(lambda cls, parent, title, suggested: id_map)
    )
    with qtbot.waitSignal(again.export_done, timeout=10000):
        again.upload_panel.id_map_button.click()
    lines = id_map.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0] == "source_id,contact_id"
    assert dict(line.split(",") for line in lines[1:] if line) == {c["id"]: c["id"] for c in stored}
    assert f"Wrote {len(expected):,} ids to" in again.status_line.text()


def test_rejected_rows_map_back_to_the_grid(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, sandbox: Any
) -> None:
    path = tmp_path / "long.csv"
    long_city = "x" * 600
    path.write_text(
        "ContactId,FirstName,City,Phone\r\n"
        "B1,Ann,Boston,+12125550101\r\n"
        f"B2,Bob,{long_city},+12125550102\r\n"
        "B3,Cy,Boston,+12125550103\r\n",
        encoding="utf-8",
    )
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    page.upload_panel.all_rows_check.click()
    assert "including 1 with errors" in page.upload_panel.send_label.text()
    with qtbot.waitSignal(page.upload_finished, timeout=30000) as blocker:
        QTest.keyClick(page.view, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    outcome = blocker.args[0]
    assert outcome.result.status is JobStatus.REJECTED
    assert set(outcome.rejected_rows) == {1}
    status = page.model.index(1, 0)
    assert page.model.data(status) == "Rejected"
    assert page.model.data(status, BACKGROUND) == REJECTED_COLOR
    assert "Rejected by the server" in page.model.data(status, TOOLTIP)
    assert {c["id"] for c in list_contents(sandbox, list_id)} == {"B1", "B3"}


def test_file_import_fails_with_decoded_reason(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, sandbox: Any
) -> None:
    path = write_messy(tmp_path / "messy.csv")
    sandbox.control({"import_delay": 0.1})
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    page.upload_panel.mode_multipart.click()
    assert "imports it in the background" in page.upload_panel.mode_text.text()
    # the list gains a column after the file was checked: the import fails on the server
    with sandbox.state.lock:
        sandbox.state.lists[list_id]["columnNames"] = [*COLUMNS, "Extra"]
    with qtbot.waitSignal(page.upload_finished, timeout=30000) as blocker:
        page.upload_panel.upload_button.click()
    outcome = blocker.args[0]
    assert outcome.result.status is JobStatus.REJECTED
    assert {code for code, _ in outcome.rejected_rows.values()} == {"IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST"}
    text = page.upload_panel.result_label.text()
    assert "IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST" in text
    assert explain("IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST").cause in text  # the catalog's words
    assert page.model.data(page.model.index(0, 0)) == "Rejected"
