"""The preview's dialing windows (issue 18): the "Dial window" column, the short-window finding, the tab."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer

from console.api import GenesysClient
from console.api.models import ContactList, ContactPhoneNumberColumn
from console.contacts.dialing import NOT_APPLICABLE, SHORT_RULE
from console.contacts.result import Severity
from console.ui.preview.checking import Checked
from console.ui.preview.model import DEFAULT_WINDOW_COLOR, DIAL_HEADER, SEVERITY_COLORS
from tests.ui import preview_support
from tests.ui.preview_support import BACKGROUND, DISPLAY, TOOLTIP, open_checked

api = preview_support.api
list_id = preview_support.list_id
make_page = preview_support.make_page

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

COLUMNS = ["ContactId", "Phone", "Home", "Zip"]
ROWS = [
    ["D0", "(212) 234-5678", "", ""],  # Eastern: 08:00-21:00 Eastern
    ["D1", "+1 312 234 5678", "(212) 234-5678", ""],  # Central + Eastern: 09:00-21:00 Eastern
    ["D2", "call me", "", ""],  # no phone maps: default window
    ["D3", "(212) 234-5678", "", "96910"],  # Eastern + Guam: no common hour (the finding)
    ["D4", "(312) 234-5678", "", "00000"],  # invalid ZIP: default window
    ["D5", "(312) 234-5678", "", "60601"],  # Central phone + Central ZIP
]
DASH = "\u2013"


@pytest.fixture
def atzm_list_id(api: GenesysClient) -> str:
    created = api.create_contact_list(
        ContactList(
            name=f"dialing test list {time.monotonic_ns()}",
            column_names=COLUMNS,
            phone_columns=[
                ContactPhoneNumberColumn(column_name="Phone", type="cell"),
                ContactPhoneNumberColumn(column_name="Home", type="home"),
            ],
            automatic_time_zone_mapping=True,
            zip_code_column_name="Zip",
        )
    )
    assert created.id
    return created.id


def _write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [COLUMNS, *rows]) + "\n", encoding="utf-8")
    return path


def test_dial_window_column_finding_and_dialing_tab(
    make_page: Any, qtbot: Any, qtmodeltester: Any, tmp_path: Path, atzm_list_id: str
) -> None:
    page = make_page()
    open_checked(page, qtbot, _write(tmp_path / "d.csv", ROWS), atzm_list_id)
    model = page.model
    qtmodeltester.check(model, force_py=True)
    dial = model.dial_column
    assert dial == 1 + len(COLUMNS) == model.columnCount() - 1
    assert model.headerData(dial, Qt.Orientation.Horizontal) == DIAL_HEADER

    def cell(row: int, role: Any = DISPLAY) -> Any:
        return model.data(model.index(row, dial), role)

    assert [cell(r) for r in range(len(ROWS))] == [
        f"08:00{DASH}21:00 Eastern",
        f"09:00{DASH}21:00 Eastern",
        f"default 14:00{DASH}20:00 ET",
        "no common hour (Eastern, Pacific/Guam)",
        f"default 14:00{DASH}20:00 ET",
        f"08:00{DASH}21:00 Central",
    ]
    assert cell(2, BACKGROUND) == DEFAULT_WINDOW_COLOR  # amber: the default window
    assert cell(4, BACKGROUND) == DEFAULT_WINDOW_COLOR
    assert cell(0, BACKGROUND) is None
    assert cell(3, BACKGROUND) == SEVERITY_COLORS[Severity.WARNING]
    assert "no phone maps" in cell(2, TOOLTIP)
    assert not model.flags(model.index(0, dial)) & Qt.ItemFlag.ItemIsEditable

    # the short window is a finding: the findings tree, the row's status and tooltip, F8
    tops = [page.issue_tree.topLevelItem(k) for k in range(page.issue_tree.topLevelItemCount())]
    short = [t for t in tops if t is not None and t.data(0, Qt.ItemDataRole.UserRole) == SHORT_RULE]
    assert len(short) == 1
    assert short[0].text(1) == "1"
    assert short[0].childCount() == 1
    assert page.issue_tree.target(short[0]) == (3, -1)
    status = model.index(3, 0)
    assert model.data(status) == "Warning"
    assert "can be dialled no hour at all" in model.data(status, TOOLTIP)
    assert model.data(model.index(0, 0)) == "OK"
    checked = page.checked
    assert isinstance(checked, Checked)
    assert 3 in checked.flagged

    # the Dialing tab: bars per zone, the default window and why, callable at a picked time
    panel = page.dialing_panel
    page.tabs.setCurrentWidget(panel)
    assert panel.chart.isVisible()
    assert panel.chart.bars == [("Eastern", 3), ("Central", 2), ("Pacific/Guam", 1), ("Default window", 2)]
    rects = panel.chart.bar_rects()
    assert rects[1].width() == pytest.approx(rects[0].width() * 2 / 3)
    image = panel.chart.grab().toImage()
    middle = rects[0].center()
    assert image.pixelColor(int(middle.x()), int(middle.y())).name() == "#1a73e8"  # a drawn bar
    assert "2 contacts fall to the default window" in panel.default_label.text()
    assert "no phone maps 1" in panel.default_label.text()
    assert "invalid ZIP 1" in panel.default_label.text()
    assert "documented platform default" not in panel.settings_label.text()  # the sandbox's settings

    panel.set_at(datetime(2026, 1, 15, 17, 0, tzinfo=UTC))  # 12:00 Eastern
    assert panel.callable_count() == 3
    assert panel.callable_label.text().startswith("3 of 6 contacts callable at")
    panel.set_at(datetime(2026, 1, 15, 20, 0, tzinfo=UTC))  # 15:00 Eastern: the default window is open
    assert panel.callable_count() == 5
    assert panel.callable_label.text().startswith("5 of 6")
    panel.set_at(datetime(2026, 1, 16, 3, 0, tzinfo=UTC))  # 22:00 Eastern, 21:00 Central
    assert panel.callable_label.text().startswith("0 of 6")


def test_a_list_without_automatic_mapping_says_why_there_are_no_windows(
    make_page: Any, qtbot: Any, tmp_path: Path, list_id: str
) -> None:
    page = make_page()
    path = tmp_path / "plain.csv"
    path.write_text("ContactId,FirstName,City,Phone\nP1,Ann,Boston,(212) 234-5678\n", encoding="utf-8")
    open_checked(page, qtbot, path, list_id)
    assert page.model.dial_column is None
    assert page.model.columnCount() == 5
    panel = page.dialing_panel
    assert panel.note.text() == NOT_APPLICABLE
    assert panel.chart.bars == []
    assert panel.chart.isHidden()


def test_the_child_sends_compact_windows_without_stalling_the_ui(
    make_page: Any, qtbot: Any, tmp_path: Path, atzm_list_id: str
) -> None:
    """30,000 rows: the windows come back as one array index per row; a 5 ms heartbeat keeps beating."""
    n = 30_000
    rows = [[f"C{i:06d}", *ROWS[i % len(ROWS)][1:]] for i in range(n)]
    path = _write(tmp_path / "big.csv", rows)
    page = make_page()
    page.open_csv(path)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    with qtbot.waitSignal(page.validated, timeout=60000) as blocker:
        page.select_list(atzm_list_id)
    qtbot.wait(50)  # the result is shown (model, tree, panel) after the signal's slots ran
    timer.stop()
    checked = blocker.args[0]
    assert isinstance(checked, Checked)
    dialing = checked.dialing
    assert dialing is not None
    assert dialing.row_window.typecode == "I"
    assert len(dialing.row_window) == n
    assert len(dialing.windows) == 6  # distinct windows, not one object per row
    assert dialing._counts is not None  # rows per window counted in the child, not on the UI thread
    assert page.dialing_panel.chart.bars[0] == ("Eastern", 3 * n // 6)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    # the check (and the windows) run in the child; the shared CI machine is slow, not the UI
    assert max(gaps) < 0.5, f"UI thread stalled {max(gaps) * 1000:.0f} ms"
    dial = page.model.dial_column
    assert dial is not None
    assert page.model.data(page.model.index(3, dial)) == "no common hour (Eastern, Pacific/Guam)"


def test_the_orgs_settings_move_the_default_window(
    make_page: Any, qtbot: Any, tmp_path: Path, atzm_list_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings that differ from the default check the file again with them (in the child)."""
    from console.contacts.dialing import DialingSettings
    from console.ui.preview import dialing_panel

    page = make_page()
    open_checked(page, qtbot, _write(tmp_path / "d.csv", ROWS), atzm_list_id)
    custom = DialingSettings(default_start=10 * 60, default_end=12 * 60, default_zone="America/Chicago")

    def fetch(api: GenesysClient, **_: Any) -> DialingSettings:
        api.close()
        return custom

    monkeypatch.setattr(dialing_panel, "fetch_dialing_settings", fetch)
    with qtbot.waitSignal(page.validated, timeout=30000):
        page.dialing_panel.follow_profile(page.context.session)
    dial = page.model.dial_column
    assert dial is not None
    assert page.model.data(page.model.index(2, dial)) == f"default 10:00{DASH}12:00 CT"
    assert "America/Chicago (the org's outbound settings)" in page.dialing_panel.settings_label.text()


def test_unreadable_settings_keep_the_documented_default_quietly(
    make_page: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.ui.preview import dialing_panel

    page = make_page()
    reported: list[object] = []
    page.context.sink.reported.connect(reported.append)

    def fetch(api: GenesysClient, **_: Any) -> None:
        api.close()
        raise PermissionError("outbound:settings:view missing")

    monkeypatch.setattr(dialing_panel, "fetch_dialing_settings", fetch)
    page.dialing_panel.follow_profile(page.context.session)
    qtbot.waitUntil(lambda: "could not be read" in page.dialing_panel.settings_label.text(), timeout=10000)
    assert "outbound:settings:view missing" in page.dialing_panel.settings_label.text()
    assert reported == []
