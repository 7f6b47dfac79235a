"""The check as the data now stands: the engine's findings with the edited rows' re-checks in their place.

The validation result describes the file as read; every edit, fix, undo or redo re-checks the
edited rows through the same rules (:func:`recheck_rows`, the engine's ``check_batch``). This
module folds those re-checks into what the page reports — the summary's counts, the findings
tree's counts and occurrences, the error report's lines — so none of them keep the old findings.
No Qt: plain data in, plain data out; O(edited rows), not O(file).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from console.contacts.result import RULE_CODES, Severity, ValidationIssue
from console.contacts.rules import check_batch
from console.ui.preview.checking import Checked, explain

__all__ = [
    "EditedTally",
    "Recheck",
    "Rechecked",
    "Tally",
    "edited_issues",
    "edited_samples",
    "recheck_edited",
    "recheck_rows",
    "tally",
]

Recheck = tuple[Severity, list[tuple[int, str]]]
"""An edited row's re-check: (status, [(CSV column, rule code)])."""
Rechecked = Mapping[int, Recheck]
"""File row -> the re-check of each edited row."""


_FILE_WIDE = ("id.duplicate",)
"""Rules a one-row re-check cannot see (they compare rows): kept while the cell they name is unchanged."""


def recheck_edited(
    checked: Checked, row: int, record: list[str], original: list[str]
) -> tuple[Severity, list[tuple[int, str]]]:
    """Re-check an edited row through the check's rules, keeping a duplicate id whose cell was not edited."""
    return recheck_rows(checked, {row: record}, lambda _row: original)[row]


def recheck_rows(
    checked: Checked, records: Mapping[int, list[str]], original: Callable[[int], list[str]]
) -> dict[int, tuple[Severity, list[tuple[int, str]]]]:
    """Re-check edited rows in one batch of the engine's rules (a fix of 50,000 cells is one call).

    A duplicate id (a rule comparing rows, which a re-check cannot see) is kept while its cell
    is as in the file; ``original(row)`` reads the file's record, only for such rows.
    """
    rows = sorted(records)
    found = check_batch([records[r] for r in rows], checked.plan, 0)
    codes: dict[int, list[tuple[int, str]]] = {r: [] for r in rows}
    for k, c, rule in zip(found.rows, found.cols, found.codes, strict=True):
        codes[rows[k]].append((int(c), RULE_CODES[rule]))
    out: dict[int, tuple[Severity, list[tuple[int, str]]]] = {}
    for k, row in enumerate(rows):
        status = Severity(found.status[k]) if k < len(found.status) else Severity.OK
        mine = codes[row]
        if row < checked.result.rows_done:
            for col, code in checked.result.codes_for_row(row):
                if code not in _FILE_WIDE or (col, code) in mine:
                    continue
                record, before = records[row], original(row)
                if 0 <= col < min(len(record), len(before)) and record[col] == before[col]:
                    mine.append((col, code))
                    status = max(status, Severity.ERROR)
        out[row] = (Severity(status), sorted(mine))
    return out


@dataclass(frozen=True)
class Tally:
    """The summary's numbers for the data as edited (the same names as ``ValidationResult``'s).

    Attributes:
        row_count: Data records in the check.
        rows_done: Rows checked.
        invalid_rows: Rows with at least one error.
        issue_count: Findings (cells, rows and header).
        cancelled: The check stopped early.
        counts: Findings per rule code, most frequent first (rules left without any are dropped).
        blank_rows: Blank lines among the rows checked (not contacts; the upload skips them).
    """

    row_count: int
    rows_done: int
    invalid_rows: int
    issue_count: int
    cancelled: bool
    counts: dict[str, int] = field(default_factory=dict)
    blank_rows: int = 0

    @property
    def contact_rows(self) -> int:
        """Records that are contacts: :attr:`row_count` without the blank lines."""
        return self.row_count - self.blank_rows

    @property
    def valid_rows(self) -> int:
        """Contact rows without errors (warnings allowed; blank lines are not contacts)."""
        return self.rows_done - self.invalid_rows - self.blank_rows


def tally(checked: Checked, rechecked: Rechecked) -> Tally:
    """The check's counts with each re-checked row's old findings replaced by its new ones."""
    result = checked.result
    counts: Counter[str] = Counter(checked.counts)
    invalid, issues = result.invalid_rows, result.issue_count
    for row, (status, codes) in rechecked.items():
        if row >= result.rows_done:
            continue
        old = result.codes_for_row(row)
        counts.subtract(code for _, code in old)
        counts.update(code for _, code in codes)
        invalid += int(status >= Severity.ERROR) - int(result.row_status(row) >= Severity.ERROR)
        issues += len(codes) - len(old)
    kept = {code: n for code, n in counts.most_common() if n > 0}
    return Tally(
        result.row_count, result.rows_done, invalid, issues, result.cancelled, kept, result.blank_rows
    )


