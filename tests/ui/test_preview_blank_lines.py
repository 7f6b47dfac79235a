"""Blank lines are not contacts (issue 16, fault 10): the window says 1 row, 2 blank lines skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui import preview_support
from tests.ui.preview_support import open_checked

api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


def test_one_contact_and_two_blank_lines_says_one_row(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(b"ContactId,FirstName,City,Phone\r\n1,Ann,Oslo,+12025550100\r\n\r\n\r\n")
    page = make_page()
    open_checked(page, qtbot, path, list_id)

    summary = page.check_bar.summary_label.text()
    assert summary.startswith("<b>1</b> row (2 blank lines skipped) · "), summary
    assert "1 valid" in summary
    assert page.checked is not None
    assert page.checked.result.valid_rows == 1
