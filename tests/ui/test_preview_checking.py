"""Checking a file for the preview: the finding index and the phone repairs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from console.contacts.reader import open_csv


def test_phone_repairs_in_worker_processes_match_the_inline_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.api.models import ContactList, ContactPhoneNumberColumn
    from console.ui.preview import checking

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
            checked = checking.run_validation(
                source, definition, None, "Id", "US", cancel=threading.Event(), progress=lambda _: None
            )
        return checked.phone_fixes

    inline = fixes()
    assert inline  # the file has repairable numbers
    monkeypatch.setattr(checking, "PARALLEL_REPAIRS", 1)
    assert fixes() == inline


def test_phone_values_are_read_as_the_records_are(tmp_path: Path) -> None:
    """Quoted fields, a newline inside quotes, a BOM and a ragged row: the values match ``records``."""
    from console.ui.preview.checking import _cell_values

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
