"""The preview page's wording: pure functions, table tests (no Qt)."""

from __future__ import annotations

import time
from array import array
from pathlib import Path

import pytest

from console.contacts.result import Severity, ValidationResult
from console.jobs import JobProgress, JobStatus, Phase, UploadResult
from console.jobs.journal import UnfinishedJob
from console.jobs.upload import Reconciliation, RowRejection
from console.ui.preview import text


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, "ETA -"),
        (0, "ETA 0:00"),
        (59.9, "ETA 0:59"),
        (61, "ETA 1:01"),
        (3599, "ETA 59:59"),
        (3600, "ETA 1:00:00"),
        (3 * 3600 + 5 * 60 + 7, "ETA 3:05:07"),
    ],
)
def test_fmt_eta(seconds: float | None, expected: str) -> None:
    assert text.fmt_eta(seconds) == expected


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe"), (":", "':'")],
)
def test_delimiter_names(delimiter: str, name: str) -> None:
    assert text.delimiter_name(delimiter) == name
    assert text.detected_text("cp1252", delimiter) == f"Detected: cp1252, {name}"


def _progress(phase: Phase, **kw: object) -> JobProgress:
    values: dict[str, object] = {"rows_done": 0, "rows_total": 0, "rows_per_s": 0.0, "eta_s": None}
    values.update(kw)
    return JobProgress(phase, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (_progress(Phase.PREPARING), "Preparing"),
        (
            _progress(Phase.SENDING, rows_done=1500, rows_total=20000, rows_per_s=812.4, eta_s=62),
            "Sending · 1,500 / 20,000 rows · 812 rows/s · ETA 1:02",
        ),
        (
            _progress(Phase.SENDING, rows_done=10, rows_total=20, rows_rejected=3, message="chunk 2"),
            "Sending · 10 / 20 rows · 0 rows/s · ETA - · 3 rejected\nchunk 2",
        ),
        (
            _progress(Phase.PAUSED, rows_done=1000, rows_total=4000, message="held"),
            "Paused · 1,000 / 4,000 rows",
        ),
    ],
)
def test_progress_line(progress: JobProgress, expected: str) -> None:
    assert text.progress_line(progress) == expected


def _result(status: JobStatus, **kw: object) -> UploadResult:
    values: dict[str, object] = {
        "job_id": "j1",
        "status": status,
        "sent": 1200,
        "skipped": 3,
        "rejected": 0,
        "seconds": 2.25,
        "message": "Stopped; run outbound-console upload --resume j1 to continue.",
    }
    values.update(kw)
    return UploadResult(**values)  # type: ignore[arg-type]


REJECTION = RowRejection(row=4, line=6, source_id="A5", code="bad.request", message="too long")


@pytest.mark.parametrize(
    ("result", "codes", "expected"),
    [
        (_result(JobStatus.DONE), [], ["<b>Done</b>: 1,200 sent, 3 skipped, 0 rejected (2.2 s, job j1)."]),
        (
            _result(JobStatus.REJECTED, rejected=1, rejections=(REJECTION,)),
            ["bad.request"],
            [
                "<b>Rejected</b>: 1,200 sent, 3 skipped, 1 rejected (2.2 s, job j1).",
                "Rejected rows show in the grid (status “Rejected”); first: line 6: too long",
            ],
        ),
        (
            _result(JobStatus.INTERRUPTED),
            [],
            [
                "<b>Interrupted</b>: 1,200 sent, 3 skipped, 0 rejected (2.2 s, job j1).",
                "Stopped; run resume from this page or with outbound-console upload --resume j1 to continue.",
            ],
        ),
        (
            _result(
                JobStatus.REJECTED,
                reconciliation=Reconciliation(list_size=5, expected_size=6, exact=True, missing=("A9",)),
            ),
            [],
            [
                "<b>Rejected</b>: 1,200 sent, 3 skipped, 0 rejected (2.2 s, job j1).",
                "Reconciliation: DIFFERENT — "
                + Reconciliation(list_size=5, expected_size=6, exact=True, missing=("A9",)).summary()
                + ".",
            ],
        ),
    ],
)
def test_outcome_lines(result: UploadResult, codes: list[str], expected: list[str]) -> None:
    assert text.outcome_lines(result, codes) == expected


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST", "header and the list"),
        ("IMPORT_FAILED_TO_READ_HEADERS", "UTF-8"),
        ("SOMETHING_NEW", "Genesys stopped the import"),
    ],
)
def test_an_import_failure_is_explained_by_the_catalog(code: str, words: str) -> None:
    rejection = RowRejection(row=0, line=2, source_id=None, code=code, message=code)
    lines = text.outcome_lines(_result(JobStatus.FAILED, rejected=1, rejections=(rejection,)), [code, code])
    failed = [line for line in lines if line.startswith("Import failed")]
    assert failed == [failed[0]]  # once per reason, and no "rejected rows show in the grid"
    assert f"<b>{code}</b> — " in failed[0]
    assert words in failed[0]
    assert not any(line.startswith("Rejected rows") for line in lines)


