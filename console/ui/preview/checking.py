"""Checking a file for the preview: the validation run (thread or child) and the finding index.

The CSV engine (:mod:`console.contacts`) validates a read-only :class:`CsvSource` and hands back
the plan it used (``ValidationResult.plan``/``columns``): edited rows are re-checked with that
plan and the engine's own ``check_batch`` (duplicate ids are only found by a full validation).
The finding index (rows per rule, rows to step through) and the phone repairs come from
``ValidationResult.rows_with``/``codes_for_row`` and ``PhoneRules.e164``.
"""

from __future__ import annotations

import heapq
import os
import threading
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from console.api.models import ContactList
from console.contacts.dialing import SHORT_RULE, DialingSettings, DialingWindows, for_check
from console.contacts.phones import PhoneRules
from console.contacts.reader import CsvSource, IndexState, parse_text
from console.contacts.result import RULE_CODES, Severity, ValidationIssue, ValidationResult
from console.contacts.rules import TRIM_CHARS, ColumnCheck, ValidationPlan, check_batch
from console.contacts.validate import (
    ValidationOptions,
    attach_source,
    explain_cell,
    pool_start_method,
    validate,
)
from console.errors import Cancelled
from console.ipc import Kind, Send

__all__ = [
    "SAMPLES_PER_RULE",
    "Checked",
    "ValidationRequest",
    "attach_checked",
    "explain",
    "recheck_record",
    "run_validation",
    "validate_in_child",
]

SAMPLES_PER_RULE = 500
"""Occurrences listed under each rule in the issue panel (the count shows the total)."""


@dataclass
class Checked:
    """A validation result with the index the preview needs.

    Attributes:
        result: The engine's result; it carries the plan it used (``result.plan``) and the
            header mapping (``result.columns``).
        flagged: Rows with any finding, ascending (next/previous finding).
        error_rows: Rows with an error, ascending (errors-only filter, remove invalid rows).
        samples: Rule code -> first (row, column) occurrences (column -1 = whole row, -2 = header).
        counts: Findings per rule, most frequent first.
        phone_fixes: (row, column, E.164) of phone cells the engine can repair.
        dialing: Every row's dialing window (lists with automatic time-zone mapping or
            callable-time columns): distinct windows and one index per row.
        dialing_note: Why there are no dialing windows (empty when there are).
    """

    result: ValidationResult
    flagged: array[int] = field(default_factory=lambda: array("l"))
    error_rows: array[int] = field(default_factory=lambda: array("l"))
    samples: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    phone_fixes: list[tuple[int, int, str]] = field(default_factory=list)
    dialing: DialingWindows | None = None
    dialing_note: str = ""

    @property
    def plan(self) -> ValidationPlan:
        """The plan the engine checked the rows with (re-checks of edited rows use it)."""
        plan = self.result.plan
        assert plan is not None, "a result made by console.contacts.validate carries its plan"
        return plan

    @property
    def columns(self) -> dict[str, int]:
        """List column -> CSV column index."""
        return self.result.columns

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
    dialing_settings: DialingSettings | None = None,
) -> Checked:
    """Validate on the calling (worker) thread, then index the findings and compute the dialing windows.

    Progress payloads are ``(rows done, rows known)`` tuples. ``stop`` ends the check early but
    keeps what it found: the result covers the rows checked so far (``result.cancelled``) and
    its findings are fully indexed; ``cancel`` abandons the work. An id column the header does
    not map is not used.

    Raises:
        ValueError: Unknown region.
    """
    options = ValidationOptions(
        region=region, id_column=id_column, mapping=explicit, id_column_if_mapped=True
    )

    def report(done: int, known: int) -> None:
        progress((done, known))

    either = cancel if stop is None else _EitherEvent(cancel, stop)
    result = validate(source, definition, options=options, progress=report, cancel=either)
    checked = Checked(result)
    _index_findings(checked, source, cancel)
    _add_dialing(checked, source, definition, region, dialing_settings, either)
    return checked


def _add_dialing(
    checked: Checked,
    source: CsvSource,
    definition: ContactList,
    region: str,
    settings: DialingSettings | None,
    cancel: threading.Event,
) -> None:
    """Every row's dialing window, and its short-window findings in the finding index.

    The windows come back compactly: the distinct windows and one ``array('I')`` index per row.
    ``cancel`` is set by a cancel or by "Stop checking" (the findings so far are kept, without
    windows).
    """
    stopped = "The check was stopped before the dialing windows were computed."
    if cancel.is_set():
        checked.dialing_note = stopped
        return
    try:
        dialing, note = for_check(
            source, definition, checked.result, settings=settings, region=region, cancel=cancel.is_set
        )
    except Cancelled:
        checked.dialing_note = stopped
        return
    checked.dialing, checked.dialing_note = dialing, note
    if dialing is None:
        return
    dialing.summary()  # counts the rows per window here, not in the GUI process (it travels with it)
    short = dialing.short_rows()
    if not len(short):
        return
    checked.counts[SHORT_RULE] = len(short)
    checked.samples[SHORT_RULE] = [(int(i), -1) for i in short[:SAMPLES_PER_RULE]]
    checked.flagged = array("l", heapq.merge(checked.flagged, short))
    if len(checked.flagged) > 1:  # rows with other findings too: once
        checked.flagged = array("l", dict.fromkeys(checked.flagged))


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
        dialing_settings: The org's automatic time-zone mapping windows (None: the documented default).
    """

    path: Path
    encoding: str
    delimiter: str
    definition: ContactList
    explicit: dict[str, int | str] | None
    id_column: str | None
    region: str = "US"
    dialing_settings: DialingSettings | None = None

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
    send: Send,
    stop: threading.Event | None = None,
) -> tuple[Checked, IndexState]:
    """The validation child's work: open the file, :func:`run_validation`, return the result and the index.

    The result's open file stays here: the parent re-attaches its own (:func:`attach_checked`).
    ``stop`` (the user's "Stop checking") sends the rows checked so far.

    Raises:
        Cancelled: Cancel seen (no partial result is sent).
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
            progress=lambda p: send(Kind.PROGRESS, p),
            stop=stop,
            dialing_settings=request.dialing_settings,
        )
        if cancel.is_set():
            raise Cancelled
        return checked, source.index_state()
    finally:
        source.close()


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
    codes = [(int(c), RULE_CODES[k]) for c, k in zip(found.cols, found.codes, strict=True)]
    return Severity(found.status[0] if found.status else 0), codes


def explain(checked: Checked, record: list[str], row: int, line: int, col: int, code: str) -> ValidationIssue:
    """The engine's message for a finding of an edited row."""
    return explain_cell(checked.plan, checked.list_name, checked.checks, record, row, line, col, code)
