"""The engine as the command line and the window run it finds exactly what the reference path finds.

A 20,000-row file made by the benchmark's generator (``benchmarks/generate.py``: about 2 % bad
values, quoted commas and newlines, duplicate and empty ids, ragged rows) is checked three ways:
the reference path (every record parsed by ``csv``, one process, one batch), the default path
(row scanner, worker processes, 10,000-row batches) and the window's (the same, with the phone
repairs). Every finding, row status and message must agree; the 1,000,000-row benchmark
(``benchmarks/validate_bench.py``) prints its counts per rule for the same comparison at scale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from console.api.models import ContactList
from console.contacts.phones import PhoneRules
from console.contacts.reader import open_csv
from console.contacts.rules import TRIM_CHARS
from console.contacts.validate import ValidationOptions, validate

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.generate import HEADER, definition, quote, row

ROWS = 20_000


def _write(path: Path) -> None:
    import random

    rng = random.Random(20)
    lines = [",".join(HEADER)] + [",".join(map(quote, row(rng, i))) for i in range(ROWS)]
    path.write_text("\r\n".join(lines) + "\r\n\r\n", encoding="utf-8", newline="")  # and a blank line


def _findings(result: object) -> list[tuple[int, int, str]]:
    return list(result.iter_codes())  # type: ignore[attr-defined]


def test_default_and_window_paths_find_what_the_reference_finds(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    _write(path)
    lst = ContactList.model_validate(definition())
    with open_csv(path) as source:
        reference = validate(
            source, lst, options=ValidationOptions(processes=1, scan=False, batch_rows=ROWS + 10)
        )
        default = validate(source, lst, options=ValidationOptions(processes=2))
        window = validate(source, lst, options=ValidationOptions(processes=2, phone_repairs=True))
        assert reference.invalid_rows > 300
        assert reference.counts_by_rule()["id.duplicate"] > 10
        for other in (default, window):
            assert _findings(other) == _findings(reference)
            assert [other.row_status(i) for i in range(ROWS + 1)] == [
                reference.row_status(i) for i in range(ROWS + 1)
            ]
            assert (other.valid_rows, other.invalid_rows, other.blank_rows) == (
                reference.valid_rows,
                reference.invalid_rows,
                1,
            )
            assert [i.message for i in other.iter_issues()][:2000] == [
                i.message for i in reference.iter_issues()
            ][:2000]
        # the window's repairs: the E.164 of each flagged phone cell, as reading it again gives
        rules = PhoneRules("US")
        expected = []
        for r, c, code in reference.iter_codes():
            if code.startswith("phone."):
                raw = source.record(r)[c]
                e164 = rules.e164(raw.strip(TRIM_CHARS))
                if e164 and e164 != raw:
                    expected.append((r, c, e164))
        assert window.phone_fixes == expected
        assert len(expected) > 100
