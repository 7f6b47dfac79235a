"""Actions on a validation result: a clean UTF-8 CSV and an error report safe to open in Excel."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable
from pathlib import Path

from console.contacts.reader import CsvSource
from console.contacts.result import Severity, ValidationResult
from console.contacts.rules import TRIM_CHARS, ValidationPlan, _phone_rules

__all__ = ["neutralize", "write_error_report", "write_fixed"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value: str) -> str:
    """Make a cell inert in spreadsheets (OWASP CSV injection): prefix formula starters with ``'``."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_fixed(
    source: CsvSource,
    result: ValidationResult,
    plan: ValidationPlan,
    column_names: list[str],
    mapping: dict[str, int],
    out: str | Path,
    *,
    drop_invalid: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write the list's columns as clean UTF-8 CSV (no BOM): trimmed, NULs removed, phones in E.164.

    Rows with errors are dropped (unless ``drop_invalid`` is false), as are blank lines;
    repairable phone values (lost ``+``, lost leading zero) are written repaired.

    Args:
        source: The validated file.
        result: Its validation result.
        plan: The plan used (trim flag, phone columns and regions).
        column_names: The list's ``columnNames`` (the output header).
        mapping: List column -> CSV column index.
        out: Output path.
        drop_invalid: Leave out rows whose status is error.
        progress: Called with (rows done, total).
        cancel: Stops writing between batches (the file is then incomplete).

    Returns:
        Rows written.
    """
    phones = {c.index: _phone_rules(c.region) for c in plan.checks if c.kind == "phone"}
    order = [(name, mapping.get(name)) for name in column_names]
    written = 0
    total = result.rows_done
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(column_names)
        batch = 20_000
        for lo in range(0, total, batch):
            if cancel is not None and cancel.is_set():
                break
            for k, rec in enumerate(source.records(lo, min(total, lo + batch))):
                i = lo + k
                status = result.row_status(i)
                if not rec or (drop_invalid and status >= Severity.ERROR):
                    continue
                codes = {c for _, c in result.codes_for_row(i)}
                if "row.blank" in codes:
                    continue
                row = []
                for _, idx in order:
                    v = rec[idx] if idx is not None and idx < len(rec) else ""
                    if plan.trim:
                        v = v.strip(TRIM_CHARS)
                    if "\x00" in v:
                        v = v.replace("\x00", "")
                    if idx in phones and v:
                        v = phones[idx].e164(v) or v
                    row.append(v)
                writer.writerow(row)
                written += 1
            if progress is not None:
                progress(min(total, lo + batch), total)
    return written


def write_error_report(result: ValidationResult, source: CsvSource, out: str | Path) -> int:
    """Write one line per finding (header findings first) with the rejected row's fields.

    Every cell is neutralised against formula injection. Returns the number of findings written.
    """
    n = 0
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
        for issue in result.iter_issues():
            record = ""
            if issue.row >= 0:
                rec = source.record(issue.row)
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
