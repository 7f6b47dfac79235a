"""Table-driven rule tests through validate(), header mapping, result, fixes and the CLI."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from console.api.models import ContactList
from console.cli import main
from console.contacts.fixes import neutralize, write_error_report, write_fixed
from console.contacts.reader import open_csv
from console.contacts.result import Severity
from console.contacts.rules import build_plan, map_header
from console.contacts.validate import ValidationOptions, validate

DEFINITION = {
    "name": "t",
    "columnNames": ["ContactId", "Mobile", "Email", "Zip", "Score", "Seen", "Born", "Note", "Tz"],
    "phoneColumns": [{"columnName": "Mobile", "type": "cell", "callableTimeColumn": "Tz"}],
    "emailColumns": [{"columnName": "Email", "type": "work"}],
    "automaticTimeZoneMapping": True,
    "zipCodeColumnName": "Zip",
    "columnDataTypeSpecifications": [
        {"columnName": "Score", "columnDataType": "NUMERIC", "min": 0, "max": 100},
        {"columnName": "Seen", "columnDataType": "TIMESTAMP"},
        {"columnName": "Born", "columnDataType": "DATETIME"},
        {"columnName": "Note", "columnDataType": "TEXT", "maxLength": 10},
    ],
}
HEADER = DEFINITION["columnNames"]
GOOD = {
    "ContactId": "1",
    "Mobile": "(201) 555-0123",
    "Email": "a@example.com",
    "Zip": "02134",
    "Score": "50",
    "Seen": "2024-05-31T14:30:00Z",
    "Born": "1890-01-01",
    "Note": "hi",
    "Tz": "America/New_York",
}


_OPEN: list[object] = []


@pytest.fixture(autouse=True)
def _close_sources():
    yield
    while _OPEN:
        _OPEN.pop().close()  # type: ignore[attr-defined]


def _run(
    tmp_path: Path,
    rows: list[dict[str, str]],
    definition: dict[str, object] | None = None,
    header: list[str] | None = None,
    **opts: object,
):
    p = tmp_path / "in.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header or HEADER)
        for r in rows:
            w.writerow([r.get(h, "") for h in (header or HEADER)])
    src = open_csv(p)
    _OPEN.append(src)
    d = ContactList.model_validate(definition or DEFINITION)
    return src, validate(src, d, options=ValidationOptions(**opts))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("Mobile", "(201) 555-0123", None),
        ("Mobile", "+44 20 7946 0958", None),
        ("Mobile", "555-1234", "phone.invalid"),
        ("Mobile", "2.01555E+09", "phone.excel_scientific"),
        ("Mobile", "442079460958", "phone.missing_plus"),
        ("Mobile", "", None),
        ("Email", "bob@", "email.invalid"),
        ("Email", "bob at example.com", "email.invalid"),
        ("Email", "zoë@exämple.de", None),
        ("Zip", "2134", "zip.invalid"),
        ("Zip", "02134-1234", None),
        ("Score", "abc", "numeric.invalid"),
        ("Score", "101", "numeric.out_of_range"),
        ("Score", "-1", "numeric.out_of_range"),
        ("Score", "99.5", None),
        ("Seen", "2024-02-30", "datetime.invalid"),
        ("Seen", "2024-02-29", None),
        ("Seen", "2023-02-29", "datetime.invalid"),
        ("Seen", "31/12/2020", "datetime.invalid"),
        ("Seen", "2040-01-01T00:00:00Z", "datetime.out_of_range"),
        ("Seen", "1969-12-31", "datetime.out_of_range"),
        ("Born", "1890-01-01T10:00", None),
        ("Note", "x" * 11, "text.too_long"),
        ("Note", "y" * 600, "value.too_long"),
        ("Tz", "Mars/Olympus", "timezone.invalid"),
        ("Tz", "Europe/London", None),
        ("ContactId", "", "id.missing"),
        ("Mobile", "  (201) 555-0123  ", None),  # trimmed like the platform
    ],
)
def test_cell_rules(tmp_path: Path, column: str, value: str, code: str | None) -> None:
    _, res = _run(tmp_path, [GOOD, {**GOOD, "ContactId": "2", column: value}], id_column="ContactId")
    assert res.codes_for_row(0) == []
    got = [c for _, c in res.codes_for_row(1) if c != "text.too_long" or code == "text.too_long"]
    assert got == ([code] if code else [])
    if code:
        issue = res.issues_for_row(1)[-1]
        assert issue.line == 3
        assert issue.column == column
        assert issue.severity is Severity(res.row_status(1)) or issue.severity <= res.row_status(1)
        if value.strip():
            assert repr(value.strip()[:20])[:10] in issue.message or column in issue.message
        assert issue.suggested_fix


def test_whitespace_kept_when_trim_is_off(tmp_path: Path) -> None:
    d = {**DEFINITION, "trimWhitespace": False}
    _, res = _run(tmp_path, [{**GOOD, "Note": " hi"}], definition=d)
    assert ("value.whitespace") in [c for _, c in res.codes_for_row(0)]


def test_duplicate_ids_ragged_and_blank_rows(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    good = ",".join(GOOD[h] for h in HEADER)
    p.write_text(
        ",".join(HEADER) + "\n" + good + "\n" + good.replace("1,", "2,", 1) + "\n1,x\n\n" + good + "\n"
    )
    src = open_csv(p)
    _OPEN.append(src)
    res = validate(
        src, ContactList.model_validate(DEFINITION), options=ValidationOptions(id_column="ContactId")
    )
    assert res.codes_for_row(2) == [(-1, "row.ragged")]
    assert res.codes_for_row(3) == [(-1, "row.blank")]
    assert res.codes_for_row(4) == [(0, "id.duplicate")]
    assert res.invalid_rows == 2
    assert res.counts_by_rule() == {"row.ragged": 1, "row.blank": 1, "id.duplicate": 1}


@pytest.mark.parametrize(
    ("header", "codes"),
    [
        (["ContactId", "Mobile"], []),
        (["contactid", "MOBILE"], ["header.case_mismatch", "header.case_mismatch"]),
        (["Contact Id", "Mobile"], ["header.spacing_mismatch"]),
        (["ContactId"], ["header.missing_column"]),
        (["ContactId", "Mobile", "Extra"], ["header.extra_column"]),
        (["ContactId", "Mobile", "mobile"], ["header.duplicate", "header.extra_column"]),
        (["ContactId", "Mobile", ""], ["header.blank"]),
    ],
)
def test_header_mapping(header: list[str], codes: list[str]) -> None:
    m = map_header(header, ["ContactId", "Mobile"])
    assert sorted(i.code for i in m.issues) == sorted(codes)
    assert all(i.row == -1 for i in m.issues)


def test_explicit_mapping_wins() -> None:
    m = map_header(["Phone", "Id"], ["ContactId", "Mobile"], explicit={"Mobile": "Phone", "ContactId": 1})
    assert m.columns == {"Mobile": 0, "ContactId": 1}
    assert m.issues == []


def test_parallel_equals_sequential_with_progress_and_cancel(tmp_path: Path) -> None:
    rows = [
        {**GOOD, "ContactId": str(i), "Mobile": "555-1234" if i % 50 == 0 else GOOD["Mobile"]}
        for i in range(3000)
    ]
    src, seq = _run(tmp_path, rows, processes=1, batch_rows=500, id_column="ContactId")
    seen: list[tuple[int, int]] = []
    par = validate(
        src,
        ContactList.model_validate(DEFINITION),
        options=ValidationOptions(processes=2, batch_rows=500, id_column="ContactId"),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [seq.codes_for_row(i) for i in range(3000)] == [par.codes_for_row(i) for i in range(3000)]
    assert par.counts_by_rule() == {"phone.invalid": 60}
    assert seen[-1][0] == 3000
    cancel = threading.Event()
    cancel.set()
    part = validate(
        src,
        ContactList.model_validate(DEFINITION),
        options=ValidationOptions(processes=1, batch_rows=500),
        cancel=cancel,
    )
    assert part.cancelled
    assert part.rows_done == 0


def test_fixed_file_and_error_report(tmp_path: Path) -> None:
    rows = [
        GOOD,
        {**GOOD, "ContactId": "2", "Mobile": "442079460958", "Email": "=1+1@x"},
        {**GOOD, "ContactId": "3", "Mobile": "555-1234"},
    ]
    src, res = _run(tmp_path, rows, id_column="ContactId")
    d = ContactList.model_validate(DEFINITION)
    m = map_header(src.header, d.column_names)
    plan = build_plan(d, src.header, m, id_column="ContactId")
    out = tmp_path / "fixed.csv"
    assert write_fixed(src, res, plan, d.column_names, m.columns, out) == 2
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    fixed = list(csv.reader(raw.decode("utf-8").splitlines()))
    assert fixed[0] == HEADER
    assert [r[1] for r in fixed[1:]] == ["+12015550123", "+442079460958"]
    report = tmp_path / "report.csv"
    n = write_error_report(res, src, report)
    assert n == res.issue_count == 3
    cells = [c for r in csv.reader(report.read_text(encoding="utf-8").splitlines()) for c in r]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert neutralize("=1+1") == "'=1+1"
    assert neutralize("plain") == "plain"


def test_cli_exit_codes_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "list.json"
    d.write_text(json.dumps(DEFINITION))
    clean = tmp_path / "clean.csv"
    clean.write_text(",".join(HEADER) + "\n" + ",".join(GOOD[h] for h in HEADER) + "\n")
    assert main(["validate", str(clean), "--definition", str(d)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("rows=1 valid=1 invalid=0 issues=0 seconds=")

    bad = tmp_path / "bad.csv"
    bad.write_text(
        ",".join(HEADER) + "\n" + ",".join(GOOD[h] for h in HEADER).replace("(201) 555-0123", "123") + "\n"
    )
    assert main(["validate", str(bad), "--definition", str(d), "--json"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    payload = json.loads(out[0])
    assert payload["counts_by_rule"] == {"phone.invalid": 1}
    assert out[-1].startswith("rows=1 valid=0 invalid=1 issues=1 ")

    assert main(["validate", str(tmp_path / "nope.csv"), "--definition", str(d)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "nope.csv does not exist" in err
    (tmp_path / "broken.json").write_text("{")
    assert main(["validate", str(clean), "--definition", str(tmp_path / "broken.json")]) == 2
    assert "is not JSON" in capsys.readouterr().err
    assert main(["validate", str(clean), "--definition", str(d), "--region", "XX"]) == 2
    assert "--region 'XX'" in capsys.readouterr().err


def test_result_crosses_a_process_boundary_and_explains_again(tmp_path: Path) -> None:
    import pickle

    from console.contacts.validate import attach_source

    src, res = _run(tmp_path, [GOOD, {**GOOD, "ContactId": "2", "Mobile": "12015550123", "Score": "101"}])
    blob = pickle.dumps(res)
    copy = pickle.loads(blob)
    assert copy.source is None
    assert copy.codes_for_row(1) == res.codes_for_row(1)
    with pytest.raises(RuntimeError, match="attach"):
        copy.issues_for_row(1)
    mapping = map_header(src.header, ContactList.model_validate(DEFINITION).column_names)
    plan = build_plan(ContactList.model_validate(DEFINITION), src.header, mapping)
    with open_csv(src.path) as here:
        attach_source(copy, here, plan, mapping.columns)
        assert [i.message for i in copy.issues_for_row(1)] == [i.message for i in res.issues_for_row(1)]
        assert copy.fixed_record(1) == res.fixed_record(1)


def test_a_reading_problem_far_into_the_file_is_reported(tmp_path: Path) -> None:
    """The index grows while the check runs: what it finds late (here an unterminated quote) still counts."""
    p = tmp_path / "late.csv"
    good = ",".join(GOOD[h] for h in HEADER)
    rows = [good.replace("1,", f"{k},", 1) for k in range(2, 12_000)]
    p.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + '\n99,"never closed\n', encoding="utf-8")
    assert p.stat().st_size > 1_000_000  # far past the first chunk the reader indexes
    src = open_csv(p)
    _OPEN.append(src)
    assert not src.index_complete
    res = validate(src, ContactList.model_validate(DEFINITION))
    assert res.counts_by_rule().get("csv.unterminated_quote") == 1
