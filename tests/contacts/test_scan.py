"""The row scanner (validate's fast path) finds exactly what parsing every record finds."""

from __future__ import annotations

import importlib.util
import random
import threading
from pathlib import Path
from types import ModuleType

import pytest

from console.api.models import ContactList
from console.contacts.reader import CsvSource, open_csv
from console.contacts.result import ValidationResult
from console.contacts.rules import build_plan, map_header
from console.contacts.scan import row_scanner
from console.contacts.validate import ValidationOptions, validate


def _generator() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()

# Records the scanner must hand to the full path (or get exactly right on its own).
EDGE_ROWS = [
    'C9000001,"Ann","Lee","(201) 555-0123","+44 20 7946 0958","a@example.com","02134","5","2024-02-29","vip"',
    'C9000002,Ann,Lee,  (201) 555-0123 ,2015550123,a@example.com , 02134,5 ,2024-05-31T14:30:00Z,gold',
    "C9000003,Ann,Lee,201555\x000123,,bad@,0213,1000,2024-02-30,gold",
    "C9000004,Ann,Lee,,,,,,,",
    ",,,,,,,,,",
    "",
    "   ",
    'C9000005,"Ann ""The"" Lee",x,(201) 555-0123,,,,-0,1970-01-01,"a,b"',
    'C9000006,Ann,Lee,(201) 555-0123,,,,1e3,2038-01-19T03:14:07Z,"multi\nline"',
    "C9000007,Ann,Lee,(201) 555-0123,,,,999,2038-01-20,0123456789012345678901",
    "C9000008," + "x" * 600 + ",Lee,(201) 555-0123,,,,1,,",
    'C9000009,An"n,Lee,(201) 555-0123,,,,1,,',
    'C9000010,"Ann"x,Lee,(201) 555-0123,,,,1,,',
    "C9000011,Ann,Lee,(201) 555-0123,,,,1,,gold,extra",
    "C9000012,Ann,Lee,(201) 555-0123,,,,1,,gold\rC9000013,Ann,Lee,,,,,,,",
    "C0000005,Ann,Lee,2.015550123E+09,442079460958,ok@x.io,12345-6789,1000.0,2024-05-31 14:30,",
    "C9000014,Ann,Lee,+1 (201) 555-0123,1-201-555-0123,é@ü.de,١٢٣٤٥,0,2024-05-31T14:30:00+05:30,gold",
    "\tC9000015,Ann,Lee,(201) 555-0123,,,,,,",
    'C9000016," Ann","Lee ",(201) 555-0123,,,,1,,"gold "',
]


