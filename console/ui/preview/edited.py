"""The check as the data now stands: the engine's findings with the edited rows' re-checks in their place.

The validation result describes the file as read; every edit, fix, undo or redo re-checks the
edited rows through the same rules (:func:`~console.ui.preview.checking.recheck_record`). This
module folds those re-checks into what the page reports — the summary's counts, the findings
tree's counts and occurrences, the error report's lines — so none of them keep the old findings.
No Qt: plain data in, plain data out; O(edited rows), not O(file).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from console.contacts.result import Severity, ValidationIssue
from console.ui.preview.checking import Checked, explain, recheck_record

__all__ = ["Rechecked", "Tally", "edited_issues", "edited_samples", "recheck_edited", "tally"]

Rechecked = Mapping[int, tuple[Severity, list[tuple[int, str]]]]
"""File row -> (status, [(CSV column, rule code)]) of each edited row, re-checked."""


_FILE_WIDE = ("id.duplicate",)
"""Rules a one-row re-check cannot see (they compare rows): kept while the cell they name is unchanged."""


def recheck_edited(
    checked: Checked, row: int, record: list[str], original: list[str]
) -> tuple[Severity, list[tuple[int, str]]]:
    """Re-check an edited row through the check's rules, keeping a duplicate id whose cell was not edited."""
    status, codes = recheck_record(checked.plan, record)
    if row < checked.result.rows_done:
        for col, code in checked.result.codes_for_row(row):
            same = 0 <= col < min(len(record), len(original)) and record[col] == original[col]
            if code in _FILE_WIDE and same and (col, code) not in codes:
                codes.append((col, code))
                status = max(status, Severity.ERROR)
    return Severity(status), sorted(codes)


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
    """

    row_count: int
    rows_done: int
    invalid_rows: int
    issue_count: int
    cancelled: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def valid_rows(self) -> int:
        """Rows without errors (warnings allowed)."""
        return self.rows_done - self.invalid_rows


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
    return Tally(result.row_count, result.rows_done, invalid, issues, result.cancelled, kept)


def edited_samples(checked: Checked, rechecked: Rechecked, limit: int) -> dict[str, list[tuple[int, int]]]:
    """Rule code -> its first ``limit`` (row, column) occurrences, edited rows by their re-check."""
    samples: dict[str, list[tuple[int, int]]] = {}
    for code, cells in checked.samples.items():
        samples[code] = [
            (row, col) for row, col in cells if row not in rechecked or (col, code) in rechecked[row][1]
        ]
    for row, (_, codes) in sorted(rechecked.items()):
        for col, code in codes:
            cells = samples.setdefault(code, [])
            if (row, col) not in cells:
                bisect.insort(cells, (row, col))
    return {code: cells[:limit] for code, cells in samples.items() if cells}


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
