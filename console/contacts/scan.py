"""Check a batch of records without turning most of them into Python lists.

Parsing every record with ``csv`` and transposing the batch into columns costs more than all the
rules together. For one plan and delimiter, :func:`row_scanner` compiles a single pattern that
matches one *clean-looking* record: every field unquoted (or simply quoted), without NUL, edge
whitespace where it would matter, or a value over the length limits, and every column with an
inline-able rule (email, ZIP, TIMESTAMP/DATETIME, small non-negative integers, TEXT maxLength)
already satisfying it. Columns whose rules need code (phones, time zones, the contact id, and
any column with several checks) are *captured* and checked column-wise with the engine's own
:func:`~console.contacts.rules.check_column`. Every other record ("dirty": quoted newlines,
stray quotes, ragged or blank rows, and every value the inline patterns do not accept) is matched
by the reader's record grammar instead, parsed with ``csv`` and checked by
:func:`~console.contacts.rules.check_batch`, exactly as before.

So a record's findings never depend on which path it took: the inline patterns accept only
values that the full checks would pass, the captured values are the values the full path would
check (no trimming can change them), and anything else takes the full path.
``tests/contacts/test_scan.py`` compares both on generated files.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress
from operator import itemgetter, methodcaller, not_

from console.api.models import ColumnDataType
from console.contacts.dialing import DialPlan, columns_read
from console.contacts.reader import parse_text
from console.contacts.result import RULE_CODES
from console.contacts.rules import (
    DATE_FAST,
    EMAIL,
    MAX_VALUE_LENGTH,
    NUMBER,
    ZIP,
    BatchFindings,
    ColumnCheck,
    ValidationPlan,
    check_batch,
    check_column,
    pack_findings,
    phone_fixes,
)

__all__ = ["RowScanner", "row_scanner"]

# Delimiters the inline patterns are safe with (none of them can match these characters;
# EMAIL's local part allows "|", so with "|" e-mail columns are captured instead).
_SAFE_DELIMITERS = (",", ";", "\t", "|")


def _scoped(pattern: re.Pattern[str]) -> str:
    """A compiled pattern's source with its ASCII flag kept when embedded in a larger one."""
    return f"(?a:{pattern.pattern})" if pattern.flags & re.ASCII else f"(?:{pattern.pattern})"


