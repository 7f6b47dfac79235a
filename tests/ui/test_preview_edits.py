"""Issue 16, fault 3: after an edit, a fix, undo or redo, whatever counts findings counts the edited data."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.ui.preview.edited import tally
from tests.ui import preview_support
from tests.ui.preview_support import DISPLAY, open_checked, view_index, write_messy

api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


def tree_counts(page: Any) -> dict[str, int]:
    tree = page.issue_tree
    out = {}
    for k in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(k)
        out[item.data(0, Qt.ItemDataRole.UserRole)] = int(item.text(1).replace(",", ""))
    return out


def tree_rows(page: Any, code: str) -> list[int]:
    tree = page.issue_tree
    for k in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(k)
        if item.data(0, Qt.ItemDataRole.UserRole) == code:
            return [item.child(j).data(0, Qt.ItemDataRole.UserRole)[0] for j in range(item.childCount())]
    return []


def report_rules(page: Any, qtbot: Any, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    monkeypatch.setattr(type(page), "ask_save_path", classmethod(lambda cls, *a: out))
    with qtbot.waitSignal(page.file_ctl.finished, timeout=15000):
        page.tools.report_button.click()
    with out.open(encoding="utf-8", newline="") as fh:
        return [(r["row"], r["rule"]) for r in csv.DictReader(fh)]


def test_an_edit_undo_and_redo_keep_summary_tree_status_send_count_and_report_true(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_messy(tmp_path / "messy.csv"), list_id)
    summary = page.check_bar.summary_label
    send = page.upload_panel.send_label
    assert "4 with errors" in summary.text()
    assert tree_counts(page)["phone.invalid"] == 2
    assert 2 in tree_rows(page, "phone.invalid")
    assert "3 valid rows" in send.text()
    assert ("3", "phone.invalid") in report_rules(page, qtbot, tmp_path / "before.csv", monkeypatch)

    # the user types a real number over "call me" (row 2, Phone)
    page.view.model().setData(view_index(page, 2, 3), "(617) 555-0199", Qt.ItemDataRole.EditRole)
    assert "3 with errors" in summary.text()
    assert "4 valid" in summary.text()
    assert tree_counts(page)["phone.invalid"] == 1
    assert 2 not in tree_rows(page, "phone.invalid")
    assert page.model.data(view_index(page, 2, -1), DISPLAY) == "OK"
    assert "4 valid rows" in send.text()
    after = report_rules(page, qtbot, tmp_path / "after.csv", monkeypatch)
    assert ("3", "phone.invalid") not in after
    assert ("6", "phone.invalid") in after  # the other bad phone is still reported

    page.undo_action.trigger()
    assert "4 with errors" in summary.text()
    assert tree_counts(page)["phone.invalid"] == 2
    assert page.model.data(view_index(page, 2, -1), DISPLAY) == "Error"
    assert "3 valid rows" in send.text()

    page.redo_action.trigger()
    assert "3 with errors" in summary.text()
    assert tree_counts(page)["phone.invalid"] == 1


def test_the_running_tally_matches_a_recount_after_fixes_undo_and_redo(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_messy(tmp_path / "messy.csv"), list_id)

    def same() -> bool:
        return bool(page.model.edited_tally.tally() == tally(page.checked, page.model.rechecked))

    with qtbot.waitSignal(page.file_ctl.finished, timeout=10000):
        page.tools.normalize_button.click()
    assert same()
    page.edit_cell(2, 3, "(617) 555-0199")
    page.edit_cell(0, 3, "bad")
    assert same()
    for _ in range(3):
        page.undo_action.trigger()
        assert same()
    page.redo_action.trigger()
    assert same()


def test_an_edit_that_breaks_a_row_is_counted_and_reported(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_messy(tmp_path / "messy.csv"), list_id)
    page.edit_cell(0, 3, "nope")  # row 0 was clean
    assert "5 with errors" in page.check_bar.summary_label.text()
    assert 0 in tree_rows(page, "phone.invalid")
    assert tree_counts(page)["phone.invalid"] == 3
    rules = report_rules(page, qtbot, tmp_path / "report.csv", monkeypatch)
    assert ("1", "phone.invalid") in rules
    with (tmp_path / "report.csv").open(encoding="utf-8", newline="") as fh:
        first = next(r for r in csv.DictReader(fh) if r["row"] == "1")
    assert "nope" in first["record"]



def test_editing_another_cell_of_a_duplicate_keeps_its_duplicate_id(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_messy(tmp_path / "messy.csv"), list_id)
    page.edit_cell(3, 1, "Renamed")  # row 3 repeats A2; its name is not what is wrong
    assert "4 with errors" in page.check_bar.summary_label.text()
    assert tree_rows(page, "id.duplicate") == [3]
    page.edit_cell(3, 0, "A9")  # a new id: no longer a duplicate
    assert "3 with errors" in page.check_bar.summary_label.text()
    assert tree_rows(page, "id.duplicate") == []
