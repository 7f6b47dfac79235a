"""Checking a file for the preview: the validation run (thread or child) and the finding index.

The CSV engine (:mod:`console.contacts`) validates a read-only :class:`CsvSource` and hands back
the plan it used (``ValidationResult.plan``/``columns``): edited rows are re-checked with that
plan and the engine's own ``check_batch`` (duplicate ids are only found by a full validation).
The finding index (rows per rule, rows to step through) comes from ``ValidationResult.rows_at_least``
and ``iter_codes``; the phone repairs from the validation workers (``ValidationResult.phone_fixes``).
"""

from __future__ import annotations

import heapq
import threading
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from console.api.models import ContactList
from console.contacts.dialing import SHORT_RULE, DialingSettings, DialingWindows, for_check
from console.contacts.reader import CsvSource, IndexState
from console.contacts.result import RULE_CODES, Severity, ValidationIssue, ValidationResult
from console.contacts.rules import ColumnCheck, ValidationPlan, check_batch
from console.contacts.validate import (
    ValidationOptions,
    attach_source,
    explain_cell,
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
        region=region,
        id_column=id_column,
        mapping=explicit,
        id_column_if_mapped=True,
        phone_repairs=True,
        dialing=True,  # keyed in the workers from the cells they read: no second pass
        dialing_settings=dialing_settings,
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


def _index_findings(checked: Checked, source: CsvSource, cancel: threading.Event) -> None:
    """Rows to step through, samples per rule and counts, with C-level passes over the result's arrays.

    The phone repairs come with the result: the validation workers find them while they hold the
    values (``ValidationOptions.phone_repairs``), instead of this process reading every flagged
    cell again and asking phonenumbers about each (2-3 s on the benchmark file).
    """
    result = checked.result
    samples: dict[str, list[tuple[int, int]]] = {}
    for issue in result.header_issues:
        samples.setdefault(issue.code, []).append((-1, -2))
    flagged = result.rows_at_least(Severity.INFO)
    errors = result.rows_at_least(Severity.ERROR)
    for n, (i, col, code) in enumerate(result.iter_codes()):
        if n % 4096 == 0 and cancel.is_set():
            break
        bucket = samples.setdefault(code, [])
        if len(bucket) < SAMPLES_PER_RULE:
            bucket.append((i, col))
    checked.flagged = flagged
    checked.error_rows = errors
    checked.samples = samples
    checked.counts = result.counts_by_rule()
    checked.phone_fixes = list(result.phone_fixes or [])


def recheck_record(plan: ValidationPlan, record: list[str]) -> tuple[Severity, list[tuple[int, str]]]:
    """Row status and (column, rule) findings of one edited record (no duplicate-id check)."""
    found = check_batch([record], plan, 0)
    codes = [(int(c), RULE_CODES[k]) for c, k in zip(found.cols, found.codes, strict=True)]
    return Severity(found.status[0] if found.status else 0), codes


def explain(checked: Checked, record: list[str], row: int, line: int, col: int, code: str) -> ValidationIssue:
    """The engine's message for a finding of an edited row."""
    return explain_cell(checked.plan, checked.list_name, checked.checks, record, row, line, col, code)
