"""Issue 16, fault 9 on the preview page: the status counts, F8, Ctrl+Y, plurals, the Undo/Redo buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui import preview_support
from tests.ui.preview_support import DISPLAY, open_checked, view_index

api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

ROWS = [
    "ContactId,FirstName,City,Phone",
    "B1,Ann,Boston,(617) 555-0101",  # row 0: clean
    ",Bob,Boston,442079460958",  # row 1: no id (error) and a UK number without + (warning)
    "B3,Cy,Boston,442079460959",  # row 2: warning only
    "B4,Di, Boston ,call me",  # row 3: error (the padded city is trimmed by the list)
]


def write_file(path: Path) -> Path:
    path.write_text("\r\n".join(ROWS) + "\r\n", encoding="utf-8")
    return path


def current_row(page: Any) -> int:
    return int(page.model.file_row(page.view.currentIndex().row()))


def test_status_counts_errors_apart_from_warnings(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_file(tmp_path / "f.csv"), list_id)
    assert page.model.data(view_index(page, 1, -1), DISPLAY) == "Error, 1 warning"
    assert page.model.data(view_index(page, 2, -1), DISPLAY) == "Warning"


def test_f8_visits_warnings_and_keeps_to_errors_while_errors_only(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_file(tmp_path / "f.csv"), list_id)
    assert "warnings" in page.tools.next_button.toolTip()
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(0, 0))
    for expected in (1, 2, 3):
        QTest.keyClick(page.view, Qt.Key.Key_F8)
        assert current_row(page) == expected
    page.tools.errors_only.click()
    page.view.setCurrentIndex(page.model.index(0, 0))  # row 1
    QTest.keyClick(page.view, Qt.Key.Key_F8)
    assert current_row(page) == 3  # the warning-only row 2 is not shown: F8 keeps the filter
    assert page.tools.errors_only.isChecked()


def test_ctrl_y_redoes_and_undo_redo_keep_their_width(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_file(tmp_path / "f.csv"), list_id)
    undo, redo = page.tools.undo_button, page.tools.redo_button
    width = undo.sizeHint().width()
    page.edit_cell(0, 3, "(617) 555-0199")
    assert undo.text() == "Undo"
    assert undo.sizeHint().width() == width
    assert undo.toolTip().startswith("Undo Edit Phone")
    page.view.setFocus()
    QTest.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.data(view_index(page, 0, 3)) == "(617) 555-0101"
    assert redo.toolTip().startswith("Redo Edit Phone")
    QTest.keyClick(page.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert page.model.data(view_index(page, 0, 3)) == "(617) 555-0199"


def test_one_trimmed_value_is_said_in_the_singular(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_file(tmp_path / "f.csv"), list_id)
    with qtbot.waitSignal(page.file_ctl.finished, timeout=10000):
        page.tools.trim_button.click()
    assert page.status_line.text() == "1 value trimmed."
    assert page.undo_action.text() == "Undo Trim 1 value"
