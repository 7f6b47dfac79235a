"""Actions on a validation result: fixed values, a clean UTF-8 CSV and an error report safe for Excel.

:class:`RowFixer` is the one definition of "the fixed value of a cell": the fixed-file export
(:func:`write_fixed`) and the upload job (``console.jobs.rows``) both use it, and every
:class:`~console.contacts.result.ValidationResult` made by ``validate`` carries one.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from console.api.models import ContactList
from console.contacts.phones import PhoneRules
from console.contacts.reader import CsvSource
from console.contacts.result import Severity, ValidationIssue, ValidationResult
from console.contacts.rules import TRIM_CHARS, ValidationPlan, _phone_rules, build_plan, map_header

__all__ = [
    "PhoneNormalization",
    "RowFixer",
    "neutralize",
    "normalize_phones",
    "write_error_report",
    "write_fixed",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value: str) -> str:
    """Make a cell inert in spreadsheets (OWASP CSV injection): prefix formula starters with ``'``."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class RowFixer:
    """The fixed values of a record, as the fixed file writes them and the upload sends them.

    Each list column takes the value of the CSV column it maps to; the value is trimmed like the
    platform trims (``trimWhitespace``, default on), NUL characters are removed, and phone
    columns are written in E.164 when the value or its repair (missing ``+``, lost leading
    zero, Excel scientific notation) is a valid number (otherwise left as they are).

    Args:
        plan: The validation plan (trim flag, phone columns and their regions).
        mapping: List column -> CSV column index (``HeaderMapping.columns``).
        column_names: The list's ``columnNames``, in order.

    Attributes:
        plan: The plan.
        column_names: The list's columns, in order (the fixed file's header).
        columns: (list column, CSV column index or None when the file lacks it), in list order.
    """

    def __init__(self, plan: ValidationPlan, mapping: Mapping[str, int], column_names: Sequence[str]) -> None:
        self.plan = plan
        self.column_names = list(column_names)
        self.columns: list[tuple[str, int | None]] = [(name, mapping.get(name)) for name in column_names]
        self._phones: dict[int, PhoneRules] = {}
        for chk in plan.checks:
            if chk.kind == "phone" and chk.index not in self._phones:
                self._phones[chk.index] = _phone_rules(chk.region)

    @classmethod
    def for_source(
        cls,
        source: CsvSource,
        definition: ContactList,
        *,
        region: str = "US",
        regions: Mapping[str, str] | None = None,
        mapping: Mapping[str, int | str] | None = None,
        id_column: str | None = None,
    ) -> RowFixer:
        """The fixer for a file and a list, mapping the header as ``validate`` does.

        Raises:
            ValueError: A region or the id column is unknown (see ``build_plan``).
        """
        header_map = map_header(
            source.header, definition.column_names, explicit=mapping, header_line=source.header_line
        )
        plan = build_plan(
            definition, source.header, header_map, region=region, regions=regions, id_column=id_column
        )
        return cls(plan, header_map.columns, definition.column_names)

    @property
    def present(self) -> list[tuple[str, int]]:
        """(list column, CSV column index) of the list columns the file provides, in list order."""
        return [(name, idx) for name, idx in self.columns if idx is not None]

    @property
    def missing(self) -> list[str]:
        """List columns the file lacks."""
        return [name for name, idx in self.columns if idx is None]

    def value(self, record: Sequence[str], idx: int | None) -> str:
        """The fixed value of CSV column ``idx`` of ``record`` (``""`` when absent)."""
        value = record[idx] if idx is not None and idx < len(record) else ""
        if self.plan.trim:
            value = value.strip(TRIM_CHARS)
        if "\x00" in value:
            value = value.replace("\x00", "")
        if value and idx is not None:
            phones = self._phones.get(idx)
            if phones is not None:
                value = phones.e164(value) or value
        return value

    def fixed(self, record: Sequence[str]) -> list[str]:
        """The fixed values of ``record``, one per list column (``""`` for columns the file lacks)."""
        value = self.value
        return [value(record, idx) for _, idx in self.columns]


