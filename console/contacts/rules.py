"""Rules against a ContactList definition: header mapping, a column plan, and column-wise checks.

Checks run column by column over a batch of records, using C-level iteration (``map``,
``itertools.compress``) and compiled patterns, so that Python code runs per *finding* rather
than per cell. Everything here is plain data and module-level functions so that worker
processes can run :func:`check_batch`.
"""

from __future__ import annotations

import json
import re
import zlib
import zoneinfo
from array import array
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, repeat
from operator import gt, lt, methodcaller, ne, not_
from pathlib import Path

from pydantic import ValidationError

from console.api.models import ColumnDataType, ContactList
from console.contacts.phones import PhoneRules, is_known_region
from console.contacts.result import RULE_INDEX, RULES, Severity, ValidationIssue

__all__ = [
    "MAX_COLUMNS",
    "MAX_NAME_LENGTH",
    "MAX_VALUE_LENGTH",
    "TRIM_CHARS",
    "BatchFindings",
    "ColumnCheck",
    "DefinitionError",
    "HeaderMapping",
    "ValidationPlan",
    "build_plan",
    "check_batch",
    "check_column",
    "load_definition",
    "map_header",
    "phone_fixes",
]

MAX_COLUMNS = 50
MAX_NAME_LENGTH = 128
MAX_VALUE_LENGTH = 512
# Java's String.trim(): every code point up to U+0020 (the platform runs on the JVM).
TRIM_CHARS = "".join(chr(c) for c in range(0x21))
_SPACES = re.compile(r"[\s_\-]+")

EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+"
    r"@[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]{0,61}[A-Za-z0-9\u0080-\uffff])?"
    r"(?:\.[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]{0,61}[A-Za-z0-9\u0080-\uffff])?)+|"
)
ZIP = re.compile(r"\d{5}(?:-\d{4})?|")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|", re.ASCII)
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))"  # 02-29 goes to the slow path (leap years)
)
_TIME = r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?"
DATE_FAST = {
    ColumnDataType.TIMESTAMP: re.compile(rf"(?:19[7-9]\d|20[0-2]\d|203[0-7])-{_MONTH_DAY}{_TIME}|", re.ASCII),
    ColumnDataType.DATETIME: re.compile(rf"[1-9]\d{{3}}-{_MONTH_DAY}{_TIME}|", re.ASCII),
}
DATE_ANY = re.compile(rf"(\d{{4}})-(\d\d)-(\d\d){_TIME}", re.ASCII)
DATE_RANGE = {
    ColumnDataType.TIMESTAMP: ("1970-01-01", "2038-01-19"),
    ColumnDataType.DATETIME: ("1000-01-01", "9999-12-31"),
}


class DefinitionError(Exception):
    """The list definition file cannot be used (message names the file and the problem)."""