class RowScanner:
    """The compiled clean-record pattern of one plan and delimiter (see the module docstring).

    Attributes:
        pattern: ``findall`` over a batch's text yields one tuple per record: the captured
            columns' quote and value groups, then the whole record when it is dirty ('' when clean).
        captured: CSV columns captured, in group order.
    """

    def __init__(self, plan: ValidationPlan, delimiter: str) -> None:
        self.plan = plan
        self.delimiter = delimiter
        self.dialect: dict[str, object] = {
            "delimiter": delimiter,
            "quotechar": '"',
            "doublequote": True,
            "strict": False,
        }
        d = re.escape(delimiter)
        f = _Fields(d, plan.trim)
        by_column: dict[int, list[ColumnCheck]] = {}
        for chk in plan.checks:
            by_column.setdefault(chk.index, []).append(chk)
        checked = set(plan.checked_columns)
        # the dialing windows read these cells: captured, whatever their rules
        self.dialing = columns_read(plan.dialing) if isinstance(plan.dialing, DialPlan) else ()
        captured: list[int] = []
        fields: list[str] = []
        for col in range(plan.ncols):
            checks = by_column.get(col, [])
            if checks or col == plan.id_index or col in self.dialing:
                inline = (
                    f.inline(checks, delimiter) if col != plan.id_index and col not in self.dialing else None
                )
                if inline is not None:
                    fields.append(inline)
                    continue
                group = 2 * len(captured) + 1  # the opening quote's group; the value's is next
                fields.append(f'(")?({f.trimmed(MAX_VALUE_LENGTH, f.mid)})(?({group})")')
                captured.append(col)
            elif col in checked:
                fields.append(f.free(MAX_VALUE_LENGTH))
            else:  # not a list column: no rule applies, only the record grammar matters
                fields.append(f'(?:{f.mid}*+|"{f.qmid}*+")')
        clean = d.join(fields) + r"(?:\r?\n|\Z)"
        # The reader's record grammar (reader._record_pattern), plus its reading of an
        # unterminated quote: the rest of the text is one record. It matches at every record
        # start, so findall's matches are contiguous and follow the index record by record.
        start, inside = rf"(?<![^{d}\n])", rf"(?<=[^{d}\n])"
        record = (
            rf'(?=[\s\S])(?:[^"\n]++|{start}"[^"]*+(?:""[^"]*+)*+"|{inside}"|{start}"[\s\S]*+)*+(?:\n|\Z)'
        )
        self.pattern = re.compile(f"(?:{clean})|({record})")
        self.captured = tuple(captured)

    def check(
        self, text: str, count: int, first_row: int, values: dict[int, list[str]] | None = None
    ) -> BatchFindings | None:
        """Findings of the ``count`` records in ``text`` (whole records, decoded).

        ``values``, when given, receives the cells of every column the dialing windows read
        (:attr:`dialing`), one per record (blank when the record lacks the cell).

        Returns None when the scan does not split ``text`` into ``count`` records (the caller
        then takes the full path for the batch).
        """
        plan = self.plan
        entries = self.pattern.findall(text)
        if len(entries) != count:
            return None
        ncap = len(self.captured)
        # with one group, findall returns its strings instead of tuples
        dirty_text = list(map(itemgetter(2 * ncap), entries)) if ncap else entries
        dirty = list(compress(range(count), dirty_text))
        found: list[tuple[int, int, str]] = []
        columns: dict[int, list[str]] = {}
        for k, col in enumerate(self.captured):
            columns[col] = list(map(itemgetter(2 * k + 1), entries))
        del entries
        dirty_set = set(dirty)
        fixes: list[tuple[int, int, str]] = []
        for chk in plan.checks:
            vals = columns.get(chk.index)
            if vals is None:
                continue  # checked inline: every clean record passes
            problems = check_column(chk, vals)
            found.extend((i, chk.index, code) for i, code in problems if i not in dirty_set)
            if plan.phone_repairs and chk.kind == "phone":  # a captured value is the file's value
                fixes.extend(phone_fixes(chk, problems, vals, vals, first_row, dirty_set))
        id_hashes: array[int] = array("I")
        if plan.id_index is not None:
            ids = columns[plan.id_index]
            found.extend(
                (i, plan.id_index, "id.missing")
                for i in compress(range(count), map(not_, ids))
                if i not in dirty_set
            )
            encoded = map(methodcaller("encode", "utf-8", "surrogatepass"), ids)
            id_hashes = array("I", map(zlib.crc32, encoded))
        if dirty:
            dialect = self.dialect
            pieces = [dirty_text[i] for i in dirty]
            records = parse_text("".join(pieces), dialect)  # one reader for all of them
            if len(records) != len(pieces):  # csv splits one differently (a bare CR): one by one
                records = []
                for piece in pieces:
                    parts = parse_text(piece, dialect)
                    records.append([f for r in parts for f in r] if parts else [])
            sub = check_batch(records, plan, 0)
            for r, c, k in zip(sub.rows, sub.cols, sub.codes, strict=True):
                found.append((dirty[r], c, RULE_CODES[k]))
            if plan.id_index is not None:
                for k, i in enumerate(dirty):
                    id_hashes[i] = sub.id_hashes[k]
            fixes.extend((first_row + dirty[r], c, e164) for r, c, e164 in sub.phone_fixes)
        if values is not None:
            for col in self.dialing:
                cells = columns[col]
                for k, i in enumerate(dirty):
                    rec = records[k]
                    cells[i] = rec[col] if len(rec) > col else ""
                values[col] = cells
        return pack_findings(first_row, count, found, id_hashes, sorted(fixes))


