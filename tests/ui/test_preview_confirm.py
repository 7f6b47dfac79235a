"""Issue 16, fault 5: the upload asks first (org, region, list, mode, rows, warnings by rule); Ctrl+U too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from console.ui.preview.confirm import UploadConfirmDialog, WarningRows
from tests.ui import preview_support
from tests.ui.preview_support import list_contents, open_checked

api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

ROWS = [
    "ContactId,FirstName,City,Phone",
    "W1,Ann,Boston,(617) 555-0101",  # clean
    "W2,Bob,London,442079460958",  # warning: UK number without its +
    "W3,Cy,London,442079460959",  # warning
    "W4,Di,Boston,call me",  # error: skipped
]


class Asked:
    """Stands in for the user at the confirmation: records what it said, answers ``answer``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: WarningRows | None) -> None:
        self.texts: list[str] = []
        self.warning_rows: list[int] = []
        self.answer = answer

        def ask(cls: Any, parent: QWidget, text: str, warning_rows: int) -> WarningRows | None:
            self.texts.append(text)
            self.warning_rows.append(warning_rows)
            return self.answer

        monkeypatch.setattr(UploadConfirmDialog, "ask", classmethod(ask))


def checked_page(make_page: Any, qtbot: Any, tmp_path: Path, list_id: str) -> Any:
    path = tmp_path / "warn.csv"
    path.write_text("\r\n".join(ROWS) + "\r\n", encoding="utf-8")
    page = make_page()
    with qtbot.waitSignal(page.context.session.connection_tested, timeout=15000):
        page.context.session.test_connection()
    open_checked(page, qtbot, path, list_id)
    return page


def test_the_confirmation_names_org_region_list_mode_rows_and_warnings_and_skipping_is_honoured(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = checked_page(make_page, qtbot, tmp_path, list_id)
    asked = Asked(monkeypatch, None)
    page.upload_panel.upload_button.click()  # cancelled: nothing is sent
    [text] = asked.texts
    assert "Upload <b>3 rows</b> to the list <b>" in text
    assert page.definition is not None
    assert page.definition.name in text
    assert "Org: <b>Sandbox Org</b>" in text
    assert f"Region: {sandbox.url.split('//', 1)[1]}" in text  # a custom URL by its host and port
    assert "Mode: add or update by contact id (upsert)" in text
    assert "2 rows: international number without its +" in text
    assert "1 invalid row is skipped." in text
    assert asked.warning_rows == [2]
    assert page.upload_panel.result_label.text() == "Upload not started."
    assert list_contents(sandbox, list_id) == []

    # the file import says so
    page.upload_panel.mode_multipart.click()
    page.upload_panel.upload_button.click()
    assert "Mode: file import" in asked.texts[-1]
    page.upload_panel.mode_upsert.click()

    # skip the rows with warnings: only the clean row is sent
    asked.answer = WarningRows.SKIP
    with qtbot.waitSignal(page.upload_finished, timeout=60000):
        page.upload_panel.upload_button.click()
    assert [c["id"] for c in list_contents(sandbox, list_id)] == ["W1"]
    # send them: the warning rows go too (the invalid one never)
    asked.answer = WarningRows.SEND
    qtbot.waitUntil(lambda: not page.upload_ctl.is_running, timeout=10000)
    with qtbot.waitSignal(page.upload_finished, timeout=60000):
        page.upload_panel.upload_button.click()
    assert sorted(c["id"] for c in list_contents(sandbox, list_id)) == ["W1", "W2", "W3"]


def test_ctrl_u_uploads_wherever_the_focus_is_on_the_page(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = checked_page(make_page, qtbot, tmp_path, list_id)
    asked = Asked(monkeypatch, None)
    encoding_edit = page.file_bar.encoding_combo.lineEdit()
    targets = [
        page.view,
        page.issue_tree,
        encoding_edit,
        page.file_bar.list_combo,
        page.tools.normalize_button,
        page.upload_panel.id_combo,
    ]
    for k, widget in enumerate(targets, start=1):
        if not widget.isVisible():
            page.tabs.setCurrentWidget(page.upload_scroll)
        widget.setFocus()
        QTest.keyClick(widget, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
        assert len(asked.texts) == k, f"Ctrl+U did nothing with the focus on {type(widget).__name__}"
