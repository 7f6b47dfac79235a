"""Qt-free helpers of the preview page: validation plus the finding index, the edit overlay, the shown file.

The CSV engine (:mod:`console.contacts`) validates a read-only :class:`CsvSource`. The page
never rewrites the user's file: edits and removed rows live in an :class:`Overlay` beside the
source, edited rows are re-checked with the engine's own ``check_batch`` (duplicate ids are
only found by a full validation), and an upload or export writes "the file as shown" with
:func:`write_shown_csv` to a new UTF-8 file, keeping a map back to the original rows.

Adapter notes (the engine has no public API for these, so they are derived here from its
public pieces): the finding index (rows per rule, rows to step through) and the phone repairs
come from ``ValidationResult.rows_with``/``codes_for_row`` and ``PhoneRules.e164``; the plan for
re-checking an edited row is rebuilt with ``map_header``/``build_plan`` exactly as ``validate``
builds it; unfinished upload jobs are found by reading each journal's ``meta`` table read-only
(``console.jobs`` has no listing function).
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import json
import os
import sqlite3
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from ctypes import c_bool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from console.api.models import ContactList
from console.contacts.phones import PhoneRules
from console.contacts.reader import CsvSource, IndexState, parse_text
from console.contacts.result import RULES, Severity, ValidationIssue, ValidationResult
from console.contacts.rules import (
    TRIM_CHARS,
    ColumnCheck,
    ValidationPlan,
    build_plan,
    check_batch,
    guess_id_column,
    map_header,
)
from console.contacts.validate import (
    ValidationOptions,
    attach_source,
    explain_cell,
    pool_start_method,
    validate,
)
from console.ui.preview.child import ChildCancelled, SharedFlagEvent, portable

__all__ = [
    "FAILURE_REASONS",
    "Checked",
    "Overlay",
    "UnfinishedJob",
    "ValidationRequest",
    "attach_checked",
    "decode_failure_reason",
    "run_validation",
    "run_validation_service",
    "unfinished_jobs",
    "write_shown_csv",
]

SAMPLES_PER_RULE = 500
"""Occurrences listed under each rule in the issue panel (the count shows the total)."""

FAILURE_REASONS: dict[str, str] = {
    "CONTACT_COLUMNS_LIMIT_EXCEEDED": "The file has more than 50 columns; a contact list allows at most 50.",
    "MISSING_CUSTOM_ID": "The contact-id column is missing from the file, or a row has an empty contact id.",
    "MISSING_COLUMNS": "The file lacks a column the list has (the list's columns may have changed "
    "after you checked the file). Reload the list and check the file again.",
    "EMPTY_FILE": "The file has no header row.",
    "INVALID_FILE": "The server could not read the file as UTF-8 CSV.",
}
"""Import ``failureReason`` codes (genesys-api.md §6.3, sandbox-control.md) in plain words."""


def decode_failure_reason(code: str) -> str:
    """A supervisor-readable sentence for an import ``failureReason`` (the code itself when unknown)."""
    return FAILURE_REASONS.get(code, f"The import failed ({code}).")


@dataclass
class Checked:
    """A validation result with the index the preview needs.

    Attributes:
        result: The engine's result.
        plan: The plan it used (for re-checking edited rows and explaining their findings).
        columns: List column -> CSV column index.
        flagged: Rows with any finding, ascending (next/previous finding).
        error_rows: Rows with an error, ascending (errors-only filter, remove invalid rows).
        samples: Rule code -> first (row, column) occurrences (column -1 = whole row, -2 = header).
        counts: Findings per rule, most frequent first.
        phone_fixes: (row, column, E.164) of phone cells the engine can repair.
    """

    result: ValidationResult
    plan: ValidationPlan
    columns: dict[str, int]
    flagged: array[int] = field(default_factory=lambda: array("l"))
    error_rows: array[int] = field(default_factory=lambda: array("l"))
    samples: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    phone_fixes: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def list_name(self) -> dict[int, str]:
        """CSV column index -> list column name."""
        return {v: k for k, v in self.columns.items()}

    @property
    def checks(self) -> dict[tuple[int, str], ColumnCheck]:
        """(CSV column, kind) -> the column check."""
        return {(c.index, c.kind): c for c in self.plan.checks}

    def phone_columns(self) -> dict[int, str]:
        """CSV column -> default region of each phone column."""
        return {c.index: c.region for c in self.plan.checks if c.kind == "phone"}


def resolve_id_column(
    definition: ContactList, header: Sequence[str], mapping: Mapping[str, int]
) -> str | None:
    """The list column used as contact id: ``ContactId``-like names, when the file has it."""
    guess = guess_id_column(definition)
    return guess if guess is not None and guess in mapping else None


def make_plan(
    source: CsvSource,
    definition: ContactList,
    *,
    explicit: Mapping[str, int | str] | None,
    id_column: str | None,
    region: str = "US",
) -> tuple[ValidationPlan, dict[str, int]]:
    """The plan ``validate`` builds for these options (rebuilt here for row re-checks).

    Raises:
        ValueError: Unknown region, or the id column is not mapped.
    """
    mapping = map_header(
        source.header, definition.column_names, explicit=explicit, header_line=source.header_line
    )
    plan = build_plan(
        definition,
        source.header,
        mapping,
        region=region,
        id_column=id_column if id_column in mapping.columns else None,
    )
    return plan, dict(mapping.columns)


def run_validation(
    source: CsvSource,
    definition: ContactList,
    explicit: Mapping[str, int | str] | None,
    id_column: str | None,
    region: str,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
    stop: threading.Event | None = None,
) -> Checked:
    """Validate on the calling (worker) thread, then index the findings.

    Progress payloads are ``(rows done, rows known)`` tuples. ``stop`` ends the check early but
    keeps what it found: the result covers the rows checked so far (``result.cancelled``) and
    its findings are fully indexed; ``cancel`` abandons the work.
    """
    plan, columns = make_plan(source, definition, explicit=explicit, id_column=id_column, region=region)
    options = ValidationOptions(
        region=region,
        id_column=id_column if id_column in columns else None,
        mapping=explicit,
    )

    def report(done: int, known: int) -> None:
        progress((done, known))

    either = cancel if stop is None else _EitherEvent(cancel, stop)
    result = validate(source, definition, options=options, progress=report, cancel=either)
    checked = Checked(result, plan, columns)
    _index_findings(checked, source, cancel)
    return checked


class _EitherEvent(threading.Event):
    """Set when either of two events is (read-only view for ``validate``'s cancel polling)."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        super().__init__()
        self._events = (first, second)

    def is_set(self) -> bool:
        """True when either event is set."""
        return any(e.is_set() for e in self._events)


@dataclass(frozen=True)
class ValidationRequest:
    """What the validation child checks (picklable): the file as opened here and the target list.

    Attributes:
        path: The user's file.
        encoding: Its encoding as opened (the child opens it the same way).
        delimiter: Its delimiter as opened.
        definition: The target list.
        explicit: Header mapping chosen by the user (list column -> CSV column index or name).
        id_column: The contact-id list column, or None.
        region: Default phone region.
    """

    path: Path
    encoding: str
    delimiter: str
    definition: ContactList
    explicit: dict[str, int | str] | None
    id_column: str | None
    region: str = "US"

    @classmethod
    def for_source(
        cls,
        source: CsvSource,
        definition: ContactList,
        explicit: Mapping[str, int | str] | None,
        id_column: str | None,
        region: str = "US",
    ) -> ValidationRequest:
        """The request that checks ``source`` as it is opened here."""
        return cls(
            source.path,
            source.encoding,
            source.delimiter,
            definition,
            dict(explicit) if explicit else None,
            id_column,
            region,
        )


def validate_in_child(
    request: object,
    cancel: threading.Event,
    send: Callable[[str, object], None],
    stop: threading.Event | None = None,
) -> tuple[Checked, IndexState]:
    """The validation child's work: open the file, :func:`run_validation`, return the result and the index.

    The result's open file stays here: the parent re-attaches its own (:func:`attach_checked`).
    ``stop`` (the user's "Stop checking") sends the rows checked so far.

    Raises:
        ChildCancelled: Cancel seen (no partial result is sent).
    """
    assert isinstance(request, ValidationRequest)
    source = CsvSource(request.path, encoding=request.encoding, delimiter=request.delimiter)
    try:
        checked = run_validation(
            source,
            request.definition,
            request.explicit,
            request.id_column,
            request.region,
            cancel=cancel,
            progress=lambda p: send("progress", p),
            stop=stop,
        )
        if cancel.is_set():
            raise ChildCancelled
        return checked, source.index_state()
    finally:
        source.close()


def run_validation_service(conn: Connection, cancel_flag: c_bool, stop_flag: c_bool) -> None:
    """Entry of the long-lived validation child (:class:`~console.ui.preview.workers.ValidationService`).

    Checks one :class:`ValidationRequest` after another, answering each with ``("progress", …)``
    messages and one end message (``result``, ``cancelled`` or ``error``), until it receives None
    or its parent goes away. It runs at a lower CPU priority (it and the worker processes it
    forks), so on a busy machine the GUI's process gets the CPU first; modules, phone patterns and
    row scanners stay loaded between checks, so a small file is checked in tens of milliseconds.
    The parent clears both flags before each request.
    """
    if hasattr(os, "nice"):
        os.nice(5)
    cancel = SharedFlagEvent(cancel_flag)
    stop = SharedFlagEvent(stop_flag)

    def send(kind: str, payload: object) -> None:
        conn.send((kind, payload))

    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                break  # the parent is gone
            if request is None:
                break
            try:
                send("result", validate_in_child(request, cancel, send, stop))
            except ChildCancelled:
                send("cancelled", None)
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the relay
                send("error", portable(exc))
    finally:
        conn.close()


def attach_checked(checked: Checked, source: CsvSource, index: IndexState | None = None) -> Checked:
    """Make a :class:`Checked` from the validation child usable here: adopt its index, attach ``source``."""
    if index is not None:
        source.adopt_index(index)
    attach_source(checked.result, source, checked.plan, checked.columns)
    return checked


_READ_WINDOW = 8192


def _cell_values(
    source: CsvSource, cells: list[tuple[int, int]], cancel: threading.Event
) -> list[tuple[int, int, str]]:
    """(row, column, value as in the file) of ascending (row, column) cells.

    The file is read in one call per window of 8,192 records, and only the records asked for are
    parsed. Many small reads would hurt the UI: each one releases and retakes the GIL, and a
    thread waiting for the GIL restarts its 5 ms wait every time it is woken and loses the race,
    so a worker doing thousands of small reads a second can keep the UI thread waiting for
    hundreds of milliseconds (measured: 120-500 ms stalls with one read per 64 records).
    """
    dialect = source.dialect
    out: list[tuple[int, int, str]] = []
    window, raw, base = -1, b"", 0
    for k, (i, col) in enumerate(cells):
        if k % 1024 == 0 and cancel.is_set():
            break
        if i // _READ_WINDOW != window:
            window = i // _READ_WINDOW
            first = window * _READ_WINDOW
            base = source.byte_range(first, first + _READ_WINDOW)[0]
            raw = source.raw_range(first, first + _READ_WINDOW)
        lo, hi = source.byte_range(i, i + 1)
        text, _ = source.decode(raw[lo - base : hi - base])
        rows = parse_text(text, dialect)
        record = rows[0] if len(rows) == 1 else [f for r in rows for f in r]
        if col < len(record):
            out.append((i, col, record[col]))
    return out


PARALLEL_REPAIRS = 20_000
"""From this many phone findings on, their E.164 repairs are computed in worker processes:
phonenumbers costs ~100 µs a value, and seconds of Python on a thread of the UI's process
take the GIL from the UI thread (a 1,000,000-row file has ~60,000 phone findings)."""


def _e164_values(region: str, values: list[str]) -> list[str | None]:
    """E.164 repairs of raw phone values (runs in a worker process)."""
    rules = PhoneRules(region)
    out: list[str | None] = []
    for raw in values:
        value = raw.strip(TRIM_CHARS)
        out.append(rules.e164(value) if value else None)
    return out


def _yield_cpu() -> None:
    """Lower a worker process's priority: on a busy machine the UI's process gets the CPU first."""
    if hasattr(os, "nice"):
        os.nice(10)


def _repairs(
    values: list[tuple[int, int, str]], regions: dict[int, str], cancel: threading.Event
) -> list[str | None]:
    """E.164 repair of each (row, column, raw value), in order (shorter when cancelled)."""
    if len(values) < PARALLEL_REPAIRS:
        rules = {col: PhoneRules(region) for col, region in regions.items()}
        out: list[str | None] = []
        for k, (_, col, raw) in enumerate(values):
            if k % 1024 == 0 and cancel.is_set():
                break
            value = raw.strip(TRIM_CHARS)
            out.append(rules[col].e164(value) if value else None)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = 4096
    # fork only when this process is single-threaded (the validation child), never a Qt process
    ctx = multiprocessing.get_context(pool_start_method())
    with ProcessPoolExecutor(
        max_workers=min(2, os.cpu_count() or 1), mp_context=ctx, initializer=_yield_cpu
    ) as pool:
        futures = []
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            by_col: dict[int, list[int]] = {}
            for k, (_, col, _) in enumerate(part):
                by_col.setdefault(col, []).append(k)
            futures.append(
                (
                    part,
                    {
                        col: (ks, pool.submit(_e164_values, regions[col], [part[k][2] for k in ks]))
                        for col, ks in by_col.items()
                    },
                )
            )
        out = []
        for part, jobs in futures:
            if cancel.is_set():
                pool.shutdown(cancel_futures=True)
                break
            got: list[str | None] = [None] * len(part)
            for ks, future in jobs.values():
                for k, e164 in zip(ks, future.result(), strict=True):
                    got[k] = e164
            out.extend(got)
        return out


def _index_findings(checked: Checked, source: CsvSource, cancel: threading.Event) -> None:
    result = checked.result
    samples: dict[str, list[tuple[int, int]]] = {}
    for issue in result.header_issues:
        samples.setdefault(issue.code, []).append((-1, -2))
    flagged, errors = array("l"), array("l")
    status_error = Severity.ERROR
    phone_cols = checked.phone_columns()
    rules = {idx: PhoneRules(region) for idx, region in phone_cols.items()}
    pending_phones: list[tuple[int, int]] = []
    for n, i in enumerate(result.rows_with(Severity.INFO)):
        if n % 4096 == 0 and cancel.is_set():
            break
        flagged.append(i)
        if result.row_status(i) >= status_error:
            errors.append(i)
        for col, code in result.codes_for_row(i):
            bucket = samples.setdefault(code, [])
            if len(bucket) < SAMPLES_PER_RULE:
                bucket.append((i, col))
            if col in rules and code.startswith("phone."):
                pending_phones.append((i, col))
    values = _cell_values(source, pending_phones, cancel)
    repaired = _repairs(values, phone_cols, cancel)
    fixes = [
        (i, col, e164) for (i, col, raw), e164 in zip(values, repaired, strict=False) if e164 and e164 != raw
    ]
    checked.flagged = flagged
    checked.error_rows = errors
    checked.samples = samples
    checked.counts = result.counts_by_rule()
    checked.phone_fixes = fixes


def recheck_record(plan: ValidationPlan, record: list[str]) -> tuple[Severity, list[tuple[int, str]]]:
    """Row status and (column, rule) findings of one edited record (no duplicate-id check)."""
    found = check_batch([record], plan, 0)
    codes = [(int(c), RULES_BY_INDEX[k]) for c, k in zip(found.cols, found.codes, strict=True)]
    return Severity(found.status[0] if found.status else 0), codes


def _rule_codes() -> tuple[str, ...]:
    from console.contacts.result import RULE_CODES

    return RULE_CODES


RULES_BY_INDEX: tuple[str, ...] = _rule_codes()


def explain(checked: Checked, record: list[str], row: int, line: int, col: int, code: str) -> ValidationIssue:
    """The engine's message for a finding of an edited row."""
    return explain_cell(checked.plan, checked.list_name, checked.checks, record, row, line, col, code)


class Overlay:
    """Edits and removed rows kept beside the read-only source (the undo commands change it).

    Attributes:
        edits: Row -> the whole edited record. Records are replaced, never changed in place
            (a :meth:`snapshot` shares them).
        removed: Removed rows, ascending. Replaced by every change, never changed in place
            (a :meth:`snapshot` shares it). An array, not a list: a snapshot crosses to the
            upload's child process, and pickling 980,000 rows holds the GIL ~20 ms as a list,
            ~11 ms as an array.
    """

    def __init__(self) -> None:
        self.edits: dict[int, list[str]] = {}
        self.removed: array[int] = array("q")
        self._removed_set: set[int] | None = set()

    def __getstate__(self) -> dict[str, object]:
        # the set of removed rows is rebuilt on first use where the overlay is unpickled
        return {"edits": self.edits, "removed": self.removed, "_removed_set": None}

    def clear(self) -> None:
        """Forget every edit and removal (a new file)."""
        self.edits = {}
        self.removed = array("q")
        self._removed_set = set()

    def snapshot(self) -> Overlay:
        """A copy for a worker in O(edits), not O(removed rows): the removed rows are shared.

        The copy builds its own set of removed rows on first use, on the thread that uses it.
        """
        snap = Overlay()
        snap.edits = dict(self.edits)
        snap.removed = self.removed
        snap._removed_set = None
        return snap

    def _set(self) -> set[int]:
        if self._removed_set is None:
            self._removed_set = set(self.removed)
        return self._removed_set

    @property
    def changed(self) -> bool:
        """Whether anything differs from the file."""
        return bool(self.edits or self.removed)

    def is_removed(self, row: int) -> bool:
        """Whether ``row`` was removed."""
        return row in self._set()

    def remove(self, rows: Sequence[int]) -> list[int]:
        """Remove rows; returns those that were not removed already."""
        removed = self._set()
        new = [r for r in rows if r not in removed]
        if new:
            removed.update(new)
            self.removed = array("q", sorted(removed))
        return new

    def restore(self, rows: Sequence[int]) -> None:
        """Undo :meth:`remove`."""
        removed = self._set()
        removed.difference_update(rows)
        self.removed = array("q", sorted(removed))

    def removed_among(self, rows: set[int]) -> int:
        """How many of ``rows`` are removed (set intersection, in C)."""
        return len(rows & self._set())

    def removed_before(self, row: int) -> int:
        """How many removed rows are below ``row``."""
        return bisect.bisect_left(self.removed, row)

    def kept_runs(self, rows: int) -> Iterator[tuple[int, int]]:
        """``[lo, hi)`` runs of the rows below ``rows`` that are not removed, ascending."""
        lo = 0
        for r in self.removed:
            if r >= rows:
                break
            if r > lo:
                yield lo, r
            lo = r + 1
        if lo < rows:
            yield lo, rows

    def visible_to_source(self, v: int) -> int:
        """Source row of the ``v``-th visible row (identity view): O(log² n), no big arrays."""
        removed = self.removed
        if not removed:
            return v
        s = v
        while True:
            s2 = v + bisect.bisect_right(removed, s)
            if s2 == s:
                return s
            s = s2

    def source_to_visible(self, row: int) -> int | None:
        """Visible index of source ``row`` in the identity view, None when removed."""
        if self.is_removed(row):
            return None
        return row - self.removed_before(row)

    def record(self, source: CsvSource, row: int) -> list[str]:
        """The record as shown (edited or as read)."""
        edited = self.edits.get(row)
        return list(edited) if edited is not None else source.record(row)


WRITE_BATCH = 2_000
"""Records parsed per call while writing a file: ``csv.reader`` holds the GIL for a whole call
(20,000 records: ~50 ms, a visible UI stall; 2,000: ~4 ms)."""


def write_shown_csv(
    source: CsvSource,
    overlay: Overlay,
    out: Path,
    *,
    rows: int | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[object], None] | None = None,
) -> array[int]:
    """Write the file as shown (edits applied, removed rows left out) as UTF-8, comma, CRLF.

    Returns the map new data row -> original row. The header is the original header.
    """
    total = source.row_count if rows is None else rows
    row_map: array[int] = array("q")
    edits = overlay.edits
    out.parent.mkdir(parents=True, exist_ok=True)
    reported = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(source.header)
        # only the rows kept are read and parsed (an upload of 20,000 rows out of 1,000,000 reads 20,000)
        for lo, hi in _batches(overlay.kept_runs(total), WRITE_BATCH):
            if cancel is not None and cancel.is_set():
                return row_map
            records = source.records(lo, hi)
            if edits:
                writer.writerows([edits.get(lo + k, rec) for k, rec in enumerate(records)])
            else:
                writer.writerows(records)
            row_map.extend(range(lo, lo + len(records)))
            reported = lo + len(records)
            if len(records) < hi - lo:  # the file ended
                break
            if progress is not None:
                progress((reported, total))
    if progress is not None and reported < total:
        progress((total, total))
    return row_map