class EditedTally:
    """The difference the re-checked rows make to the check's counts, kept as rows change (O(1) each).

    The model calls :meth:`change` for every re-check it adds, replaces or drops, and :meth:`reset`
    for a new check; :meth:`tally` is then O(rules), not O(edited rows) (a normalize of 50,000
    phone numbers made every later keystroke recount them).
    """

    def __init__(self) -> None:
        self.checked: Checked | None = None
        self._counts: Counter[str] = Counter()
        self._invalid = 0
        self._issues = 0

    def reset(self, checked: Checked | None, rechecked: Rechecked) -> None:
        """Start from ``checked`` with these re-checked rows."""
        self.checked = checked
        self._counts, self._invalid, self._issues = Counter(), 0, 0
        for row, entry in rechecked.items():
            self.change(row, None, entry)

    def change(
        self,
        row: int,
        before: tuple[Severity, list[tuple[int, str]]] | None,
        after: tuple[Severity, list[tuple[int, str]]] | None,
    ) -> None:
        """Row ``row``'s re-check went from ``before`` to ``after`` (None: not edited)."""
        checked = self.checked
        if checked is None or row >= checked.result.rows_done:
            return
        result = checked.result
        old = result.codes_for_row(row)
        was_invalid = int(result.row_status(row) >= Severity.ERROR)
        for entry, sign in ((before, -1), (after, 1)):
            if entry is None:
                continue
            status, codes = entry
            for _, code in codes:
                self._counts[code] += sign
            for _, code in old:
                self._counts[code] -= sign
            self._invalid += sign * (int(status >= Severity.ERROR) - was_invalid)
            self._issues += sign * (len(codes) - len(old))

    def tally(self) -> Tally | None:
        """The counts of the data as edited (None before a check)."""
        checked = self.checked
        if checked is None:
            return None
        result = checked.result
        counts: Counter[str] = Counter(checked.counts)
        counts.update(self._counts)
        kept = {code: n for code, n in counts.most_common() if n > 0}
        return Tally(
            result.row_count,
            result.rows_done,
            result.invalid_rows + self._invalid,
            result.issue_count + self._issues,
            result.cancelled,
            kept,
            result.blank_rows,
        )


def edited_samples(checked: Checked, rechecked: Rechecked, limit: int) -> dict[str, list[tuple[int, int]]]:
    """Rule code -> its first ``limit`` (row, column) occurrences, edited rows by their re-check."""
    added: dict[str, list[tuple[int, int]]] = {}
    for row, (_, codes) in rechecked.items():
        for col, code in codes:
            added.setdefault(code, []).append((row, col))
    samples: dict[str, list[tuple[int, int]]] = {}
    for code in {*checked.samples, *added}:
        kept = [
            (row, col)
            for row, col in checked.samples.get(code, [])
            if row not in rechecked or (col, code) in rechecked[row][1]
        ]
        cells = sorted({*kept, *added.get(code, [])})[:limit]
        if cells:
            samples[code] = cells
    return samples


def edited_issues(
    checked: Checked,
    records: Mapping[int, list[str]],
    rechecked: Rechecked,
    lines: Mapping[int, int],
    removed: set[int] | frozenset[int] = frozenset(),
) -> Iterator[tuple[ValidationIssue, list[str] | None]]:
    """Every finding of the data as edited, in file order, with the edited record where it differs.

    Header findings first, then by row; an edited row's findings are its re-check's (explained
    against ``records[row]``, the record as shown), and removed rows are left out.

    Args:
        checked: The check.
        records: Edited row -> the record as shown.
        rechecked: Edited row -> its re-check.
        lines: Edited row -> its physical line.
        removed: Rows left out of the data.
    """
    pending = sorted(r for r in rechecked if r not in removed)
    k = 0

    def edited_up_to(row: int) -> Iterator[tuple[ValidationIssue, list[str] | None]]:
        nonlocal k
        while k < len(pending) and pending[k] < row:
            r = pending[k]
            k += 1
            for col, code in rechecked[r][1]:
                yield explain(checked, records[r], r, lines[r], col, code), records[r]

    for issue in checked.result.iter_issues():
        if issue.row >= 0:
            yield from edited_up_to(issue.row)
            if issue.row in rechecked or issue.row in removed:
                continue
        yield issue, None
    yield from edited_up_to(1 << 62)