def write_fixed(
    source: CsvSource,
    result: ValidationResult,
    plan: ValidationPlan | None = None,
    column_names: list[str] | None = None,
    mapping: dict[str, int] | None = None,
    out: str | Path | None = None,
    *,
    drop_invalid: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write the list's columns as clean UTF-8 CSV (no BOM), with :class:`RowFixer`'s values.

    Rows with errors are dropped (unless ``drop_invalid`` is false), as are blank lines.
    Call it as ``write_fixed(source, result, out=path)`` (the result's own fixer), or with the
    plan, the list's column names and the mapping as before.

    Args:
        source: The validated file.
        result: Its validation result.
        plan: The plan used (trim flag, phone columns and regions); None: the result's.
        column_names: The list's ``columnNames`` (the output header); None: the result's.
        mapping: List column -> CSV column index; None: the result's.
        out: Output path (required).
        drop_invalid: Leave out rows whose status is error.
        progress: Called with (rows done, total).
        cancel: Stops writing between batches (the file is then incomplete).

    Returns:
        Rows written.

    Raises:
        TypeError: ``out`` is missing, or only some of plan/column_names/mapping are given.
        ValueError: Nothing is given and the result carries no fixer.
    """
    if out is None:
        raise TypeError("write_fixed() needs the output path (out=...).")
    if plan is not None and column_names is not None and mapping is not None:
        fixer = RowFixer(plan, mapping, column_names)
    elif plan is None and column_names is None and mapping is None:
        fixer = result.require_fixer()
    else:
        raise TypeError("write_fixed() takes plan, column_names and mapping together, or none of them.")
    fixed = fixer.fixed
    written = 0
    total = result.rows_done
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(fixer.column_names)
        batch = 20_000
        for lo in range(0, total, batch):
            if cancel is not None and cancel.is_set():
                break
            for k, rec in enumerate(source.records(lo, min(total, lo + batch))):
                i = lo + k
                status = result.row_status(i)
                if not rec or (drop_invalid and status >= Severity.ERROR):
                    continue
                if status and any(c == "row.blank" for _, c in result.codes_for_row(i)):
                    continue
                writer.writerow(fixed(rec))
                written += 1
            if progress is not None:
                progress(min(total, lo + batch), total)
    return written


def write_error_report(
    result: ValidationResult,
    source: CsvSource,
    out: str | Path,
    issues: Iterable[tuple[ValidationIssue, Sequence[str] | None]] | None = None,
) -> int:
    """Write one line per finding (header findings first) with the rejected row's fields.

    Every cell is neutralised against formula injection. Returns the number of findings written.

    Args:
        result: The validation result.
        source: The validated file.
        out: The report's path.
        issues: The findings to write instead of the result's, each with the record to quote
            (None: the file's record), e.g. the findings of the data as edited.
    """
    n = 0
    rows = issues if issues is not None else ((issue, None) for issue in result.iter_issues())
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(
            [
                "row",
                "line",
                "column",
                "rule",
                "severity",
                "message",
                "suggested_fix",
                "value",
                "fixed_value",
                "record",
            ]
        )
        for issue, shown in rows:
            record = ""
            if issue.row >= 0:
                rec = shown if shown is not None else source.record(issue.row)
                record = source.delimiter.join(rec)
            writer.writerow(
                [
                    neutralize(str(x))
                    for x in (
                        issue.row + 1 if issue.row >= 0 else "header",
                        issue.line,
                        issue.column or "",
                        issue.code,
                        str(issue.severity),
                        issue.message,
                        issue.suggested_fix,
                        issue.original or "",
                        issue.normalized or "",
                        record,
                    )
                ]
            )
            n += 1
    return n


@dataclass
class PhoneNormalization:
    """What "Normalize phones" would write, and why the other phone values stay as they are.

    Attributes:
        changes: (row, CSV column, E.164 form) of every value to rewrite.
        already: Values already written in E.164.
        invalid: Values that are not a valid number (for the column's default region).
        blank: Empty phone cells.
        first_invalid: (row, CSV column) of the first invalid value, or None.
    """

    changes: list[tuple[int, int, str]] = field(default_factory=list)
    already: int = 0
    invalid: int = 0
    blank: int = 0
    first_invalid: tuple[int, int] | None = None


def normalize_phones(
    records: Iterable[tuple[int, Sequence[str]]],
    regions: Mapping[int, str],
    cancel: threading.Event | None = None,
) -> PhoneNormalization:
    """The E.164 form of every valid phone value, national formats included.

    ``(206) 266-1000`` in a US column becomes ``+12062661000``; a repairable value (missing
    ``+``, lost leading zero) is repaired as :class:`RowFixer` does; a value that is no valid
    number is counted and left.

    Args:
        records: (row, record) pairs, as shown (edits applied).
        regions: Phone column (CSV index) -> its default region (ISO 3166 alpha-2).
        cancel: Stops between records (the answer covers the records seen).
    """
    rules = {col: _phone_rules(region) for col, region in regions.items()}
    out = PhoneNormalization()
    for k, (row, record) in enumerate(records):
        if k % 1024 == 0 and cancel is not None and cancel.is_set():
            break
        for col, phones in rules.items():
            raw = record[col] if col < len(record) else ""
            value = raw.strip(TRIM_CHARS)
            if not value:
                out.blank += 1
                continue
            e164 = phones.e164(value)
            if e164 is None:
                out.invalid += 1
                if out.first_invalid is None:
                    out.first_invalid = (row, col)
            elif e164 == raw:
                out.already += 1
            else:
                out.changes.append((row, col, e164))
    return out