@pytest.mark.parametrize(
    ("total", "errors", "removed", "all_rows", "expected"),
    [
        (10, 2, 0, False, "Will send up to 8 valid rows; 2 with errors are skipped."),
        (10, 2, 0, True, "Will send up to 10 rows, including 2 with errors."),
        (
            1_000_000,
            1_500,
            20,
            False,
            "Will send up to 998,500 valid rows; 1,500 with errors are skipped. "
            "20 removed rows are left out.",
        ),
    ],
)
def test_send_text(total: int, errors: int, removed: int, all_rows: bool, expected: str) -> None:
    assert text.send_text(total, errors, removed, all_rows=all_rows) == expected


def _validation(
    rows: int, status: list[int], *, cancelled: bool = False, done: int | None = None
) -> ValidationResult:
    return ValidationResult(
        rows,
        array("l"),
        array("l"),
        array("l"),
        bytearray(status),
        [],
        lambda *_: None,  # type: ignore[arg-type]
        cancelled=cancelled,
        rows_done=done,
    )


@pytest.mark.parametrize(
    ("result", "removed", "indexed", "complete", "expected"),
    [
        (
            _validation(3, [0, 3, 0]),
            0,
            3,
            True,
            "<b>3</b> rows · <span style='color:#137333'>2 valid</span> · "
            "<span style='color:#a50e0e'>1 with errors</span> · 0 findings",
        ),
        (
            _validation(2, [3, 0], cancelled=True, done=2),
            1,
            5000,
            False,
            "<b>2</b> of 5,000+ rows checked · <span style='color:#137333'>1 valid</span> · "
            "<span style='color:#a50e0e'>1 with errors</span> · 0 findings · 1 removed · "
            "<i>check stopped: rows below show “…”</i>",
        ),
    ],
)
def test_summary_text(
    result: ValidationResult, removed: int, indexed: int, complete: bool, expected: str
) -> None:
    assert text.summary_text(result, removed, indexed, complete) == expected


@pytest.mark.parametrize(
    ("rows", "complete", "expected"),
    [
        (7, True, "7 rows. Choose a target list to check them."),
        (2000, False, "2,000+ rows. Choose a target list to check them."),
    ],
)
def test_choose_list_text(rows: int, complete: bool, expected: str) -> None:
    assert text.choose_list_text(rows, complete) == expected


@pytest.mark.parametrize(
    ("job", "expected"),
    [("trim", "Scanning… 5 of 1,000 rows"), ("export", "Writing… 5 of 1,000 rows")],
)
def test_file_progress_text(job: str, expected: str) -> None:
    assert text.file_progress_text(job, 5, 1000) == expected


@pytest.mark.parametrize(("job", "noun"), [("export", "rows"), ("idmap", "ids"), ("report", "findings")])
def test_file_done_text(job: str, noun: str) -> None:
    assert text.file_done_text(job, Path("/tmp/x.csv"), 1234) == f"Wrote 1,234 {noun} to /tmp/x.csv"


def test_check_progress_text() -> None:
    assert text.check_progress_text(1000, 1_000_000) == "checked 1,000 of 1,000,000"


@pytest.mark.parametrize(
    ("code", "severity", "heading"),
    [
        ("row.ragged", Severity.ERROR, "Error: "),
        ("no.such.rule", Severity.INFO, "Info: no.such.rule"),
    ],
)
def test_rule_heading(code: str, severity: Severity, heading: str) -> None:
    got_severity, got_heading, tip = text.rule_heading(code)
    assert got_severity is severity
    assert got_heading.startswith(heading)
    assert tip.startswith(f"{code}\nFix: ")


def _job(status: str, original: str | None = None) -> UnfinishedJob:
    return UnfinishedJob("j9", status, "list", "/data/shown.csv", 20_000, 1_500, 0.0, original)


@pytest.mark.parametrize(
    ("job", "more", "expected"),
    [
        (
            _job("running"),
            0,
            "The upload of shown.csv (job j9, started {when}) was cut off: 1,500 of 20,000 rows confirmed.",
        ),
        (
            _job("interrupted", "/home/me/big.csv"),
            2,
            "The upload of big.csv (job j9, started {when}) was interrupted: 1,500 of 20,000 rows confirmed. "
            "(2 more unfinished)",
        ),
    ],
)
def test_describe_unfinished(job: UnfinishedJob, more: int, expected: str) -> None:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(0.0))
    assert text.describe_unfinished(job, more) == expected.format(when=when)


def test_every_mode_has_its_text() -> None:
    assert set(text.MODES) == set(text.MODE_TEXT)


@pytest.mark.parametrize(
    ("mode", "id_column", "warns"),
    [
        ("multipart", None, True),
        ("presigned", None, True),
        ("multipart", "ContactId", False),
        ("upsert", "ContactId", False),
    ],
)
def test_upload_warning_text_says_reuploads_duplicate(mode: str, id_column: str | None, warns: bool) -> None:
    warning = text.upload_warning_text(mode, id_column)
    if warns:
        assert warning.startswith("Warning: No contact id column")
        assert "again as duplicates" in warning
    else:
        assert warning == ""
