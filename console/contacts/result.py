"""Findings as data: rule codes, :class:`ValidationIssue`, and the compact :class:`ValidationResult`.

A million rows' findings are kept as parallel arrays (row, column, rule) plus one status byte
per row; a :class:`ValidationIssue` with its message and suggested fix is built only when
someone asks for a row (the UI's tooltip, the error report).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from itertools import compress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.contacts.dialing import DialingWindows
    from console.contacts.fixes import RowFixer
    from console.contacts.reader import CsvSource
    from console.contacts.rules import ValidationPlan

__all__ = ["RULES", "Rule", "Severity", "ValidationIssue", "ValidationResult"]


class Severity(IntEnum):
    """How bad a finding is. Also the per-row status (0 = clean)."""

    OK = 0
    INFO = 1
    """Worth knowing; nothing to do."""
    WARNING = 2
    """Imported, but probably wrong (or repaired automatically by the fixes)."""
    ERROR = 3
    """The platform will reject it, or the row is unusable as written."""

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: stable code, severity, a title and the usual fix."""

    code: str
    severity: Severity
    title: str
    fix: str


_R = Severity
RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "header.missing_column",
            _R.ERROR,
            "list column missing from the file",
            "Add the column to the file or map another column to it.",
        ),
        Rule(
            "header.extra_column",
            _R.INFO,
            "column not in the list (ignored on import)",
            "Remove it or add it to the list definition.",
        ),
        Rule(
            "header.case_mismatch",
            _R.INFO,
            "header differs from the list column in case",
            "None needed: the platform matches names case-insensitively.",
        ),
        Rule(
            "header.spacing_mismatch",
            _R.WARNING,
            "header differs from the list column in spacing",
            "Rename the header to the list's column name (the fixed file does).",
        ),
        Rule(
            "header.duplicate",
            _R.ERROR,
            "the same column name appears twice",
            "Rename or remove one of the columns.",
        ),
        Rule("header.blank", _R.ERROR, "a header cell is empty", "Give the column a name."),
        Rule(
            "header.name_too_long",
            _R.ERROR,
            "column name longer than 128 characters",
            "Shorten the column name.",
        ),
        Rule("header.too_many_columns", _R.ERROR, "more than 50 columns", "Remove unused columns."),
        Rule("header.missing", _R.ERROR, "the file has no header row", "Add a header row."),
        Rule("row.ragged", _R.ERROR, "wrong number of fields", "Quote fields that contain the delimiter."),
        Rule("row.blank", _R.WARNING, "blank line", "Remove the blank line (the fixed file does)."),
        Rule(
            "csv.unterminated_quote",
            _R.ERROR,
            "a quoted field is never closed",
            "Close the quote or remove the stray quote character.",
        ),
        Rule(
            "encoding.undecodable",
            _R.ERROR,
            "bytes that are not valid in the file's encoding",
            "Save the file as UTF-8, or choose the right encoding.",
        ),
        Rule(
            "encoding.nul",
            _R.WARNING,
            "NUL character in a value",
            "Remove the NUL characters (the fixed file does).",
        ),
        Rule("id.missing", _R.ERROR, "contact id is empty", "Give every row a contact id."),
        Rule("id.duplicate", _R.ERROR, "contact id used by an earlier row", "Make contact ids unique."),
        Rule("value.too_long", _R.ERROR, "value longer than 512 characters", "Shorten the value."),
        Rule(
            "value.whitespace",
            _R.WARNING,
            "leading or trailing whitespace kept (trimWhitespace is off)",
            "Trim the value.",
        ),
        Rule("phone.invalid", _R.ERROR, "not a valid phone number", "Correct the number; write it as +CC…"),
        Rule(
            "phone.excel_scientific",
            _R.ERROR,
            "phone number mangled into scientific notation",
            "Re-export with the column formatted as Text.",
        ),
        Rule(
            "phone.missing_plus",
            _R.WARNING,
            "international number without its +",
            "Add the + (the fixed file writes E.164).",
        ),
        Rule(
            "phone.lost_leading_zero",
            _R.WARNING,
            "number lost its leading zero",
            "Restore the 0 (the fixed file writes E.164).",
        ),
        Rule("email.invalid", _R.WARNING, "not a valid email address", "Correct the address."),
        Rule("zip.invalid", _R.WARNING, "not a valid US ZIP code", "Write 5 digits or ZIP+4 (12345-6789)."),
        Rule(
            "timezone.invalid", _R.ERROR, "not a known IANA time zone", "Use a name such as America/New_York."
        ),
        Rule(
            "dialing.window_short",
            _R.WARNING,
            "dialing window shorter than 2 hours",
            "Check the contact's phones and ZIP code: they map to zones whose callable hours barely overlap.",
        ),
        Rule("numeric.invalid", _R.ERROR, "not a number", "Write a plain number such as 42 or -3.5."),
        Rule("numeric.out_of_range", _R.ERROR, "number outside the column's min/max", "Correct the value."),
        Rule("text.too_long", _R.ERROR, "text longer than the column's maxLength", "Shorten the value."),
        Rule(
            "datetime.invalid",
            _R.ERROR,
            "not a date/time the platform accepts",
            "Write ISO 8601: 2024-05-31 or 2024-05-31T14:30:00Z.",
        ),
        Rule(
            "datetime.out_of_range",
            _R.ERROR,
            "date outside the column type's range",
            "TIMESTAMP: 1970-01-01..2038-01-19; DATETIME: 1000-01-01..9999-12-31.",
        ),
        Rule(
            "csv.bare_cr",
            _R.WARNING,
            "a carriage return without a line feed inside a value",
            "Remove the stray CR (the record ends at the line feed; the CR stays in the value).",
        ),
    )
}
RULE_CODES: tuple[str, ...] = tuple(RULES)
RULE_INDEX: dict[str, int] = {c: i for i, c in enumerate(RULE_CODES)}


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One finding.

    Attributes:
        row: Data record number (0-based, header excluded); -1 for the header.
        line: 1-based physical line in the file where the record starts.
        column: Header name of the column (or list column), None for whole-row findings.
        code: Stable rule code, e.g. ``phone.invalid``.
        severity: error / warning / info.
        message: Plain sentence naming the value.
        suggested_fix: What to do about it.
        original: The value as found.
        normalized: The value the fixes would write, when there is one.
    """

    row: int
    line: int
    column: str | None
    code: str
    severity: Severity
    message: str
    suggested_fix: str = ""
    original: str | None = None
    normalized: str | None = None


Explainer = Callable[[int, int, str], ValidationIssue]


def _detached(row: int, col: int, code: str) -> ValidationIssue:
    raise RuntimeError("this ValidationResult was unpickled: attach() its source before explaining findings")


"""(row, column index or -1, code) -> the issue, built lazily from the source."""


class ValidationResult:
    """Compact findings of one validation run.

    Cell findings are parallel arrays sorted by row; header and reading findings are kept as
    issues. ``row_status`` holds one :class:`Severity` byte per row.

    Attributes:
        row_count: Data records validated.
        header_issues: Findings about the header (row -1).
        seconds: Wall time of the run.
        cancelled: True when the run stopped early; rows past ``rows_done`` were not checked.
        rows_done: Rows checked.
        fixer: The fixed values of a record for this file and list (set by ``validate``), or None.
        source: The validated file (set by ``validate``), or None.
        plan: The plan the rows were checked with (set by ``validate``), or None: re-check an
            edited record with it (``console.contacts.rules.check_batch``) and explain its findings.
        columns: List column -> CSV column index of the header mapping the plan was built from.
        phone_fixes: (row, CSV column, E.164) of the flagged phone cells with a repair unlike
            the file's value, ascending; None unless the run was asked for them
            (``ValidationOptions.phone_repairs``).
        dialing: Every row's dialing window, when the run was asked for them
            (``ValidationOptions.dialing``) and finished; else None.
    """

    def __init__(
        self,
        row_count: int,
        rows: array[int],
        cols: array[int],
        codes: array[int],
        status: bytearray,
        header_issues: list[ValidationIssue],
        explain: Explainer,
        *,
        seconds: float = 0.0,
        cancelled: bool = False,
        rows_done: int | None = None,
        fixer: RowFixer | None = None,
        source: CsvSource | None = None,
        plan: ValidationPlan | None = None,
        columns: Mapping[str, int] | None = None,
        phone_fixes: list[tuple[int, int, str]] | None = None,
        dialing: DialingWindows | None = None,
    ) -> None:
        self.row_count = row_count
        self._rows = rows
        self._cols = cols
        self._codes = codes
        self._status = status
        self.header_issues = header_issues
        # A record whose quoted field never closes swallowed the rest of the file: it is not a
        # usable row, whatever its cells look like (so it is invalid and the fixed file leaves it out).
        for issue in header_issues:
            if issue.code == "csv.unterminated_quote" and 0 <= issue.row < len(status):
                status[issue.row] = max(status[issue.row], Severity.ERROR)
        self._explain = explain
        self.seconds = seconds
        self.cancelled = cancelled
        self.rows_done = row_count if rows_done is None else rows_done
        self.fixer = fixer
        self.source = source
        self.plan = plan
        self.columns: dict[str, int] = dict(columns or {})
        self.phone_fixes = phone_fixes
        self.dialing = dialing

    # -- moving between processes ------------------------------------------------------------------

    def __getstate__(self) -> dict[str, object]:
        # The open file and the explainer built on it stay behind: the receiving process
        # re-attaches its own with :meth:`attach` (``console.contacts.validate.attach_source``).
        state = dict(self.__dict__)
        state["_explain"] = _detached
        state["source"] = None
        return state

    def attach(self, source: CsvSource | None, explain: Explainer) -> None:
        """Use ``source`` (the same file, opened here) and ``explain`` after crossing a process boundary."""
        self.source = source
        self._explain = explain

    # -- counts ------------------------------------------------------------------------------------

    @property
    def issue_count(self) -> int:
        """Number of findings (cells, rows and header)."""
        return len(self._rows) + len(self.header_issues)

    def counts_by_rule(self) -> dict[str, int]:
        """Findings per rule code, most frequent first."""
        counts: Counter[str] = Counter(RULE_CODES[c] for c in self._codes)
        counts.update(i.code for i in self.header_issues)
        return dict(counts.most_common())

    @property
    def file_errors(self) -> bool:
        """True when the header has an error (every row would fail to import)."""
        return any(i.severity >= Severity.ERROR for i in self.header_issues)

    @property
    def invalid_rows(self) -> int:
        """Rows with at least one error."""
        return self._status.count(Severity.ERROR)

    @property
    def blank_rows(self) -> int:
        """Blank lines among the rows checked: not contacts (the upload and the fixed file skip them).

        A blank line with an error (bytes the encoding cannot read) counts as invalid instead.
        """
        blank = RULE_INDEX["row.blank"]
        status = self._status
        rows = compress(self._rows, map(blank.__eq__, self._codes))
        return sum(1 for i in rows if status[i] < Severity.ERROR)

    @property
    def contact_rows(self) -> int:
        """Records that are contacts: :attr:`row_count` without the blank lines."""
        return self.row_count - self.blank_rows

    @property
    def valid_rows(self) -> int:
        """Contact rows without errors (warnings allowed; blank lines are not contacts)."""
        return self.rows_done - self.invalid_rows - self.blank_rows

    @property
    def ok(self) -> bool:
        """True when there is nothing at all to report."""
        return self.issue_count == 0

    # -- fixed values ------------------------------------------------------------------------------

    def require_fixer(self) -> RowFixer:
        """The result's :class:`~console.contacts.fixes.RowFixer`.

        Raises:
            ValueError: The result was not made by ``validate`` (it carries no fixer).
        """
        if self.fixer is None:
            raise ValueError("This validation result carries no fixer; build a RowFixer from the plan.")
        return self.fixer

    def fixed_record(self, i: int) -> list[str]:
        """Row ``i``'s fixed values, one per list column in list order (``""`` where the file lacks one).

        These are the values the fixed file writes and the upload sends (trimmed as the list
        trims, NULs removed, repairable phones in E.164).

        Raises:
            ValueError: The result carries no fixer or source.
            IndexError: ``i`` is past the last record.
        """
        fixer = self.require_fixer()
        if self.source is None:
            raise ValueError("This validation result does not know its source file.")
        return fixer.fixed(self.source.record(i))

    # -- lookups -----------------------------------------------------------------------------------

    def row_status(self, i: int) -> Severity:
        """Worst severity in row ``i`` (``Severity.OK`` when clean)."""
        return Severity(self._status[i])

    def rows_with(self, min_severity: Severity = Severity.ERROR) -> Iterator[int]:
        """Row numbers whose status is at least ``min_severity``."""
        status = self._status
        for i in range(len(status)):
            if status[i] >= min_severity:
                yield i

    def rows_at_least(self, min_severity: Severity) -> array[int]:
        """:meth:`rows_with` as an array, in two C-level passes (~20 ms for a million rows)."""
        table = bytes(1 if k >= min_severity else 0 for k in range(256))
        return array("l", compress(range(len(self._status)), self._status.translate(table)))

    def iter_codes(self) -> Iterator[tuple[int, int, str]]:
        """(row, column index or -1, rule code) of every cell and row finding, by row; no messages."""
        codes = RULE_CODES
        for row, col, k in zip(self._rows, self._cols, self._codes, strict=True):
            yield row, col, codes[k]

    def _span(self, i: int) -> tuple[int, int]:
        return bisect_left(self._rows, i), bisect_right(self._rows, i)

    def issues_for_row(self, i: int) -> list[ValidationIssue]:
        """The findings of row ``i`` with messages (built now, from the source)."""
        lo, hi = self._span(i)
        return [self._explain(i, self._cols[k], RULE_CODES[self._codes[k]]) for k in range(lo, hi)]

    def codes_for_row(self, i: int) -> list[tuple[int, str]]:
        """(column index or -1, rule code) of row ``i``'s findings; cheap, no messages."""
        lo, hi = self._span(i)
        return [(self._cols[k], RULE_CODES[self._codes[k]]) for k in range(lo, hi)]

    def issue_for_cell(self, i: int, col: int) -> ValidationIssue | None:
        """The first finding for cell (row ``i``, CSV column ``col``), or None."""
        lo, hi = self._span(i)
        for k in range(lo, hi):
            if self._cols[k] == col:
                return self._explain(i, col, RULE_CODES[self._codes[k]])
        return None

    def iter_issues(self) -> Iterator[ValidationIssue]:
        """Every finding, header first, then by row (messages built on the fly)."""
        yield from self.header_issues
        rows, cols, codes = self._rows, self._cols, self._codes
        for k in range(len(rows)):
            yield self._explain(rows[k], cols[k], RULE_CODES[codes[k]])
