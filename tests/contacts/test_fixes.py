"""One implementation of "the fixed value of a cell": RowFixer, the result's fixed_record, write_fixed."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.api.models import ContactList
from console.contacts.fixes import RowFixer, write_fixed
from console.contacts.reader import open_csv
from console.contacts.result import Severity, ValidationResult
from console.contacts.rules import build_plan, map_header
from console.contacts.validate import ValidationOptions, validate

DEFINITION = ContactList.model_validate(
    {
        "name": "t",
        "columnNames": ["ContactId", "Mobile", "Home", "City", "Absent"],
        "phoneColumns": [{"columnName": "Mobile", "type": "cell"}, {"columnName": "Home", "type": "home"}],
    }
)
ROWS = [
    ["ContactId", "mobile", "Home", "City", "Extra"],  # "mobile": a case-insensitive match
    ["1", " (201) 555-0123 ", "2079460958", "  Boston\x00 ", "x"],
    ["2", "442079460958", "2.015550123E+09", "Zürich", "y"],
    ["3", "555-1234", "", "", ""],
    [],
    ["4", "612345678", "+44 20 7946 0958", '"quoted", city', "z"],
]


@pytest.fixture
def validated(tmp_path: Path) -> Iterator[tuple[Path, ValidationResult]]:
    p = tmp_path / "in.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(ROWS)
    src = open_csv(p)
    res = validate(src, DEFINITION, options=ValidationOptions(regions={"Home": "GB"}, id_column="ContactId"))
    yield p, res
    src.close()


def test_fixed_record_trims_removes_nul_and_writes_e164(validated: tuple[Path, ValidationResult]) -> None:
    _, res = validated
    assert res.fixed_record(0) == ["1", "+12015550123", "+442079460958", "Boston", ""]
    assert res.fixed_record(1) == ["2", "+442079460958", "+442015550123", "Zürich", ""]  # GB region
    assert res.fixed_record(2) == ["3", "555-1234", "", "", ""]  # not repairable: left as written
    assert res.fixed_record(3) == ["", "", "", "", ""]  # blank line
    assert res.fixed_record(4) == ["4", "612345678", "+442079460958", '"quoted", city', ""]
    fixer = res.require_fixer()
    assert fixer.column_names == DEFINITION.column_names
    assert fixer.missing == ["Absent"]
    assert [n for n, _ in fixer.present] == ["ContactId", "Mobile", "Home", "City"]


def test_write_fixed_both_signatures_use_the_fixer(
    validated: tuple[Path, ValidationResult], tmp_path: Path
) -> None:
    _, res = validated
    assert res.source is not None
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    written = write_fixed(res.source, res, out=new)
    m = map_header(res.source.header, DEFINITION.column_names)
    plan = build_plan(DEFINITION, res.source.header, m, regions={"Home": "GB"}, id_column="ContactId")
    assert write_fixed(res.source, res, plan, DEFINITION.column_names, m.columns, old) == written
    assert new.read_bytes() == old.read_bytes()
    lines = list(csv.reader(new.read_text(encoding="utf-8").splitlines()))
    kept = [i for i in range(res.rows_done) if res.row_status(i) < Severity.ERROR and i != 3]
    assert lines == [DEFINITION.column_names, *(res.fixed_record(i) for i in kept)]
    with pytest.raises(TypeError):
        write_fixed(res.source, res, plan, out=new)
    with pytest.raises(TypeError):
        write_fixed(res.source, res)


def test_for_source_matches_validate(validated: tuple[Path, ValidationResult]) -> None:
    _, res = validated
    assert res.source is not None
    fixer = RowFixer.for_source(res.source, DEFINITION, regions={"Home": "GB"}, id_column="ContactId")
    for i in range(res.rows_done):
        assert fixer.fixed(res.source.record(i)) == res.fixed_record(i)
    with pytest.raises(ValueError, match="not a column of the list"):
        RowFixer.for_source(res.source, DEFINITION, id_column="Nope")


def test_a_hand_made_result_has_no_fixer() -> None:
    from array import array

    res = ValidationResult(0, array("i"), array("h"), array("B"), bytearray(), [], lambda *a: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="no fixer"):
        res.fixed_record(0)