def _write(path: Path, rows: int, seed: int, *, delimiter: str = ",", edges: bool = True) -> None:
    rng = random.Random(seed)
    lines = [",".join(GEN.HEADER)]
    for i in range(rows):
        lines.append(",".join(map(GEN.quote, GEN.row(rng, i))))
        if edges and i % 97 == 0:
            lines.append(EDGE_ROWS[(i // 97) % len(EDGE_ROWS)])
    text = "\r\n".join(lines) + "\r\n"
    if delimiter != ",":
        text = text.replace(",", delimiter)  # quoted commas become quoted delimiters: still valid
    path.write_text(text, encoding="utf-8", newline="")


def _findings(res: ValidationResult) -> tuple[object, ...]:
    return (
        res.counts_by_rule(),
        [res.row_status(i) for i in range(res.rows_done)],
        [res.codes_for_row(i) for i in range(res.rows_done)],
    )


def _definition(**changes: object) -> ContactList:
    return ContactList.model_validate({**GEN.definition(), **changes})


def _compare(src: CsvSource, definition: ContactList, **opts: object) -> ValidationResult:
    reference = validate(
        src, definition, options=ValidationOptions(processes=1, scan=False, **opts)  # type: ignore[arg-type]
    )
    fast = validate(src, definition, options=ValidationOptions(processes=1, **opts))  # type: ignore[arg-type]
    assert _findings(fast) == _findings(reference)
    return fast


def test_benchmark_mix_equals_reference(tmp_path: Path) -> None:
    p = tmp_path / "mix.csv"
    _write(p, 20_000, seed=1)
    with open_csv(p) as src:
        res = _compare(src, _definition(), batch_rows=3_000)
        counts = res.counts_by_rule()
        # the file exercises the rules the scanner checks inline, captures or leaves to the full path
        for code in (
            "phone.invalid",
            "phone.excel_scientific",
            "phone.missing_plus",
            "email.invalid",
            "zip.invalid",
            "numeric.invalid",
            "numeric.out_of_range",
            "datetime.invalid",
            "datetime.out_of_range",
            "id.duplicate",
            "id.missing",
            "row.ragged",
            "row.blank",
            "encoding.nul",
            "value.too_long",
            "text.too_long",
        ):
            assert counts.get(code, 0) > 0, code
        # and most records take the fast path
        plan = build_plan(
            _definition(),
            src.header,
            map_header(src.header, GEN.HEADER),
            id_column="ContactId",
        )
        scanner = row_scanner(plan, ",")
        assert scanner is not None
        entries = scanner.pattern.findall(src.raw_range(0, 2_000).decode("utf-8"))
        assert len(entries) == 2_000
        assert sum(1 for e in entries if not e[-1]) > 1_800


def test_parallel_scan_equals_sequential_reference(tmp_path: Path) -> None:
    p = tmp_path / "mix.csv"
    _write(p, 20_000, seed=2)
    with open_csv(p) as src:
        reference = validate(src, _definition(), options=ValidationOptions(processes=1, scan=False))
        fast = validate(src, _definition(), options=ValidationOptions(processes=2, batch_rows=4_000))
        assert _findings(fast) == _findings(reference)
        # from a second thread validate spawns its workers (forking a threaded process is unsafe):
        # they compile the patterns themselves
        spawned: list[ValidationResult] = []
        worker = threading.Thread(
            target=lambda: spawned.append(
                validate(src, _definition(), options=ValidationOptions(processes=2, batch_rows=8_000))
            )
        )
        worker.start()
        worker.join()
        assert _findings(spawned[0]) == _findings(reference)


def test_no_captured_column(tmp_path: Path) -> None:
    p = tmp_path / "mix.csv"
    _write(p, 3_000, seed=6)
    with open_csv(p) as src:
        definition = _definition(phoneColumns=[])
        plan = build_plan(definition, src.header, map_header(src.header, GEN.HEADER))
        scanner = row_scanner(plan, ",")
        assert scanner is not None
        assert scanner.captured == ()
        _compare(src, definition, batch_rows=1_000, id_column=None)


@pytest.mark.parametrize(
    ("delimiter", "changes"),
    [
        (";", {}),
        ("\t", {"trimWhitespace": False}),
        ("|", {}),  # e-mail's local part may hold "|": captured, not inline
        (",", {"trimWhitespace": False}),
        (",", {"columnNames": [c for c in GEN.HEADER if c != "FirstName"]}),  # an unmapped column
        (
            ",",
            {
                "columnDataTypeSpecifications": [
                    {"columnName": "Score", "columnDataType": "NUMERIC"},
                    {"columnName": "LastContacted", "columnDataType": "DATETIME"},
                    {"columnName": "Segment", "columnDataType": "TEXT", "maxLength": 1},
                    {"columnName": "Zip", "columnDataType": "NUMERIC", "min": 5, "max": 99999},
                ],
                "phoneColumns": [{"columnName": "Mobile", "type": "cell", "callableTimeColumn": "Segment"}],
                "emailColumns": [
                    {"columnName": "Email", "type": "work"},
                    {"columnName": "Home", "type": "work"},
                ],
            },
        ),
    ],
)
def test_dialects_and_definitions_equal_reference(
    tmp_path: Path, delimiter: str, changes: dict[str, object]
) -> None:
    p = tmp_path / "mix.csv"
    _write(p, 4_000, seed=3, delimiter=delimiter)
    with open_csv(p) as src:
        assert src.delimiter == delimiter
        _compare(src, _definition(**changes), batch_rows=1_000)
        _compare(src, _definition(**changes), batch_rows=1_000, id_column=None)


def test_quoted_everything_unterminated_quote_and_bad_bytes(tmp_path: Path) -> None:
    rng = random.Random(4)
    lines = [",".join(f'"{h}"' for h in GEN.HEADER)]
    for i in range(3_000):
        lines.append(",".join('"' + v.replace('"', '""') + '"' for v in GEN.row(rng, i)))
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    half = len(data) // 2  # past the encoding sniffer's sample
    data = data[:half] + data[half:].replace(b"Smith", b"Sm\xefth", 3)  # undecodable in UTF-8
    data += b'C1,"Ann,Lee,(201) 555-0123,,,,1,,\r\nC2,Bob,Lee,,,,,,,\r\n'  # unterminated quote
    p = tmp_path / "quoted.csv"
    p.write_bytes(data)
    with open_csv(p) as src:
        res = _compare(src, _definition(), batch_rows=700)
        assert res.counts_by_rule().get("encoding.undecodable", 0) == 3
        assert sum(1 for i in range(res.rows_done) if not res.codes_for_row(i)) > 2_000


def test_windows_1252_file(tmp_path: Path) -> None:
    p = tmp_path / "mix.csv"
    _write(p, 3_000, seed=7)
    p.write_bytes(p.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    with open_csv(p, encoding="cp1252") as src:
        _compare(src, _definition(), batch_rows=1_000)


def test_one_column_file_has_no_scanner(tmp_path: Path) -> None:
    p = tmp_path / "one.csv"
    p.write_text("Mobile\n(201) 555-0123\n\n555-1234\n", encoding="utf-8")
    d = ContactList.model_validate(
        {"name": "t", "columnNames": ["Mobile"], "phoneColumns": [{"columnName": "Mobile", "type": "cell"}]}
    )
    with open_csv(p) as src:
        plan = build_plan(d, src.header, map_header(src.header, d.column_names))
        assert row_scanner(plan, src.delimiter) is None
        assert validate(src, d).counts_by_rule() == {"row.blank": 1, "phone.invalid": 1}


def test_patterns_inlined_without_a_length_guard_are_short() -> None:
    import re._parser  # the widths of the patterns the scanner trusts to stay under 512 characters

    from console.contacts.rules import DATE_FAST, MAX_VALUE_LENGTH, ZIP

    for p in [ZIP, *DATE_FAST.values()]:
        assert re._parser.parse(p.pattern, p.flags).getwidth()[1] <= MAX_VALUE_LENGTH


def test_repeated_id_hashes_kept_batch_by_batch() -> None:
    from array import array
    from collections import Counter

    from console.contacts.validate import _RepeatedHashes

    rng = random.Random(5)
    for _ in range(200):
        batches = [array("I", [rng.randrange(50) for _ in range(rng.randrange(40))]) for _ in range(3)]
        tracker = _RepeatedHashes()
        for b in batches:
            tracker.add(b)
        counts = Counter(h for b in batches for h in b)
        assert tracker.repeated == {h for h, c in counts.items() if c > 1}


def test_repeated_id_hashes_over_the_whole_hash_range() -> None:
    """Hashes spread over 32 bits (some sharing a bucket, some repeated): exactly the repeated ones."""
    from array import array
    from collections import Counter

    from console.contacts.validate import _RepeatedHashes

    rng = random.Random(7)
    values = [rng.randrange(2**32) for _ in range(5000)]
    values += [(v & ~0xFF) | rng.randrange(256) for v in values[:500]]  # same bucket, mostly other hashes
    values += rng.sample(values, 300)  # repeated
    rng.shuffle(values)
    tracker = _RepeatedHashes()
    for k in range(0, len(values), 1000):
        tracker.add(array("I", values[k : k + 1000]))
    counts = Counter(values)
    assert tracker.repeated == {h for h, c in counts.items() if c > 1}
    assert tracker.repeated
