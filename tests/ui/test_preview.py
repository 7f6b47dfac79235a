"""The CSV preview & upload page, driven like a supervisor would, against the sandbox over real HTTP."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest

from console.api import GenesysClient
from console.api.models import ContactList, ContactPhoneNumberColumn, EmailColumn
from console.contacts.result import Severity
from console.jobs import JobStatus, Phase
from console.ui.pages.preview import PreviewPage
from console.ui.preview.model import SEVERITY_COLORS, ContactTableModel
from tests.ui import preview_support
from tests.ui.preview_support import (
    BACKGROUND,
    COLUMNS,
    CONTACTS,
    MESSY_ROWS,
    SCREENSHOTS,
    TOOLTIP,
    close_page,
    list_contents,
    open_all_rows,
    open_checked,
    view_index,
    watch_check,
    write_big,
    write_long,
    write_messy,
)

# the fixtures (pytest finds them as module attributes)
api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")


def test_model_passes_qt_model_tester(
    qtmodeltester: Any, tmp_path: Path, make_page: Any, qtbot: Any, list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, write_messy(tmp_path / "messy.csv"), list_id)
    qtmodeltester.check(page.model, force_py=True)
    page.tools.errors_only.click()
    qtmodeltester.check(page.model, force_py=True)
    empty = ContactTableModel()
    qtmodeltester.check(empty, force_py=True)


def test_messy_file_highlights_fixes_undo_and_exports(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_page()
    path = write_messy(tmp_path / "messy.csv")
    open_checked(page, qtbot, path, list_id)
    assert "messy.csv" in page.file_bar.message.text()
    assert "cp1252" in page.file_bar.detected_label.text()
    assert "semicolon" in page.file_bar.detected_label.text()
    assert page.model.rowCount() == 7
    assert page.model.columnCount() == 5
    # header mapped case-insensitively, shown and editable
    assert page.mapping_table.combo("FirstName").currentText() == "firstname"
    assert page.model.headerData(2, Qt.Orientation.Horizontal) == "firstname → FirstName"
    # non-ASCII decoded from cp1252
    assert page.model.data(view_index(page, 0, 2)) == "Brûlé"
    # the invalid phone: red cell, reason with line and value in the tooltip
    bad = view_index(page, 2, 3)
    assert page.model.data(bad, BACKGROUND) == SEVERITY_COLORS[Severity.ERROR]
    tip = page.model.data(bad, TOOLTIP)
    assert "call me" in tip
    assert "line 4" in tip
    assert "not a valid phone number" in tip
    # the missing + is a warning with its repair
    plus = view_index(page, 1, 3)
    assert page.model.data(plus, BACKGROUND) == SEVERITY_COLORS[Severity.WARNING]
    assert "+442079460958" in page.model.data(plus, TOOLTIP)
    # duplicate id and ragged row
    dup = view_index(page, 3, 0)
    assert page.model.data(dup, BACKGROUND) == SEVERITY_COLORS[Severity.ERROR]
    assert "repeats an earlier row" in page.model.data(dup, TOOLTIP)
    status = page.model.index(page.model.view_row(4), 0)
    assert page.model.data(status) == "Error"
    assert "has 5 fields" in page.model.data(status, TOOLTIP)
    assert page.model.data(page.model.index(0, 0)) == "OK"
    assert page.model.data(view_index(page, 0, 3), BACKGROUND) is None
    # issue panel grouped by rule with counts; clicking a child jumps to its cell
    groups = {
        page.issue_tree.topLevelItem(k).data(0, Qt.ItemDataRole.UserRole): page.issue_tree.topLevelItem(k)
        for k in range(page.issue_tree.topLevelItemCount())
    }
    assert groups["phone.invalid"].text(1) == "2"
    assert groups["id.duplicate"].text(1) == "1"
    assert groups["row.ragged"].text(1) == "1"
    child = groups["id.duplicate"].child(0)
    assert child.text(0).startswith("Line 5")
    page.issue_tree.itemClicked.emit(child, 0)
    assert page.model.file_row(page.view.currentIndex().row()) == 3
    # E.164 on demand
    page.tools.show_e164.click()
    assert page.model.data(view_index(page, 0, 3)) == "(212) 555-0101 → +12125550101"
    page.tools.show_e164.click()
    assert page.model.data(view_index(page, 0, 3)) == "(212) 555-0101"
    # next / previous finding with the keyboard
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(0, 0))
    QTest.keyClick(page.view, Qt.Key.Key_F8)
    assert page.model.file_row(page.view.currentIndex().row()) == 1
    QTest.keyClick(page.view, Qt.Key.Key_F8)
    assert page.model.file_row(page.view.currentIndex().row()) == 2
    QTest.keyClick(page.view, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert page.model.file_row(page.view.currentIndex().row()) == 1
    # errors only
    page.tools.errors_only.click()
    assert [page.model.file_row(v) for v in range(page.model.rowCount())] == [2, 3, 4, 5]
    page.tools.errors_only.click()
    assert page.model.rowCount() == 7

    # normalize phones (scans in a worker; national numbers too), then undo it
    with qtbot.waitSignal(page.file_ctl.finished, timeout=10000):
        page.tools.normalize_button.click()
    assert page.model.data(plus) == "+442079460958"
    assert page.model.data(plus, BACKGROUND) == SEVERITY_COLORS_EDITED()
    assert page.model.data(page.model.index(1, 0)) == "OK"
    assert page.model.data(view_index(page, 0, 3)) == "+12125550101"
    assert page.undo_action.text() == "Undo Normalize 5 phone numbers"
    page.undo_action.trigger()
    assert page.model.data(plus) == "442079460958"
    assert page.model.data(plus, BACKGROUND) == SEVERITY_COLORS[Severity.WARNING]
    page.redo_action.trigger()
    assert page.model.data(plus) == "+442079460958"

    # edit a cell in the grid (undoable); the row is checked again
    assert page.model.setData(bad, "(212) 555-0109")
    assert page.model.data(page.model.index(page.model.view_row(2), 0)) == "OK"
    page.undo_action.trigger()
    assert page.model.data(bad) == "call me"
    assert page.model.data(bad, BACKGROUND) == SEVERITY_COLORS[Severity.ERROR]
    page.redo_action.trigger()

    # trim (scans in a worker), remove invalid rows, undo the removal
    with qtbot.waitSignal(page.undo_stack.indexChanged, timeout=10000):
        page.tools.trim_button.click()
    qtbot.waitUntil(lambda: not page.file_ctl.is_running, timeout=5000)
    assert page.model.data(view_index(page, 6, 2)) == "Boston"
    page.tools.remove_invalid_button.click()
    assert page.model.rowCount() == 4  # rows 3, 4, 5 removed; row 2 was fixed by the edit
    assert [page.model.file_row(v) for v in range(4)] == [0, 1, 2, 6]
    page.undo_action.trigger()
    assert page.model.rowCount() == 7
    page.redo_action.trigger()

    # export the fixed file (UTF-8, commas) and the error report; the original is untouched
    fixed, report = tmp_path / "fixed.csv", tmp_path / "report.csv"
    targets = iter([fixed, report])
    monkeypatch.setattr(
        PreviewPage, "ask_save_path", classmethod(lambda cls, parent, title, suggested: next(targets))
    )
    with qtbot.waitSignal(page.export_done, timeout=10000):
        page.tools.export_button.click()
    qtbot.waitUntil(lambda: not page.file_ctl.is_running, timeout=5000)
    rows = list(csv.reader(fixed.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["ContactId", "firstname", "City", "Phone"]
    assert rows[1:] == [
        ["A1", "Zoë", "Brûlé", "+12125550101"],
        ["A2", "José", "Boston", "+442079460958"],
        ["A3", "Ann", "Boston", "(212) 555-0109"],
        ["A7", "Li", "Boston", "+14155550107"],
    ]
    assert path.read_bytes() == ("\r\n".join(MESSY_ROWS) + "\r\n").encode("cp1252")
    with qtbot.waitSignal(page.export_done, timeout=10000):
        page.tools.report_button.click()
    lines = list(csv.DictReader(report.read_text(encoding="utf-8").splitlines()))
    found = {(r["line"], r["rule"]) for r in lines}
    assert found >= {("7", "phone.invalid"), ("5", "id.duplicate"), ("6", "row.ragged")}
    assert ("4", "phone.invalid") not in found  # line 4's phone was corrected in the grid


def SEVERITY_COLORS_EDITED() -> Any:
    from console.ui.preview.model import EDITED_COLOR

    return EDITED_COLOR


def test_unreadable_file_is_reported_and_the_open_file_kept(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    good = write_messy(tmp_path / "messy.csv")
    open_checked(page, qtbot, good, list_id)
    page.open_csv(tmp_path / "missing.csv")
    assert "missing.csv" in page.check_bar.summary_label.text()
    assert "does not exist" in page.check_bar.summary_label.text()
    assert page.path == good
    assert page.model.rowCount() == 7
    assert "missing.csv" in page.context.sink.history[-1].explanation + page.context.sink.history[-1].title


def test_a_file_saved_over_while_open_offers_reopen_and_never_shows_stale_rows(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    good = write_messy(tmp_path / "messy.csv")
    open_checked(page, qtbot, good, list_id)
    assert page.model.rowCount() == 7
    assert page.file_bar.reopen_button.isHidden()
    header = good.read_bytes().splitlines()[0]
    good.write_bytes(header + b"\n")  # an editor saves a shorter file over it
    qtbot.waitUntil(lambda: not page.file_bar.reopen_button.isHidden(), timeout=10000)
    assert "changed on disk" in page.file_bar.message.text()
    assert "changed on disk" in page.check_bar.summary_label.text()
    page.model.file_changed("again")  # said once per file
    page.file_bar.reopen_button.click()
    qtbot.waitUntil(lambda: page.file_bar.reopen_button.isHidden(), timeout=10000)
    assert page.model.rowCount() == 0  # the new content, not the old offsets
    assert page.file_bar.chosen_format()[0] is None  # "Auto (cp1252)" is still Auto, not an encoding name


def test_builder_definition_is_a_target(make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    page = make_page()
    page.open_csv(write_messy(tmp_path / "messy.csv"))
    definition = ContactList(
        name="Being built",
        column_names=COLUMNS,
        phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
    )
    page.set_builder_definition(definition)
    assert page.file_bar.list_combo.itemText(0) == "Definition being built: Being built"
    with qtbot.waitSignal(page.validated, timeout=15000):
        page.file_bar.list_combo.setCurrentIndex(0)
        page.file_bar.list_combo.activated.emit(0)
    assert page.checked is not None
    assert page.checked.result.invalid_rows == 4
    assert not page.upload_panel.upload_button.isEnabled()
    assert "list builder" in page.upload_panel.upload_button.toolTip()


def test_screenshots(make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, sandbox: Any) -> None:
    """Grabs the page with findings and during an upload (saved with OUTBOUND_SCREENSHOTS=1)."""
    path = tmp_path / "contacts-march.csv"
    write_big(path, 1200)
    with path.open("ab") as fh:
        fh.write("\r\n".join(MESSY_ROWS[1:]).encode("cp1252") + b"\r\n")
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    page.issue_tree.expandItem(page.issue_tree.topLevelItem(0))
    page.jump_to(49, 3)
    page.view.clearSelection()
    page.view.horizontalHeader().resizeSection(0, 90)
    qtbot.wait(50)
    shot = page.grab()
    assert shot.width() >= 1200
    save = bool(os.environ.get("OUTBOUND_SCREENSHOTS"))
    if save:
        shot.save(str(SCREENSHOTS / "preview-findings.png"))
    sandbox.control(
        {"faults": [{"kind": "delay", "count": 1, "seconds": 1.5, "path": CONTACTS, "method": "POST"}]}
    )
    page.upload_panel.mode_upsert.click()
    progressed: list[Any] = []
    page.upload_progressed.connect(progressed.append)
    page.upload_panel.upload_button.click()
    # pause while the first chunk is held 1.5 s by the sandbox: the job stops after it
    qtbot.waitUntil(lambda: any(p.phase is Phase.SENDING for p in progressed), timeout=30000)
    qtbot.waitUntil(lambda: not sandbox.state.faults, timeout=30000)  # the first chunk's POST is held
    page.upload_panel.pause_button.click()
    qtbot.waitUntil(lambda: progressed[-1].phase is Phase.PAUSED, timeout=30000)
    assert 0 < progressed[-1].rows_done < progressed[-1].rows_total, progressed[-1]
    qtbot.wait(50)
    shot = page.grab()
    if save:
        shot.save(str(SCREENSHOTS / "upload-progress.png"))
    assert "Paused" in page.upload_panel.upload_status.text()
    with qtbot.waitSignal(page.upload_finished, timeout=30000):
        page.upload_panel.pause_button.click()
    assert page.last_outcome is not None
    assert page.last_outcome.result.status is JobStatus.DONE


def test_removing_rows_below_the_scroll_position_paints_only_visible_headers(
    make_page: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a reset that shrinks the grid, the header's stale offset must not make it paint every section."""
    from console.ui.preview.commands import RemoveRowsCommand

    page = open_all_rows(make_page, qtbot, write_long(tmp_path / "many.csv", 5000))
    assert page.model.rowCount() == 5000
    asked: list[int] = []
    line_of: Callable[[int], int | str] = page.model.line_of

    def counting_line_of(row: int) -> int | str:
        asked.append(row)
        return line_of(row)

    monkeypatch.setattr(page.model, "line_of", counting_line_of)
    page.undo_stack.push(RemoveRowsCommand(page.model, list(range(4000, 5000)), "Remove 1000 rows"))
    qtbot.wait(100)
    assert page.model.rowCount() == 4000
    # the header's size hint looks at 200 sections, a paint at the visible ones; not at all 4,000
    assert 0 < len(asked) < 1000, len(asked)