def load_definition(path: str | Path) -> ContactList:
    """Read a ContactList definition: the list's JSON as the API sends and receives it.

    Raises:
        DefinitionError: The file is missing, not JSON, or not a ContactList with column names.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DefinitionError(f"Cannot read the definition {p}: {exc.strerror or exc}.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"The definition {p} is not JSON (line {exc.lineno}: {exc.msg}).") from exc
    if isinstance(data, dict) and isinstance(data.get("entities"), list) and len(data["entities"]) == 1:
        data = data["entities"][0]  # a listing with one list
    try:
        definition = ContactList.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise DefinitionError(f"The definition {p} is not a ContactList: {where}: {first['msg']}.") from exc
    if not definition.column_names:
        raise DefinitionError(f"The definition {p} has no columnNames.")
    return definition


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def _squash(name: str) -> str:
    return _SPACES.sub("", name).casefold()


@dataclass
class HeaderMapping:
    """How the file's header maps onto the list's columns.

    Attributes:
        columns: List column name -> CSV column index.
        issues: Header findings (row -1).
    """

    columns: dict[str, int]
    issues: list[ValidationIssue] = field(default_factory=list)


def _header_issue(
    code: str, line: int, column: str | None, message: str, fix: str | None = None
) -> ValidationIssue:
    rule = RULES[code]
    return ValidationIssue(-1, line, column, code, rule.severity, message, fix or rule.fix, column, None)


def map_header(
    header: Sequence[str],
    column_names: Sequence[str],
    *,
    explicit: Mapping[str, int | str] | None = None,
    header_line: int = 1,
) -> HeaderMapping:
    """Match header cells to list columns: exact, then case-insensitive, then ignoring spacing.

    Args:
        header: The file's header cells.
        column_names: The list's ``columnNames``.
        explicit: List column -> CSV column (index or header text) chosen by the user; wins
            over automatic matching. Unknown names or indexes are reported as missing columns.
        header_line: Physical line of the header, for the findings.
    """
    issues: list[ValidationIssue] = []
    if len(header) > MAX_COLUMNS:
        issues.append(
            _header_issue(
                "header.too_many_columns",
                header_line,
                None,
                f"The header has {len(header)} columns; a list allows at most {MAX_COLUMNS}.",
            )
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name.strip():
            issues.append(
                _header_issue("header.blank", header_line, f"#{i + 1}", f"Header cell {i + 1} is empty.")
            )
            continue
        if len(name) > MAX_NAME_LENGTH:
            issues.append(
                _header_issue(
                    "header.name_too_long",
                    header_line,
                    name,
                    f"Column name {name[:40]!r}… has {len(name)} characters (max {MAX_NAME_LENGTH}).",
                )
            )
        key = _norm(name)
        if key in seen:
            issues.append(
                _header_issue(
                    "header.duplicate",
                    header_line,
                    name,
                    f"Column {name!r} (column {i + 1}) repeats column {seen[key] + 1}.",
                )
            )
        else:
            seen[key] = i
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for col in column_names:
        if explicit is not None and col in explicit:
            target = explicit[col]
            idx = (
                target
                if isinstance(target, int)
                else next((i for i, h in enumerate(header) if h == target), -1)
            )
            if 0 <= idx < len(header):
                columns[col] = idx
                taken.add(idx)
                continue
    for col in column_names:
        if col in columns:
            continue
        exact = [i for i, h in enumerate(header) if h == col and i not in taken]
        folded = [i for i, h in enumerate(header) if _norm(h) == _norm(col) and i not in taken]
        squashed = [i for i, h in enumerate(header) if _squash(h) == _squash(col) and i not in taken]
        if exact:
            idx = exact[0]
        elif folded:
            idx = folded[0]
            code = (
                "header.case_mismatch"
                if header[idx].strip() == header[idx] and " ".join(header[idx].split()) == header[idx]
                else "header.spacing_mismatch"
            )
            issues.append(
                _header_issue(
                    code,
                    header_line,
                    header[idx],
                    f"Header {header[idx]!r} matches list column {col!r} only "
                    + ("ignoring case." if code == "header.case_mismatch" else "ignoring spacing."),
                    None if code == "header.case_mismatch" else f"Rename the header to {col!r}.",
                )
            )
        elif squashed and _squash(col):
            idx = squashed[0]
            issues.append(
                _header_issue(
                    "header.spacing_mismatch",
                    header_line,
                    header[idx],
                    f"Header {header[idx]!r} matches list column {col!r} only ignoring "
                    "spaces, underscores and hyphens.",
                    f"Rename the header to {col!r}.",
                )
            )
        else:
            issues.append(
                _header_issue(
                    "header.missing_column",
                    header_line,
                    col,
                    f"List column {col!r} is not in the file's header.",
                )
            )
            continue
        columns[col] = idx
        taken.add(idx)
    for i, h in enumerate(header):
        if i not in taken and h.strip():
            issues.append(
                _header_issue(
                    "header.extra_column",
                    header_line,
                    h,
                    f"Column {h!r} is not a column of the list; it will be ignored.",
                )
            )
    return HeaderMapping(columns, issues)


@dataclass(frozen=True)
class ColumnCheck:
    """One check on one CSV column.

    Attributes:
        kind: ``phone``, ``email``, ``zip``, ``timezone``, ``numeric``, ``text``, ``timestamp``,
            ``datetime`` or ``id``.
        index: CSV column index.
        name: List column name.
        region: Default region for phone columns.
        minimum: NUMERIC lower bound (inclusive).
        maximum: NUMERIC upper bound (inclusive).
        max_length: TEXT maximum length.
    """

    kind: str
    index: int
    name: str
    region: str = "US"
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class ValidationPlan:
    """Everything a worker needs to check a batch of records (picklable).

    Attributes:
        ncols: Fields per record (the header's length).
        header: The header cells.
        trim: Whether the platform trims values (``trimWhitespace``, default true).
        checks: Column checks.
        id_index: CSV column of the contact id, or None.
        checked_columns: CSV columns that map to a list column (the value length limit applies).
        phone_repairs: Also report the E.164 repair of each flagged phone cell
            (:attr:`BatchFindings.phone_fixes`; the preview asks for them, the command line does not).
        dialing: Also key every row's dialing window (:attr:`BatchFindings.dialing`): the plan of
            :func:`console.contacts.dialing.dial_plan`, or None.
    """

    ncols: int
    header: tuple[str, ...]
    trim: bool
    checks: tuple[ColumnCheck, ...]
    id_index: int | None
    checked_columns: tuple[int, ...]
    phone_repairs: bool = False
    dialing: Hashable | None = None


def build_plan(
    definition: ContactList,
    header: Sequence[str],
    mapping: HeaderMapping,
    *,
    region: str = "US",
    regions: Mapping[str, str] | None = None,
    id_column: str | None = None,
) -> ValidationPlan:
    """Turn a definition and a header mapping into the column checks.

    Args:
        definition: The contact list.
        header: The file's header.
        mapping: From :func:`map_header`.
        region: Default phone region for columns not in ``regions``.
        regions: Phone column name -> default region.
        id_column: List column holding the contact id (the upload's ``contactIdName``).

    Raises:
        ValueError: A region code or the id column is unknown (message says which).
    """
    regions = dict(regions or {})
    for name, reg in [("default", region), *regions.items()]:
        if not is_known_region(reg):
            raise ValueError(
                f"Unknown phone region {reg!r} for {name}; use a two-letter code such as US or GB."
            )
    cols = mapping.columns
    checks: list[ColumnCheck] = []
    for pc in definition.phone_columns or []:
        if pc.column_name in cols:
            checks.append(
                ColumnCheck(
                    "phone",
                    cols[pc.column_name],
                    pc.column_name,
                    region=regions.get(pc.column_name, region).upper(),
                )
            )
        if pc.callable_time_column and pc.callable_time_column in cols:
            checks.append(ColumnCheck("timezone", cols[pc.callable_time_column], pc.callable_time_column))
    for ec in [*(definition.email_columns or [])]:
        if ec.column_name in cols:
            checks.append(ColumnCheck("email", cols[ec.column_name], ec.column_name))
        if ec.contactable_time_column and ec.contactable_time_column in cols:
            checks.append(
                ColumnCheck("timezone", cols[ec.contactable_time_column], ec.contactable_time_column)
            )
    if definition.automatic_time_zone_mapping and definition.zip_code_column_name in cols:
        name = definition.zip_code_column_name
        assert name is not None
        checks.append(ColumnCheck("zip", cols[name], name))
    for spec in definition.column_data_type_specifications or []:
        if spec.column_name not in cols or spec.column_data_type is None:
            continue
        idx = cols[spec.column_name]
        kind = ColumnDataType(spec.column_data_type)
        if kind is ColumnDataType.NUMERIC:
            checks.append(ColumnCheck("numeric", idx, spec.column_name, minimum=spec.min, maximum=spec.max))
        elif kind is ColumnDataType.TEXT:
            if spec.max_length is not None:
                checks.append(ColumnCheck("text", idx, spec.column_name, max_length=spec.max_length))
        else:
            checks.append(ColumnCheck(kind.value.lower(), idx, spec.column_name))
    seen: set[tuple[str, int]] = set()
    unique = []
    for c in checks:
        if (c.kind, c.index) not in seen:
            seen.add((c.kind, c.index))
            unique.append(c)
    id_index = None
    if id_column is not None:
        if id_column not in cols:
            known = id_column in definition.column_names
            raise ValueError(
                f"The contact id column {id_column!r} is "
                + ("not in the file's header." if known else "not a column of the list.")
            )
        id_index = cols[id_column]
    trim = definition.trim_whitespace is not False
    return ValidationPlan(
        len(header), tuple(header), trim, tuple(unique), id_index, tuple(sorted(cols.values()))
    )


def guess_id_column(definition: ContactList) -> str | None:
    """A list column that looks like the contact id (``ContactId``, ``contact_id``, ``id``), or None."""
    for name in definition.column_names:
        if _squash(name) in {"contactid", "id", "customerid", "externalid"}:
            return name
    return None


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {""}


@lru_cache(maxsize=16)
def _phone_rules(region: str) -> PhoneRules:
    return PhoneRules(region)


def classify_datetime(value: str, kind: str) -> str | None:
    """``datetime.invalid``, ``datetime.out_of_range`` or None for one value (empty is fine)."""
    if not value:
        return None
    ctype = ColumnDataType(kind.upper())
    m = DATE_ANY.fullmatch(value)
    if m is None:
        return "datetime.invalid"
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    import calendar

    if not (1 <= mo <= 12) or not (1 <= d <= calendar.monthrange(max(y, 1), mo)[1]):
        return "datetime.invalid"
    lo, hi = DATE_RANGE[ctype]
    return None if lo <= value[:10] <= hi else "datetime.out_of_range"


@dataclass
class BatchFindings:
    """Findings of one batch, in compact form.

    Attributes:
        first_row: Row number of the batch's first record.
        rows: Row of each finding (ascending).
        cols: CSV column of each finding (-1 for the whole row).
        codes: Rule index (:data:`~console.contacts.result.RULE_CODES`) of each finding.
        status: One :class:`Severity` byte per row of the batch.
        id_hashes: CRC-32 of each row's contact id (empty when there is no id column).
        phone_fixes: With :attr:`ValidationPlan.phone_repairs`: (row, CSV column, E.164) of each
            flagged phone cell whose repair differs from the value in the file, ascending.
        dialing: With :attr:`ValidationPlan.dialing`: each row's window key
            (:func:`console.contacts.dialing.batch_windows`), else None.
    """

    first_row: int
    rows: array[int]
    cols: array[int]
    codes: array[int]
    status: bytearray
    id_hashes: array[int]
    phone_fixes: list[tuple[int, int, str]] = field(default_factory=list)
    dialing: tuple[array[int], list[tuple[object, ...]], list[tuple[int, int]]] | None = None


def check_column(chk: ColumnCheck, vals: Sequence[str]) -> list[tuple[int, str]]:
    """(index, rule code) of the values that fail one column check, ascending by index.

    Args:
        chk: The check.
        vals: The column's values, already trimmed when the list trims.
    """
    n = len(vals)
    if chk.kind == "phone":
        return _phone_rules(chk.region).problems(vals)
    if chk.kind == "email":
        return [(i, "email.invalid") for i in compress(range(n), map(not_, map(EMAIL.fullmatch, vals)))]
    if chk.kind == "zip":
        return [(i, "zip.invalid") for i in compress(range(n), map(not_, map(ZIP.fullmatch, vals)))]
    if chk.kind == "timezone":
        tz = _time_zones()
        return [(i, "timezone.invalid") for i in compress(range(n), map(not_, map(tz.__contains__, vals)))]
    if chk.kind == "numeric":
        bad = set(compress(range(n), map(not_, map(NUMBER.fullmatch, vals))))
        out: list[tuple[int, str]] = [(i, "numeric.invalid") for i in sorted(bad)]
        if chk.minimum is not None or chk.maximum is not None:
            clean = list(vals)
            for i in bad:
                clean[i] = "nan"
            nums = list(map(float, [v or "nan" for v in clean]))
            outside: set[int] = set()
            if chk.minimum is not None:
                outside.update(compress(range(n), map(lt, nums, repeat(chk.minimum))))
            if chk.maximum is not None:
                outside.update(compress(range(n), map(gt, nums, repeat(chk.maximum))))
            out.extend((i, "numeric.out_of_range") for i in sorted(outside))
            out.sort()
        return out
    if chk.kind == "text":
        assert chk.max_length is not None
        return [
            (i, "text.too_long") for i in compress(range(n), map(gt, map(len, vals), repeat(chk.max_length)))
        ]
    if chk.kind in ("timestamp", "datetime"):
        fast = DATE_FAST[ColumnDataType(chk.kind.upper())].fullmatch
        out = []
        for i in compress(range(n), map(not_, map(fast, vals))):
            verdict = classify_datetime(vals[i], chk.kind)
            if verdict is not None:
                out.append((i, verdict))
        return out
    return []


def check_batch(
    records: list[list[str]],
    plan: ValidationPlan,
    first_row: int,
    bad_rows: Mapping[int, str] | None = None,
    *,
    may_be_long: bool = True,
    may_have_nul: bool = True,
) -> BatchFindings:
    """Check a batch of records against a plan.

    Args:
        records: Parsed records (``[]`` for a blank line).
        plan: From :func:`build_plan`.
        first_row: Row number of ``records[0]``.
        bad_rows: Batch-relative row -> rule code found while reading (e.g. ``encoding.undecodable``).
        may_be_long: False when the caller knows no record exceeds 512 characters (skips that rule).
        may_have_nul: False when the caller knows the batch has no NUL character.
    """
    n = len(records)
    ncols = plan.ncols
    found: list[tuple[int, int, str]] = []
    skip: set[int] = set()
    if bad_rows:
        for i, code in bad_rows.items():
            found.append((i, -1, code))
    if set(map(len, records)) != {ncols} and n:
        fixed = []
        for i, r in enumerate(records):
            if len(r) != ncols:
                if not r or (len(r) == 1 and not r[0].strip(TRIM_CHARS)):
                    found.append((i, -1, "row.blank"))
                else:
                    found.append((i, -1, "row.ragged"))
                skip.add(i)
                r = (r + [""] * ncols)[:ncols]
            fixed.append(r)
        records = fixed
    columns = list(zip(*records, strict=True)) if n and ncols else [()] * ncols
    values: dict[int, Sequence[str]] = {}

    def col_values(idx: int) -> Sequence[str]:
        got = values.get(idx)
        if got is None:
            raw = columns[idx]
            got = list(map(methodcaller("strip", TRIM_CHARS), raw)) if plan.trim else raw
            values[idx] = got
        return got

    for idx in plan.checked_columns:
        raw = columns[idx]
        if may_be_long and max(map(len, raw), default=0) > MAX_VALUE_LENGTH:
            vals = col_values(idx)
            found.extend(
                (i, idx, "value.too_long")
                for i in compress(range(n), map(gt, map(len, vals), repeat(MAX_VALUE_LENGTH)))
            )
        if not plan.trim:
            stripped = list(map(methodcaller("strip", TRIM_CHARS), raw))
            found.extend((i, idx, "value.whitespace") for i in compress(range(n), map(ne, raw, stripped)))
        if may_have_nul:
            found.extend(
                (i, idx, "encoding.nul")
                for i in compress(range(n), map(methodcaller("__contains__", "\x00"), raw))
            )
    fixes: list[tuple[int, int, str]] = []
    for chk in plan.checks:
        idx = chk.index
        problems = check_column(chk, col_values(idx))
        found.extend((i, idx, code) for i, code in problems)
        if plan.phone_repairs and chk.kind == "phone":
            fixes.extend(phone_fixes(chk, problems, col_values(idx), columns[idx], first_row, skip))
    id_hashes: array[int] = array("I")
    if plan.id_index is not None:
        ids = col_values(plan.id_index)
        found.extend((i, plan.id_index, "id.missing") for i in compress(range(n), map(not_, ids)))
        id_hashes = array("I", map(zlib.crc32, map(methodcaller("encode", "utf-8", "surrogatepass"), ids)))
    if skip:
        found = [f for f in found if f[0] not in skip or f[1] == -1]
    return pack_findings(first_row, n, found, id_hashes, sorted(fixes))


def phone_fixes(
    chk: ColumnCheck,
    problems: Sequence[tuple[int, str]],
    checked: Sequence[str],
    raw: Sequence[str],
    first_row: int,
    skip: set[int] | frozenset[int] = frozenset(),
) -> list[tuple[int, int, str]]:
    """(row, column, E.164) of a phone column's flagged cells that have a repair unlike the file's value.

    Args:
        chk: The phone check.
        problems: What :func:`check_column` found in the column (batch-relative rows).
        checked: The values it checked (trimmed when the list trims).
        raw: The values as in the file.
        first_row: Row number of the batch's first record.
        skip: Batch rows whose cell findings do not count (ragged or blank records).
    """
    rules = _phone_rules(chk.region)
    out: list[tuple[int, int, str]] = []
    for i, code in problems:
        if i in skip:
            continue
        e164 = rules.repair(checked[i], code)
        if e164 and e164 != raw[i]:
            out.append((first_row + i, chk.index, e164))
    return out


def pack_findings(
    first_row: int,
    count: int,
    found: list[tuple[int, int, str]],
    id_hashes: array[int],
    phone_fixes: list[tuple[int, int, str]] | None = None,
) -> BatchFindings:
    """Pack a batch's ``(row in batch, column, rule code)`` findings into compact arrays, sorted.

    Each row's status is the worst severity among its findings (0 when it has none).
    """
    found.sort()
    status = bytearray(count)
    rows, cols, codes = array("i"), array("h"), array("B")
    for i, c, code in found:
        rows.append(first_row + i)
        cols.append(c)
        codes.append(RULE_INDEX[code])
        sev = RULES[code].severity
        if sev > status[i]:
            status[i] = sev
    return BatchFindings(first_row, rows, cols, codes, status, id_hashes, phone_fixes or [])


__all__ += ["Severity", "classify_datetime", "guess_id_column"]
