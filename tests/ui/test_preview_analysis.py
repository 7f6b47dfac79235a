"""The preview's Qt-free helpers: the overlay's snapshot and the file as shown."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest

from console.contacts.reader import open_csv
from console.ui.preview.analysis import WRITE_BATCH, Overlay, write_shown_csv

ROWS = 2 * WRITE_BATCH + 37


@pytest.fixture
def source_path(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    lines = ["Id,Name"] + [f"{i},n{i}" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("removed", "rows"),
    [
        ([], ROWS),
        ([0, 1, 2], ROWS),
        ([5, 6, 7, 9, WRITE_BATCH, WRITE_BATCH + 1, ROWS - 1], ROWS),
        (list(range(10, ROWS)), ROWS),
        (list(range(ROWS)), ROWS),
        ([3, 4, ROWS - 5], ROWS - 10),
        ([1], ROWS + 50),  # more rows asked than the file has
    ],
)
def test_shown_file_leaves_out_removed_rows_and_applies_edits(
    source_path: Path, tmp_path: Path, removed: list[int], rows: int
) -> None:
    overlay = Overlay()
    overlay.remove(removed)
    edits = {2: ["2", "edited two"], WRITE_BATCH + 3: ["x", "edited"], ROWS - 2: ["last", "edited last"]}
    for row, record in edits.items():
        overlay.edits[row] = record
    snapshot = overlay.snapshot()
    overlay.remove([8])  # later changes on the page do not reach the snapshot
    overlay.edits[4] = ["changed", "later"]
    out = tmp_path / "shown.csv"
    progress: list[object] = []
    with open_csv(source_path) as source:
        row_map = write_shown_csv(
            source, snapshot, out, rows=rows, cancel=threading.Event(), progress=progress.append
        )
    expected = [r for r in range(min(rows, ROWS)) if r not in set(removed)]
    assert list(row_map) == expected
    with out.open(encoding="utf-8", newline="") as fh:
        written = list(csv.reader(fh))
    assert written[0] == ["Id", "Name"]
    assert written[1:] == [edits.get(r, [str(r), f"n{r}"]) for r in expected]
    assert progress[-1] == (rows, rows)


def test_kept_runs() -> None:
    overlay = Overlay()
    overlay.remove([0, 3, 4, 9])
    assert list(overlay.kept_runs(12)) == [(1, 3), (5, 9), (10, 12)]
    assert list(overlay.kept_runs(4)) == [(1, 3)]
    overlay.restore([0, 3, 4, 9])
    assert list(overlay.kept_runs(3)) == [(0, 3)]


def test_phone_repairs_in_worker_processes_match_the_inline_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.api.models import ContactList, ContactPhoneNumberColumn
    from console.ui.preview import analysis

    phones = ["(212) 555-0101", "442079460958", "call me", "212.555.0199 ", "555-0106", "+1 415 555 0107"]
    path = tmp_path / "phones.csv"
    lines = ["Id,Phone"] + [f"{i},{phones[i % len(phones)]}" for i in range(60)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    definition = ContactList(
        name="phones",
        column_names=["Id", "Phone"],
        phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
    )

    def fixes() -> list[tuple[int, int, str]]:
        with open_csv(path) as source:
            checked = analysis.run_validation(
                source, definition, None, "Id", "US", cancel=threading.Event(), progress=lambda _: None
            )
        return checked.phone_fixes

    inline = fixes()
    assert inline  # the file has repairable numbers
    monkeypatch.setattr(analysis, "PARALLEL_REPAIRS", 1)
    assert fixes() == inline


def test_phone_values_are_read_as_the_records_are(tmp_path: Path) -> None:
    """Quoted fields, a newline inside quotes, a BOM and a ragged row: the values match ``records``."""
    from console.ui.preview.analysis import _cell_values

    path = tmp_path / "quoted.csv"
    rows = [
        "Id,Note,Phone",
        '1,"a, b","(212) 555-0101"',
        '2,"two\nlines",442079460958',
        "3,x",
        '4,"q ""x""",+1 415',
    ]
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    with open_csv(path) as source:
        cells = [(0, 2), (1, 2), (2, 2), (3, 1), (3, 2)]
        got = _cell_values(source, cells, threading.Event())
        records = source.records(0, 4)
    assert got == [(i, c, records[i][c]) for i, c in cells if c < len(records[i])]
    assert [v for _, _, v in got] == ["(212) 555-0101", "442079460958", 'q "x"', "+1 415"]