def test_a_rule_lists_its_first_occurrences_and_the_rest_when_expanded(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    path = tmp_path / "bad-phones.csv"
    lines = ["ContactId,FirstName,City,Phone"] + [f"B{i},Name,Boston,call me {i}" for i in range(30)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    tops = [page.issue_tree.topLevelItem(k) for k in range(page.issue_tree.topLevelItemCount())]
    top = next(t for t in tops if t is not None and t.text(1) == "30")
    assert top.childCount() == 20
    page.issue_tree.expandItem(top)
    assert top.childCount() == 30
    assert top.child(29).text(0).startswith("Line 31 ")
    page.issue_tree.collapseItem(top)
    page.issue_tree.expandItem(top)
    assert top.childCount() == 30


def test_painting_the_grid_asks_each_cell_once(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delegate's roles come from one ``multiData`` call per cell, with what ``data`` gives."""
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    page = make_page()
    open_checked(page, qtbot, write_messy(tmp_path / "messy.csv"), list_id)
    model = page.model
    delegate = QStyledItemDelegate()
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            index = model.index(row, col)
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, index)
            assert option.text == (model.data(index) or "")
            background = model.data(index, BACKGROUND)
            if background is not None:
                assert option.backgroundBrush.color() == background
    asked: list[int] = []
    file_row_of: Callable[[Any], int | None] = model._file_row_of

    def counting(index: Any) -> int | None:  # once per data() call and once per multiData() call
        asked.append(index.row())
        return file_row_of(index)

    monkeypatch.setattr(model, "_file_row_of", counting)
    page.view.viewport().repaint()
    cells = model.rowCount() * model.columnCount()
    assert 0 < len(asked) <= cells, (len(asked), cells)


def test_line_numbers_fit_and_long_upload_messages_do_not_squeeze_the_grid(
    make_page: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grid keeps its width when messages arrive (a resized grid repaints every visible cell)."""
    page = open_all_rows(make_page, qtbot, write_long(tmp_path / "many.csv", 12_000))
    page.tabs.setCurrentWidget(page.upload_scroll)
    qtbot.wait(50)
    header = page.view.verticalHeader()
    last = page.model.headerData(page.model.rowCount() - 1, Qt.Orientation.Vertical)
    assert last == "12001"
    assert header.width() >= header.fontMetrics().horizontalAdvance(last)  # the widest number fits
    asked: list[int] = []
    header_data = page.model.headerData

    def counting(section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            asked.append(section)
        return header_data(section, orientation, role)

    monkeypatch.setattr(page.model, "headerData", counting)
    rows = page.model.rowCount()
    page.model.headerDataChanged.emit(Qt.Orientation.Vertical, 0, rows - 1)  # drops a cached hint
    asked.clear()
    header.sizeHint()
    assert len(asked) <= 2, len(asked)  # not the first and last 100 sections, role by role

    width = page.view.width()
    long_words = " ".join(["reconciliation-" + "x" * 60] * 4)
    page.upload_panel.result_label.setText(f"<b>Done</b>: 18,679 sent. {long_words}")
    page.upload_panel.upload_status.setText(long_words)
    page.upload_panel.send_label.setText(long_words)
    qtbot.wait(50)
    assert page.view.width() == width
    assert page.upload_panel.result_label.width() <= page.upload_panel.width()


def test_phone_region_decides_what_is_valid_and_what_is_sent(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, sandbox: Any
) -> None:
    path = tmp_path / "uk.csv"
    path.write_text(
        "ContactId,FirstName,City,Phone\r\n"
        "U1,Ann,London,020 7946 0018\r\n"
        "U2,Bob,Leeds,0113 496 0000\r\n"
        "U3,Cy,Boston,+1 212 555 0123\r\n",
        encoding="utf-8",
    )
    page = make_page()
    open_checked(page, qtbot, path, list_id)
    assert page.phone_region == "US"  # the tests' C locale has no country
    assert page.checked is not None
    assert page.checked.result.invalid_rows == 2
    assert page.model.data(view_index(page, 0, 3), BACKGROUND) == SEVERITY_COLORS[Severity.ERROR]
    combo = page.file_bar.region_combo
    k = combo.findData("GB")
    assert combo.itemText(k) == "GB — United Kingdom"
    with qtbot.waitSignal(page.validated, timeout=30000):
        combo.setCurrentIndex(k)  # what picking it in the list does
        combo.activated.emit(k)
    assert page.checked.result.invalid_rows == 0
    assert page.model.data(view_index(page, 0, 3), BACKGROUND) is None
    with qtbot.waitSignal(page.upload_finished, timeout=30000) as blocker:
        QTest.keyClick(page.view, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].result.sent == 3
    phones = {c["id"]: c["data"]["Phone"] for c in list_contents(sandbox, list_id)}
    assert phones == {"U1": "+442079460018", "U2": "+441134960000", "U3": "+12125550123"}


def test_stop_checking_keeps_the_rows_checked_so_far(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    path = write_long(tmp_path / "long.csv", 400_000)
    page = make_page()
    page.open_csv(path)
    progress, validated = watch_check(page)
    page.select_list(list_id)
    qtbot.waitUntil(lambda: bool(progress), timeout=30000)
    assert page.check_bar.validate_cancel.isVisible()
    qtbot.mouseClick(page.check_bar.validate_cancel, Qt.MouseButton.LeftButton)
    assert "Stopping" in page.check_bar.summary_label.text()
    qtbot.waitUntil(lambda: bool(validated) and not page.validate_ctl.is_running, timeout=30000)
    checked = validated[0]
    r = checked.result
    assert r.cancelled
    assert 0 < r.rows_done < 400_000
    assert r.invalid_rows == r.rows_done // 50  # what was checked is complete
    assert f"<b>{r.rows_done:,}</b> of " in page.check_bar.summary_label.text()
    assert "check stopped" in page.check_bar.summary_label.text()
    assert not page.check_bar.validate_cancel.isVisible()
    last_checked = r.rows_done - 1
    assert page.model.data(page.model.index(49, 0)) == "Error"  # row 49: bad phone, checked
    while page.model.rowCount() <= r.rows_done:
        page.model.fetchMore(QModelIndex())
    assert page.model.data(page.model.index(last_checked, 0)) in ("OK", "Error")
    assert page.model.data(page.model.index(r.rows_done, 0)) == "…"  # not checked


def test_choosing_another_list_mid_check_checks_again_and_shows_only_that(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str, api: GenesysClient
) -> None:
    no_phones = api.create_contact_list(  # its only contact column is an e-mail column the file lacks
        ContactList(
            name=f"no phones {time.monotonic_ns()}",
            column_names=[*COLUMNS, "Email"],
            email_columns=[EmailColumn(column_name="Email", type="work")],
        )
    )
    assert no_phones.id
    path = write_long(tmp_path / "long.csv", 300_000)
    page = make_page()
    page.load_lists()
    qtbot.waitUntil(lambda: page.file_bar.list_combo.findData(no_phones.id) >= 0, timeout=15000)
    page.open_csv(path)
    progress, validated = watch_check(page)
    page.select_list(list_id)
    qtbot.waitUntil(lambda: bool(progress), timeout=30000)
    page.select_list(no_phones.id)  # while the first check runs
    qtbot.waitUntil(lambda: bool(validated) and not page.validate_ctl.is_running, timeout=60000)
    assert len(validated) == 1  # the abandoned check never reached the page
    r = validated[0].result
    assert not r.cancelled
    assert r.row_count == 300_000
    assert r.invalid_rows == 0  # the second list checks no phone: the bad ones pass
    assert "header.missing_column" in validated[0].counts
    assert page.checked is validated[0]


def test_reloading_lists_while_they_load_shows_the_newest(
    make_page: Any, qtbot: Any, api: GenesysClient
) -> None:
    page = make_page()
    page.load_lists()
    assert page.lists_ctl.is_running
    created = api.create_contact_list(
        ContactList(
            name=f"made while loading {time.monotonic_ns()}",
            column_names=COLUMNS,
            phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
        )
    )
    page.file_bar.reload_lists_button.click()  # while the first load runs: it is dropped and loaded again
    qtbot.waitUntil(lambda: page.file_bar.list_combo.findData(created.id) >= 0, timeout=15000)
    qtbot.waitUntil(lambda: not page.lists_ctl.is_running, timeout=15000)
    assert page.file_bar.list_combo.findData(created.id) >= 0


def test_one_validation_child_serves_every_check_and_is_replaced_when_killed(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    import os
    import signal

    page = make_page()
    service = page.validation_service
    pid = service.pid
    assert pid is not None  # started when the page was first shown
    path = write_long(tmp_path / "small.csv", 1000)
    open_checked(page, qtbot, path, list_id)
    assert page.checked is not None
    assert page.checked.result.invalid_rows == 20
    with qtbot.waitSignal(page.validated, timeout=30000):
        page.set_phone_region("GB")  # a second check: same child
    assert service.pid == pid
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not page.validate_ctl.is_running, timeout=5000)
    with qtbot.waitSignal(page.validated, timeout=30000):
        page.set_phone_region("US")  # the dead child is replaced
    assert service.pid not in (None, pid)
    assert page.checked.result.invalid_rows == 20
    new_pid = service.pid
    close_page(page)
    assert service.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(new_pid, 0)  # ended and reaped with the page
