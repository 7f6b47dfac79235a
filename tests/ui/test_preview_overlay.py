"""The edit overlay's snapshot and the file as shown."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest

from console.contacts.reader import open_csv
from console.ui.preview.overlay import WRITE_BATCH, Overlay, write_shown_csv

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