def _batches(runs: Iterator[tuple[int, int]], size: int) -> Iterator[tuple[int, int]]:
    for first, stop in runs:
        for lo in range(first, stop, size):
            yield lo, min(stop, lo + size)


@dataclass(frozen=True)
class UnfinishedJob:
    """An upload journal that did not finish (offered for resuming).

    Attributes:
        job_id: The job.
        status: ``planned``, ``running`` (the app died) or ``interrupted``.
        list_id: Target list.
        source_path: The file the job sends.
        rows_total: Rows to send.
        confirmed: Rows confirmed so far.
        created: When the job was created (epoch seconds).
        original_path: The user's file the shown file came from (preview uploads), if known.
    """

    job_id: str
    status: str
    list_id: str
    source_path: str
    rows_total: int
    confirmed: int
    created: float
    original_path: str | None = None

    def describe(self) -> str:
        """One line for the resume banner."""
        name = Path(self.original_path or self.source_path).name
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.created))
        state = "was cut off" if self.status == "running" else "was interrupted"
        return (
            f"The upload of {name} (job {self.job_id}, started {when}) {state}: "
            f"{self.confirmed:,} of {self.rows_total:,} rows confirmed."
        )


RESUMABLE = ("planned", "running", "interrupted")


def _locked_elsewhere(lock_path: Path) -> bool:
    """Whether another open file description holds the job's OS lock (a running job)."""
    import sys

    if sys.platform == "win32" or not lock_path.exists():  # pragma: no cover - POSIX here
        return False
    import fcntl

    with lock_path.open("a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False


def sidecar_dir(data: Path) -> Path:
    """Where the preview keeps shown files and their row maps."""
    return data / "preview-uploads"


def unfinished_jobs(directory: Path, sidecars: Path | None = None) -> list[UnfinishedJob]:
    """Journals in ``directory`` whose job did not finish, newest first (read-only; locked ones skipped)."""
    found: list[UnfinishedJob] = []
    if not directory.is_dir():
        return found
    for path in directory.glob("*.sqlite"):
        if _locked_elsewhere(path.with_suffix(".lock")):
            continue
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error:
            continue
        try:
            meta = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")}
            if meta.get("status") not in RESUMABLE:
                continue
            confirmed = conn.execute("SELECT COUNT(*) FROM outcomes WHERE state='confirmed'").fetchone()[0]
        except (sqlite3.Error, ValueError):
            continue
        finally:
            conn.close()
        original = None
        if sidecars is not None:
            side = sidecars / f"{path.stem}.json"
            with contextlib.suppress(OSError, ValueError):
                original = json.loads(side.read_text(encoding="utf-8")).get("original")
        found.append(
            UnfinishedJob(
                job_id=path.stem,
                status=str(meta["status"]),
                list_id=str(meta.get("list_id", "")),
                source_path=str(meta.get("source_path", "")),
                rows_total=int(meta.get("rows_total", 0)),
                confirmed=int(confirmed),
                created=float(meta.get("created", 0.0)),
                original_path=original,
            )
        )
    found.sort(key=lambda j: j.created, reverse=True)
    return found


def iter_issue_rows(checked: Checked, code: str) -> Iterator[tuple[int, int]]:
    """The sampled (row, column) occurrences of a rule."""
    yield from checked.samples.get(code, [])


def rule_title(code: str) -> str:
    """The rule's title, or the code."""
    rule = RULES.get(code)
    return rule.title if rule is not None else code
