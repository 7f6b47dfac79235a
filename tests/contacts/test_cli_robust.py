"""``outbound-console validate`` with hostile input (issue 21): never destroys, hangs or crashes.

Each case runs the CLI as a subprocess and wants exit 2 with one sentence on stderr (no
traceback), or the right answer where the input is legal (CR-only line endings).
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.contacts.reader import FileChangedError, clean_stale_copies, open_csv, private_temp_dir

DEFINITION = {
    "name": "L",
    "columnNames": ["id", "phone", "n"],
    "phoneColumns": [{"columnName": "phone", "type": "cell"}],
}
pytestmark = pytest.mark.slow  # a subprocess per case

GOOD = b"id,phone,n\r\n" + b"".join(b"%d,+1202555%04d,%d\r\n" % (i, i, i) for i in range(2500))


def _validate(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("COVERAGE_PROCESS_START", None)
    return subprocess.run(
        [sys.executable, "-m", "console.cli", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _unusable(proc: subprocess.CompletedProcess[str], sentence: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert sentence in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr


@pytest.fixture
def definition(tmp_path: Path) -> Path:
    p = tmp_path / "list.json"
    p.write_text(json.dumps(DEFINITION), encoding="utf-8")
    return p


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    p = tmp_path / "contacts.csv"
    p.write_bytes(GOOD)
    return p


# -- 1: an output that is the input ------------------------------------------------------------


@pytest.mark.parametrize("option", ["--fixed", "--report"])
@pytest.mark.parametrize("how", ["same path", "symlink", "hard link", "definition"])
def test_an_output_that_is_an_input_is_refused(
    tmp_path: Path, contacts: Path, definition: Path, option: str, how: str
) -> None:
    target = tmp_path / "out.csv"
    if how == "same path":
        target = contacts
    elif how == "symlink":
        target.symlink_to(contacts)
    elif how == "hard link":
        os.link(contacts, target)
    else:
        target = definition
    before_csv, before_def = contacts.read_bytes(), definition.read_bytes()
    proc = _validate(contacts, "--definition", definition, option, target)
    _unusable(proc, "writing it would destroy the")
    assert contacts.read_bytes() == before_csv
    assert definition.read_bytes() == before_def


def test_outputs_are_written_whole_through_a_temporary_file(
    tmp_path: Path, contacts: Path, definition: Path
) -> None:
    fixed, report = tmp_path / "fixed.csv", tmp_path / "report.csv"
    fixed.write_text("old\n")
    proc = _validate(contacts, "--definition", definition, "--fixed", fixed, "--report", report)
    assert proc.returncode == 0, proc.stderr
    assert fixed.read_text(encoding="utf-8").count("\n") == 2501
    assert report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["contacts.csv", "list.json", "fixed.csv", "report.csv"]
    )  # no .part file left


def test_atomic_write_leaves_the_target_alone_when_the_writer_fails(tmp_path: Path) -> None:
    from console.fileio import atomic_write

    target = tmp_path / "t.csv"
    target.write_text("keep")

    def crash() -> None:
        with atomic_write(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        crash()
    assert target.read_text() == "keep"
    assert list(tmp_path.iterdir()) == [target]


# -- 4 and 5: files that are not files, or hold no header --------------------------------------


def test_a_fifo_is_refused_without_blocking(tmp_path: Path, definition: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = _validate(fifo, "--definition", definition, timeout=30)
    _unusable(proc, "not a regular file")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        codecs.BOM_UTF8,
        codecs.BOM_UTF16_LE,
        codecs.BOM_UTF16_BE,
        codecs.BOM_UTF32_LE,
        codecs.BOM_UTF32_BE,
        b"sep=,",
    ],
    ids=["empty", "bom-utf8", "bom-utf16le", "bom-utf16be", "bom-utf32le", "bom-utf32be", "sep-only"],
)
def test_a_file_without_a_header_line_exits_2(tmp_path: Path, definition: Path, data: bytes) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(data)
    _unusable(_validate(p, "--definition", definition), "the file has no header line")


def test_dev_null_has_no_header_line(definition: Path) -> None:
    _unusable(_validate(os.devnull, "--definition", definition), "the file has no header line")


# -- 9: CR-only line endings -------------------------------------------------------------------


def test_cr_only_line_endings_are_lines(tmp_path: Path, definition: Path) -> None:
    p = tmp_path / "mac.csv"
    p.write_bytes(GOOD.replace(b"\r\n", b"\r"))
    fixed = tmp_path / "fixed.csv"
    proc = _validate(p, "--definition", definition, "--fixed", fixed)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("rows=2500 valid=2500 invalid=0 issues=0 ")
    assert fixed.read_bytes().count(b"\n") == 2501


def test_cr_only_file_reads_records_and_lines(tmp_path: Path) -> None:
    p = tmp_path / "mac.csv"
    p.write_bytes(b'id,name\r1,"two\rlines"\r2,b\r')
    with open_csv(p) as src:
        assert src.header == ["id", "name"]
        assert src.row_count == 2
        assert src.records(0, 2) == [["1", "two\nlines"], ["2", "b"]]
        assert src.physical_line(1) == 4
    assert not list(private_temp_dir().glob(f"contacts-{os.getpid()}-*"))  # the copy is gone


# -- 3: a file changed while open --------------------------------------------------------------


def test_a_truncated_file_raises_instead_of_looping(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    p.write_bytes(b"id,name\n" + b"x" * 600_000 + b"\n1,a\n")  # one long line past the first chunk
    with open_csv(p) as src:
        with open(p, "r+b") as fh:
            fh.truncate(1000)
        with pytest.raises(FileChangedError, match="the file changed on disk"):
            src.build_index()


def test_a_file_replaced_while_open_raises(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(GOOD * 200)  # more than the first index chunk
    with open_csv(p) as src:
        src.records(0, 10)
        new = tmp_path / "new.csv"
        new.write_bytes(b"other,header\n" + b"a,b\n" * 1000)
        os.replace(new, p)  # what an editor's save does
        with pytest.raises(FileChangedError, match="reopen it"):
            src.build_index()


def test_a_file_rewritten_in_place_raises_on_read(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(GOOD)
    with open_csv(p) as src:
        src.build_index()
        with open(p, "r+b") as fh:
            fh.write(b"ID")
        os.utime(p, ns=(0, 0))
        with pytest.raises(FileChangedError):
            src.records(0, 5)


# -- 6 and 12: definitions and encodings -------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (json.dumps(DEFINITION).replace('"L"', '"\xe9"').encode("latin-1"), "not UTF-8"),
        (json.dumps(DEFINITION).encode("utf-16"), "UTF-16"),
        (b'{"name": 1' + b"1" * 5000 + b"}", "not usable JSON"),
    ],
    ids=["deep", "latin-1", "utf-16", "huge-int"],
)
def test_an_unusable_definition_exits_2(
    tmp_path: Path, contacts: Path, content: bytes, sentence: str
) -> None:
    d = tmp_path / "bad.json"
    d.write_bytes(content)
    _unusable(_validate(contacts, "--definition", d), sentence)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"columnNames": ["id", "ID", "phone"]}, "columnNames[1]"),
        ({"columnNames": ["id", "n"]}, "phoneColumns[0].columnName"),
        (
            {"automaticTimeZoneMapping": True, "zipCodeColumnName": "zip"},
            "zipCodeColumnName",
        ),
        (
            {
                "columnDataTypeSpecifications": [
                    {"columnName": "n", "columnDataType": "NUMERIC", "min": 5, "max": 1}
                ]
            },
            "columnDataTypeSpecifications[0].min",
        ),
        ({"columnNames": ["id", "phone", *(f"c{i}" for i in range(49))]}, "columnNames"),
    ],
    ids=["duplicate", "phone-missing", "zip-missing", "min-gt-max", "51-columns"],
)
def test_a_definition_the_builder_refuses_exits_2_naming_the_field(
    tmp_path: Path, contacts: Path, change: dict[str, object], field: str
) -> None:
    d = tmp_path / "bad.json"
    d.write_text(json.dumps({**DEFINITION, **change}))
    _unusable(_validate(contacts, "--definition", d), field)


@pytest.mark.parametrize(
    ("encoding", "sentence"),
    [("rot13", "not a text encoding"), ("base64", "not a text encoding"), ("utf-16", "does not fit")],
)
def test_an_encoding_that_is_not_text_or_does_not_fit_exits_2(
    contacts: Path, definition: Path, encoding: str, sentence: str
) -> None:
    before = set(private_temp_dir().iterdir())
    _unusable(_validate(contacts, "--definition", definition, "--encoding", encoding), sentence)
    assert set(private_temp_dir().iterdir()) == before  # no copy left behind


# -- 11: an unterminated quote on the last row --------------------------------------------------


def test_an_unterminated_quote_on_the_last_row_makes_it_invalid(tmp_path: Path, definition: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b'id,phone,n\n1,+12025550101,1\n2,+12025550102,"2\n')
    fixed = tmp_path / "fixed.csv"
    proc = _validate(p, "--definition", definition, "--fixed", fixed)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1].startswith("rows=2 valid=1 invalid=1 ")
    assert fixed.read_text(encoding="utf-8").splitlines() == ["id,phone,n", "1,+12025550101,1"]


# -- 14: temporary copies ----------------------------------------------------------------------


def test_transcoded_copies_live_in_a_private_folder_and_dead_ones_are_cleaned(tmp_path: Path) -> None:
    folder = private_temp_dir()
    assert folder.stat().st_mode & 0o777 == 0o700
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = folder / f"contacts-{int(dead.stdout)}-abc.utf8.csv"
    stale.write_text("id,phone\n1,+12025550101\n")
    mine = folder / f"contacts-{os.getpid()}-abc.utf8.csv"
    mine.write_text("in use")
    p = tmp_path / "u16.csv"
    p.write_bytes("id,phone\n1,+12025550101\n".encode("utf-16"))
    with open_csv(p) as src:
        assert src.data_path.parent == folder
        assert src.data_path.name.startswith(f"contacts-{os.getpid()}-")
        assert not str(src.data_path).startswith(os.environ.get("TMPDIR", "/tmp") + "/contacts-")
    assert clean_stale_copies(folder) == 1
    assert not stale.exists()
    assert mine.exists()  # this process's own copies are never touched
    mine.unlink()


# -- 10: a lone CR inside an unquoted field of an LF file ---------------------------------------


def test_a_lone_cr_stays_in_its_value_and_is_reported_at_its_cell(tmp_path: Path, definition: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b"id,phone,n\n1,+12025550101,a\rb\n2,+12025550102,c\n")
    with open_csv(p) as src:
        assert src.records(0, 2) == [["1", "+12025550101", "a\rb"], ["2", "+12025550102", "c"]]
        assert src.records(1, 2) == [["2", "+12025550102", "c"]]  # the same split from any start
        (issue,) = [i for i in src.issues if i.code == "csv.bare_cr"]
        assert (issue.row, issue.line, issue.column) == (0, 2, "n")
    proc = _validate(p, "--definition", definition, "--json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout.splitlines()[0])
    assert report["rows"] == 2
    assert report["counts_by_rule"] == {"csv.bare_cr": 1}


def test_crlf_files_report_no_lone_cr(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(GOOD)
    with open_csv(p) as src:
        src.build_index()
        assert not src.issues
