"""Adapter over :mod:`console.contacts`: which rows to send, and the values to send for each.

The values are the engine's fixed values (:class:`console.contacts.fixes.RowFixer`, the same
implementation the fixed-file export uses): each list column takes the value of the CSV column
it maps to (exact, case-insensitive or spacing-insensitive match, or the user's explicit
mapping), trimmed like the platform trims (``trimWhitespace``, default on), NULs removed, phones
in E.164 when the value or its repair is a valid number. CSV columns that are not list columns
are not sent.

Everything here is deterministic, so a resumed job rebuilds exactly the bytes and contacts the
first run planned (the journal checks the file hash).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.api.models import ContactList
from console.contacts.fixes import RowFixer
from console.contacts.reader import CsvSource
from console.contacts.result import Severity, ValidationResult
from console.contacts.rules import TRIM_CHARS

__all__ = ["PreparedRow", "RowSelection", "SourceRows", "file_sha256"]


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class PreparedRow:
    """One CSV row ready to send.

    Attributes:
        row: Data record number (0-based, header excluded).
        source_id: The id column's value (None without an id column).
        data: List column name → value as sent.
    """

    row: int
    source_id: str | None
    data: dict[str, str]


@dataclass(frozen=True)
class RowSelection:
    """Which rows a job sends and why the others are skipped.

    Attributes:
        rows: Rows to send, ascending.
        skipped: Row → rule code of the reason (``row.invalid``, ``row.blank``, ``id.missing``).
    """

    rows: list[int]
    skipped: dict[int, str]


class SourceRows:
    """The contacts a CSV file yields for one list.

    Args:
        source: The opened CSV.
        definition: The list (columns, phone columns, ``trimWhitespace``).
        id_column: List column holding the contact id, or None.
        region: Default phone region for numbers written without ``+``.
        regions: Per phone column default region.
        mapping: Explicit header mapping (list column → CSV column index or header text).

    Attributes:
        fixer: The engine's fixed values for this file and list (shared with the fixed-file export).

    Raises:
        ValueError: The id column is not a list column or is not in the file, or a phone region
            is unknown.
    """

    def __init__(
        self,
        source: CsvSource,
        definition: ContactList,
        *,
        id_column: str | None,
        region: str = "US",
        regions: Mapping[str, str] | None = None,
        mapping: Mapping[str, int | str] | None = None,
    ) -> None:
        self.source = source
        self.definition = definition
        # build_plan checks the id column ("… is not a column of the list." / "… is not in the
        # file's header.") and the regions
        self.fixer = RowFixer.for_source(
            source, definition, region=region, regions=regions, mapping=mapping, id_column=id_column
        )
        self.columns: list[tuple[str, int]] = self.fixer.present
        self.missing_columns = self.fixer.missing
        self.trim = self.fixer.plan.trim
        self.id_column = id_column
        self.id_index: int | None = self.fixer.plan.id_index

    @property
    def header(self) -> list[str]:
        """The list columns the file provides, in list order (the clean file's header)."""
        return [c for c, _ in self.columns]

    def _value(self, record: Sequence[str], idx: int) -> str:
        return self.fixer.value(record, idx)

    def prepare(self, row: int, record: Sequence[str]) -> PreparedRow:
        """The contact for one record."""
        data = {name: self._value(record, idx) for name, idx in self.columns}
        source_id = None
        if self.id_index is not None:
            source_id = self._value(record, self.id_index)
        return PreparedRow(row, source_id, data)

    def rows(self, indexes: Sequence[int]) -> list[PreparedRow]:
        """Prepared rows for ascending record numbers (reads the span once)."""
        if not indexes:
            return []
        lo, hi = indexes[0], indexes[-1] + 1
        records = self.source.records(lo, hi)
        return [self.prepare(i, records[i - lo]) for i in indexes if i - lo < len(records)]

    def iter_chunks(self, indexes: Sequence[int], size: int) -> Iterator[list[PreparedRow]]:
        """Prepared rows in groups of ``size``."""
        for k in range(0, len(indexes), size):
            yield self.rows(indexes[k : k + size])

    def select(
        self, validation: ValidationResult | None, *, all_rows: bool, require_id: bool
    ) -> RowSelection:
        """Rows to send, and why the others are skipped.

        Valid rows by default (every row with ``all_rows``); never blank rows; never a row
        without an id when ``require_id`` (the server would mint an id, and a resend after a
        crash would then duplicate it).
        """
        chosen: list[int] = []
        skipped: dict[int, str] = {}
        for i, record in enumerate(self.source.iter_records()):
            checked = validation is not None and not all_rows and i < validation.rows_done
            if checked and validation is not None and validation.row_status(i) >= Severity.ERROR:
                skipped[i] = "row.invalid"
                continue
            if not any(f.strip(TRIM_CHARS) for f in record):
                skipped[i] = "row.blank"
                continue
            if validation is not None and not all_rows and i >= validation.rows_done:
                skipped[i] = "row.unchecked"  # validation was cancelled before this row
                continue
            if require_id and self.id_index is not None and not self._value(record, self.id_index):
                skipped[i] = "id.missing"
                continue
            chosen.append(i)
        return RowSelection(chosen, skipped)

    def clean_csv(self, indexes: Sequence[int], *, batch: int = 5_000) -> bytes:
        """The fixed, UTF-8, comma-separated file of the given rows, with a header row (§6.4).

        Fields are quoted when they hold a comma, quote, line break or surrounding spaces;
        lines end with CRLF; no blank line at the end.
        """
        lines = [",".join(map(_field, self.header))]
        for part in self.iter_chunks(indexes, batch):
            lines.extend(",".join([_field(p.data[c]) for c in self.header]) for p in part)
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")


_NEEDS_QUOTES = frozenset(',"\r\n')


def _field(value: str) -> str:
    """One CSV field: quoted when it holds a comma, quote or line break, or surrounding spaces (§6.4)."""
    if value and (not _NEEDS_QUOTES.isdisjoint(value) or value[0].isspace() or value[-1].isspace()):
        return '"' + value.replace('"', '""') + '"'
    return value
