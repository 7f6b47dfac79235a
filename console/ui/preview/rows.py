"""What the preview grid shows of a file row, without Qt: its record, findings, issues and E.164 forms.

:class:`RowLookupsMixin` is mixed into :class:`~console.ui.preview.model.ContactTableModel`;
``data()`` calls these per cell, so they stay O(1) (records are read in cached blocks of
:data:`BLOCK` rows).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from console.contacts.phones import PhoneRules
from console.contacts.reader import CsvSource, FileChangedError
from console.contacts.result import RULES, Severity, ValidationIssue
from console.contacts.rules import TRIM_CHARS
from console.ui.preview.checking import Checked, explain
from console.ui.preview.edited import EditedTally, Recheck, recheck_rows
from console.ui.preview.overlay import Overlay

__all__ = ["BLOCK", "CACHE_BLOCKS", "RowLookupsMixin"]

BLOCK = 64
"""Records read from the file at a time."""
CACHE_BLOCKS = 256
"""Blocks kept (least recently used dropped)."""


class _RowFindings:
    """One row's status, its (column, rule) findings and the worst severity per column."""

    __slots__ = ("codes", "status", "worst")

    def __init__(self, status: Severity | None, codes: list[tuple[int, str]]) -> None:
        self.status = status
        self.codes = codes
        worst: dict[int, Severity] = {}
        for c, code in codes:
            sev = RULES[code].severity
            if sev > worst.get(c, -1):
                worst[c] = sev
        self.worst = worst


class RowLookupsMixin:
    """Per-row lookups over the file, the check, the re-checks of edited rows and the overlay."""

    source: CsvSource | None
    overlay: Overlay
    checked: Checked | None
    rechecked: dict[int, tuple[Severity, list[tuple[int, str]]]]
    edited_tally: EditedTally
    _cache: OrderedDict[int, list[list[str]]]
    _phones: dict[int, PhoneRules]
    _e164_cache: dict[str, str | None]
    _findings_memo: tuple[int, object, object, _RowFindings] | None = None
    """The last row's findings, keyed by (row, the check, the row's re-check): a painted row asks
    for them once per cell and role (~30 times), each an ``array`` bisect and a ``Severity`` call."""

    def _apply_record(self, row: int, record: list[str] | None) -> None:
        """Replace a row's record (None: back to the file's) and re-check it."""
        self._apply_records({row: record})

    def _apply_records(
        self, records: dict[int, list[str] | None], known: Mapping[int, Recheck | None] | None = None
    ) -> None:
        """Replace rows' records (None: back to the file's) and re-check them in one batch.

        ``known``: the rows' re-checks when the caller has them (an undo of a big fix, a fix's
        worker); the others are re-checked here.
        """
        edited: dict[int, list[str]] = {}
        for row, record in records.items():
            if record is None:
                self.overlay.edits.pop(row, None)
                self.edited_tally.change(row, self.rechecked.pop(row, None), None)
            else:
                self.overlay.edits[row] = record
                entry = known.get(row) if known is not None else None
                if entry is None:
                    edited[row] = record
                else:
                    self.edited_tally.change(row, self.rechecked.get(row), entry)
                    self.rechecked[row] = entry
        if edited and self.checked is not None and self.source is not None:
            for row, entry in recheck_rows(self.checked, edited, self.source.record).items():
                self.edited_tally.change(row, self.rechecked.get(row), entry)
                self.rechecked[row] = entry

    def line_of(self, row: int) -> int | str:
        """Physical line of a file row ("?" while the engine's index is being extended by another thread)."""
        assert self.source is not None
        try:
            return self.source.physical_line(row)
        except IndexError:  # the index grows offsets before lines; ask again on the next paint
            return "?"

    def file_changed(self, message: str) -> None:
        """Called when a read finds the file changed on disk (the Qt model turns it into a signal)."""

    def record(self, row: int) -> list[str]:
        """The record of file row ``row`` as shown (edits applied)."""
        edited = self.overlay.edits.get(row)
        if edited is not None:
            return edited
        assert self.source is not None
        block = row // BLOCK
        cached = self._cache.get(block)
        if cached is None:
            try:
                cached = self.source.records(block * BLOCK, block * BLOCK + BLOCK)
            except FileChangedError as exc:  # an editor saved over it: say so once, show nothing stale
                self.file_changed(str(exc))
                return []
            self._cache[block] = cached
            if len(self._cache) > CACHE_BLOCKS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(block)
        k = row - block * BLOCK
        return cached[k] if k < len(cached) else []

    def row_findings(self, row: int) -> tuple[Severity | None, list[tuple[int, str]]]:
        """(status, [(column, rule)]) of a file row; status None while not validated yet."""
        found = self._row_findings(row)
        return found.status, found.codes

    def cell_severity(self, row: int, col: int) -> Severity | None:
        """The worst severity among the findings of cell (file row, CSV column), None when it has none."""
        return self._row_findings(row).worst.get(col)

    def _row_findings(self, row: int) -> _RowFindings:
        again = self.rechecked.get(row)
        checked = self.checked
        memo = self._findings_memo
        if memo is not None and memo[0] == row and memo[1] is checked and memo[2] is again:
            return memo[3]
        if again is not None:
            found = _RowFindings(*again)
        elif checked is None or row >= checked.result.rows_done:
            found = _RowFindings(None, [])
        else:
            found = _RowFindings(checked.result.row_status(row), checked.result.codes_for_row(row))
        self._findings_memo = (row, checked, again, found)
        return found

    def cell_issue(self, row: int, col: int) -> ValidationIssue | None:
        """The finding explaining cell (file row, CSV column), if any."""
        checked = self.checked
        if checked is None:
            return None
        if row in self.rechecked:
            for c, code in self.rechecked[row][1]:
                if c == col:
                    line = self.source.physical_line(row) if self.source is not None else 0
                    return explain(checked, self.overlay.edits[row], row, line, col, code)
            return None
        if row >= checked.result.rows_done:
            return None
        return checked.result.issue_for_cell(row, col)

    def row_issues(self, row: int) -> list[ValidationIssue]:
        """Every finding of a file row, with messages."""
        checked = self.checked
        if checked is None or self.source is None:
            return []
        if row in self.rechecked:
            line = self.source.physical_line(row)
            return [
                explain(checked, self.overlay.edits[row], row, line, c, code)
                for c, code in self.rechecked[row][1]
            ]
        if row >= checked.result.rows_done:
            return []
        return checked.result.issues_for_row(row)

    def e164(self, col: int, value: str) -> str | None:
        """E.164 form of a phone column's value (None when not a phone column or not repairable)."""
        rules = self._phones.get(col)
        if rules is None:
            return None
        key = f"{col}\x1f{value}"
        if key not in self._e164_cache:
            if len(self._e164_cache) > 20_000:
                self._e164_cache.clear()
            v = value.strip(TRIM_CHARS)
            self._e164_cache[key] = rules.e164(v) if v else None
        return self._e164_cache[key]
