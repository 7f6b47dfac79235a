"""Issue 16, fault 4: "Normalize phones" writes every valid number in E.164, national formats included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui import preview_support
from tests.ui.preview_support import open_checked, view_index

api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


def write_national(path: Path) -> Path:
    rows = [
        "ContactId,FirstName,City,Phone",
        "N1,Ann,Seattle,(206) 266-1000",
        "N2,Bob,Seattle,206-266-1001",
        "N3,Cy,Seattle,+12062661002",  # already E.164
        "N4,Di,Seattle,call me",  # not a number: left
        "N5,Ed,Seattle,(206) 266-1004",
    ]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


def test_normalize_writes_national_numbers_in_e164_and_says_why_others_were_left(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_national(tmp_path / "national.csv"), list_id)
    with qtbot.waitSignal(page.file_ctl.finished, timeout=10000):
        page.tools.normalize_button.click()
    assert [page.model.data(view_index(page, r, 3)) for r in range(5)] == [
        "+12062661000",
        "+12062661001",
        "+12062661002",
        "call me",
        "+12062661004",
    ]
    status = page.status_line.text()
    assert status.startswith("3 phone numbers written in E.164")
    assert "1 already in E.164" in status
    assert "1 left as it is: not a valid number for US, first on line 5" in status
    assert page.undo_action.text() == "Undo Normalize 3 phone numbers"
    page.undo_action.trigger()
    assert page.model.data(view_index(page, 0, 3)) == "(206) 266-1000"


def test_normalize_reads_national_numbers_in_the_chosen_region(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    path = tmp_path / "uk.csv"
    path.write_text("ContactId,FirstName,City,Phone\r\nU1,Al,London,020 7946 0958\r\n", encoding="utf-8")
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    with qtbot.waitSignal(page.validated, timeout=30000):
        page.set_phone_region("GB")
    with qtbot.waitSignal(page.file_ctl.finished, timeout=10000):
        page.tools.normalize_button.click()
    assert page.model.data(view_index(page, 0, 3)) == "+442079460958"
    assert page.status_line.text() == "1 phone number written in E.164."


def test_show_e164_column_is_wide_enough_to_read(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    path = tmp_path / "phone-second.csv"
    path.write_text("ContactId,Phone,FirstName,City\r\nN1,(206) 266-1000,Ann,Seattle\r\n", encoding="utf-8")
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    page.tools.show_e164.click()
    shown = page.model.data(view_index(page, 0, 1))
    assert shown == "(206) 266-1000 → +12062661000"
    width = page.view.horizontalHeader().sectionSize(2)
    assert width >= page.view.fontMetrics().horizontalAdvance(shown) + 8
