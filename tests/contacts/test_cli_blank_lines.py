"""Blank lines are not contacts (issue 16, fault 10): ``validate`` counts one contact, not three."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DEFINITION = {
    "name": "L",
    "columnNames": ["id", "phone"],
    "phoneColumns": [{"columnName": "phone", "type": "cell"}],
}


def _validate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console.cli", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_one_contact_and_two_blank_lines_is_one_row(tmp_path: Path) -> None:
    definition = tmp_path / "list.json"
    definition.write_text(json.dumps(DEFINITION), encoding="utf-8")
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(b"id,phone\r\n1,+12025550100\r\n\r\n\r\n")

    proc = _validate(contacts, "--definition", definition)
    lines = proc.stdout.strip().splitlines()
    assert lines[-1].startswith("rows=1 valid=1 invalid=0 "), proc.stdout
    assert "2 blank lines skipped (not contacts)" in lines, proc.stdout

    as_json = json.loads(_validate(contacts, "--definition", definition, "--json").stdout.splitlines()[0])
    assert (as_json["rows"], as_json["valid"], as_json["blank_lines"]) == (1, 1, 2)
