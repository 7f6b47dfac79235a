"""The upload job sends the engine's fixed values: the same as the fixed-file export."""

from __future__ import annotations

import csv
from pathlib import Path

from console.api.models import ContactList, ContactPhoneNumberColumn
from console.contacts.fixes import write_fixed
from console.contacts.reader import open_csv
from console.contacts.validate import ValidationOptions, validate
from console.jobs.rows import SourceRows
from tests.jobs.jobs_helpers import COLUMNS, write_csv

DEFINITION = ContactList(
    name="d",
    column_names=COLUMNS,
    phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
)


def test_prepared_rows_equal_fixed_records_and_the_fixed_file(tmp_path: Path) -> None:
    sample = write_csv(tmp_path / "in.csv", 300)
    with open_csv(sample.path) as src:
        res = validate(src, DEFINITION, options=ValidationOptions(id_column="ContactId"))
        rows = SourceRows(src, DEFINITION, id_column="ContactId")
        assert rows.header == COLUMNS
        selection = rows.select(res, all_rows=False, require_id=True)
        prepared = rows.rows(selection.rows)
        assert prepared
        for p in prepared:
            assert [p.data[c] for c in COLUMNS] == res.fixed_record(p.row)
            assert p.source_id == res.fixed_record(p.row)[0]
        out = tmp_path / "fixed.csv"
        write_fixed(src, res, out=out)
        written = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))[1:]
        by_id = {r[0]: r for r in written}
        for p in prepared:
            assert by_id[p.source_id or ""] == [p.data[c] for c in COLUMNS]
        clean = list(csv.reader(rows.clean_csv(selection.rows).decode("utf-8").splitlines()))
        assert clean[1:] == [[p.data[c] for c in COLUMNS] for p in prepared]