class _Fields:
    """Field patterns for one delimiter (``d``, escaped) and trim mode."""

    def __init__(self, d: str, trim: bool) -> None:
        self.d = d
        self.trim = trim
        self.mid = f'[^{d}"\\r\\n\\x00]'  # a character of an unquoted field
        self.edge = f'[^{d}"\\x00-\\x20]'  # its first or last one, when edge whitespace matters
        self.qmid = '(?:[^"\\x00]|"")'  # a character of a quoted field
        self.qedge = '(?:[^"\\x00-\\x20]|"")'

    def trimmed(self, limit: int, mid: str, edge: str | None = None) -> str:
        """Values of at most ``limit`` characters without edge whitespace (empty included).

        Possessive, then a look back at the last character: no backtracking, and exact because
        the field must end right there (a delimiter, the closing quote or the end of the line).
        """
        edge = edge or self.edge
        return f"(?:{edge}{mid}{{0,{limit - 1}}}+(?<={edge}))?" if limit >= 1 else ""

    def free(self, limit: int) -> str:
        """A field whose only rules are the length limit, NUL and (without trimming) whitespace."""
        if self.trim:  # trimming never makes a value longer
            return f'(?:{self.mid}{{0,{limit}}}+|"{self.qmid}{{0,{limit}}}+")'
        quoted = f"(?:{self.qedge}(?:{self.qmid}{{0,{limit - 2}}}{self.qedge})?)?" if limit >= 2 else ""
        return f'(?:{self.trimmed(limit, self.mid)}|"{quoted}")'

    def bounded(self, pattern: str, *, short: bool = False) -> str:
        """``pattern`` (no edge whitespace, no quote, no delimiter) unquoted or quoted, within 512 chars.

        ``short``: the pattern cannot match more than 512 characters anyway (no length guard).
        """
        d = self.d
        guard = "" if short else f'(?=[^{d}"\\r\\n]{{0,{MAX_VALUE_LENGTH}}}+(?![^{d}"\\r\\n]))'
        return f'(?:{guard}{pattern}|"{guard}{pattern}")'

    def inline(self, checks: Sequence[ColumnCheck], delimiter: str) -> str | None:
        """Field pattern accepting only values that pass the column's one check, or None to capture."""
        if len(checks) != 1:
            return None
        chk = checks[0]
        if chk.kind == "email":
            return None if delimiter == "|" else self.bounded(_scoped(EMAIL))
        if chk.kind == "zip":
            return self.bounded(_scoped(ZIP), short=True)  # at most 10 characters
        if chk.kind in ("timestamp", "datetime"):
            # at most 35 characters (test_scan checks the widths)
            return self.bounded(_scoped(DATE_FAST[ColumnDataType(chk.kind.upper())]), short=True)
        if chk.kind == "text" and chk.max_length is not None and chk.max_length >= 2:
            return self.free(min(chk.max_length, MAX_VALUE_LENGTH))
        if chk.kind == "numeric":
            if chk.minimum is None and chk.maximum is None:
                return self.bounded(_scoped(NUMBER))
            if chk.minimum is not None and not chk.minimum <= 0:
                return None
            # non-negative integers of up to `digits` digits: all within [minimum, maximum]
            digits = MAX_VALUE_LENGTH
            if chk.maximum is not None:
                digits = 0
                while digits < MAX_VALUE_LENGTH and float("9" * (digits + 1)) <= chk.maximum:
                    digits += 1
            return self.bounded(f"(?:[0-9]{{1,{digits}}})?", short=True) if digits else None
        return None


@lru_cache(maxsize=8)
def row_scanner(plan: ValidationPlan, delimiter: str) -> RowScanner | None:
    """The scanner of a plan, or None when the plan or delimiter does not allow one."""
    if plan.ncols < 2 or delimiter not in _SAFE_DELIMITERS:
        return None  # a one-column file: a blank line would look like an empty value
    return RowScanner(plan, delimiter)
