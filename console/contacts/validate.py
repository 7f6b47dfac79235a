"""Validate a contact CSV against a ContactList definition, in batches, on one or more processes.

The main process extends the record index while worker processes check batches of records
(byte ranges of the index), so indexing and checking overlap. Progress is reported after
each batch; a ``threading.Event`` cancels between batches.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import compress
from operator import sub

from console.api.models import ContactList
from console.contacts import dialing as dial
from console.contacts.dialing import DialingSettings
from console.contacts.fixes import RowFixer
from console.contacts.phones import analyze_phone, fast_phone_pattern
from console.contacts.reader import CsvSource, parse_text
from console.contacts.result import RULE_INDEX, RULES, Severity, ValidationIssue, ValidationResult
from console.contacts.rules import (
    MAX_VALUE_LENGTH,
    TRIM_CHARS,
    BatchFindings,
    ValidationPlan,
    build_plan,
    check_batch,
    classify_datetime,
    guess_id_column,
    map_header,
)
from console.contacts.scan import RowScanner, row_scanner

__all__ = ["ValidationOptions", "attach_source", "explain_cell", "pool_start_method", "validate"]

Progress = Callable[[int, int], None]


@dataclass
class ValidationOptions:
    """Knobs of a validation run.

    Attributes:
        region: Default region for phone numbers written without ``+``.
        regions: Per phone column default region (list column name -> region).
        id_column: List column with the contact id; ``"auto"`` guesses from the names
            (``ContactId``, ``id`` …), None disables the id rules.
        mapping: Explicit header mapping (list column -> CSV column index or header text).
        processes: Worker processes; None picks 1 for small files and up to 2 (or the CPU
            count) for large ones.
        batch_rows: Records per batch (10,000: each worker holds a batch's text and captured
            columns; on the 1 M-row benchmark a worker peaked at ~74 MB PSS with 50,000, ~41 MB
            with 20,000 and ~34 MB with 10,000, with no measurable change in time).
        scan: Check clean-looking records with one compiled pattern per batch (the default);
            False parses every record with ``csv`` first (the reference path: same findings, slower).
        id_column_if_mapped: Check without the id rules when ``id_column`` is not in the header
            (the preview: the user may still be mapping it), instead of raising ValueError.
        phone_repairs: Also find the E.164 repair of every flagged phone cell, in the workers
            while the values are in hand (``ValidationResult.phone_fixes``; the preview's
            "Normalize phones").
        dialing: Also key every contact's dialing window in the workers, from the cells they
            read anyway (``ValidationResult.dialing``; no second pass over the file), when the
            list has windows (:func:`console.contacts.dialing.applies`).
        dialing_settings: The org's windows (None: the platform's documented default).
        dialing_at: The instant "callable" refers to (None: now).
    """

    region: str = "US"
    regions: dict[str, str] = field(default_factory=dict)
    id_column: str | None = "auto"
    mapping: Mapping[str, int | str] | None = None
    processes: int | None = None
    batch_rows: int = 10_000
    scan: bool = True
    id_column_if_mapped: bool = False
    phone_repairs: bool = False
    dialing: bool = False
    dialing_settings: DialingSettings | None = None
    dialing_at: datetime | None = None


def _check_range(
    data_path: str,
    codec: str,
    dialect: dict[str, object],
    offsets: array[int],
    first_row: int,
    plan: ValidationPlan,
    scan: bool = True,
) -> BatchFindings:
    """Worker body: read, decode and check records ``first_row``… whose offsets are given."""
    with open(data_path, "rb") as fh:
        fh.seek(offsets[0])
        raw = fh.read(offsets[-1] - offsets[0])
    count = len(offsets) - 1
    bad: dict[int, str] = {}
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        records = []
    else:
        scanner = _scanner(plan, dialect) if scan else None
        values: dict[int, list[str]] = {}
        found = scanner.check(text, count, first_row, values) if scanner is not None else None
        if found is not None:
            return _with_windows(found, plan, values, count)
        records = parse_text(text, dialect)
    if len(records) != count:
        records = []
        base = offsets[0]
        for k in range(count):
            piece = raw[offsets[k] - base : offsets[k + 1] - base]
            try:
                t = piece.decode(codec)
            except UnicodeDecodeError:
                t = piece.decode(codec, errors="replace")
                bad[k] = "encoding.undecodable"
            parts = parse_text(t, dialect)
            records.append([f for r in parts for f in r] if parts else [])
    longest = max(map(sub, offsets[1:], offsets[:-1]), default=0)
    found = check_batch(
        records, plan, first_row, bad, may_be_long=longest > MAX_VALUE_LENGTH, may_have_nul=b"\x00" in raw
    )
    if isinstance(plan.dialing, dial.DialPlan):
        values = {c: [r[c] if len(r) > c else "" for r in records] for c in dial.columns_read(plan.dialing)}
        found = _with_windows(found, plan, values, count)
    return found


_PHONE_ERRORS = frozenset(
    RULE_INDEX[code]
    for code, rule in RULES.items()
    if code.startswith("phone.") and rule.severity >= Severity.ERROR
)


def _with_windows(
    found: BatchFindings, plan: ValidationPlan, values: dict[int, list[str]], count: int
) -> BatchFindings:
    """``found`` with each row's window key (when the plan asks): a phone the batch rejects does not map."""
    dplan = plan.dialing
    if not isinstance(dplan, dial.DialPlan):
        return found
    invalid: dict[int, list[int]] = {}
    if dplan.automatic:
        wanted = set(dplan.cols)
        lo = found.first_row
        for r, c, k in zip(found.rows, found.cols, found.codes, strict=True):
            if c in wanted and k in _PHONE_ERRORS:
                invalid.setdefault(c, []).append(r - lo)
    found.dialing = dial.batch_windows(dplan, values, count, found.first_row, invalid)
    return found


def _scanner(plan: ValidationPlan, dialect: Mapping[str, object]) -> RowScanner | None:
    """The row scanner for a plan, when the file's dialect is the one it understands."""
    delimiter = dialect.get("delimiter")
    if not isinstance(delimiter, str) or {k: v for k, v in dialect.items() if k != "delimiter"} != {
        "quotechar": '"',
        "doublequote": True,
        "strict": False,
    }:
        return None
    return row_scanner(plan, delimiter)


def pool_start_method() -> str:
    """``fork`` is fast and shares the compiled phone patterns, but only safe single-threaded."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "spawn"


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PARENT_POLL_SECONDS = 0.5


def _end_with_parent(parent: int) -> None:
    """Pool-worker initializer: the worker ends when the validating process dies, whatever kills it.

    A worker waits on its call queue, whose write end it inherited, so it never sees the parent go
    (SIGKILL/SIGTERM of ``validate`` left both workers running under init). Linux delivers SIGKILL at
    the parent's death (``PR_SET_PDEATHSIG``); elsewhere, and as a back-up, a daemon thread polls
    ``os.getppid()`` and ends the worker once it changes.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no libc symbol: the thread below still watches
            pass
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int, poll: float = _PARENT_POLL_SECONDS) -> None:
    """End this process (no clean-up: the parent that would collect its results is gone) once re-parented."""
    while os.getppid() == parent:
        time.sleep(poll)
    os._exit(1)


def validate(
    source: CsvSource,
    definition: ContactList,
    *,
    options: ValidationOptions | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ValidationResult:
    """Check every record of ``source`` against ``definition``.

    Args:
        source: The opened CSV file.
        definition: The contact list (columns, phone/email columns, typed columns, options).
        options: Regions, id column, header mapping, processes.
        progress: Called with (rows done, rows known so far) after each batch; runs on the
            calling thread.
        cancel: When set, the run stops after the batches in flight and returns a partial
            result with ``cancelled=True``.

    Raises:
        ValueError: An option is wrong (unknown region or id column); the message says which.
    """
    opts = options or ValidationOptions()
    started = time.perf_counter()
    header = source.header
    mapping = map_header(
        header, definition.column_names, explicit=opts.mapping, header_line=source.header_line
    )
    header_issues = list(mapping.issues)  # the reader's own findings are added at the end
    if not header:
        header_issues.append(
            ValidationIssue(
                -1,
                1,
                None,
                "header.missing",
                Severity.ERROR,
                f"{source.path} is empty: it has no header row.",
                RULES["header.missing"].fix,
            )
        )
    id_column = guess_id_column(definition) if opts.id_column == "auto" else opts.id_column
    plan = build_plan(
        definition,
        header,
        mapping,
        region=opts.region,
        regions=opts.regions,
        id_column=id_column
        if (id_column in mapping.columns or (opts.id_column != "auto" and not opts.id_column_if_mapped))
        else None,
    )
    if opts.phone_repairs:
        plan = replace(plan, phone_repairs=True)
    if opts.dialing:
        plan = replace(
            plan,
            dialing=dial.dial_plan(
                definition,
                mapping.columns,
                settings=opts.dialing_settings,
                regions=opts.regions,
                region=opts.region,
            ),
        )

    batch = max(1, opts.batch_rows)
    batches: list[BatchFindings] = []
    ids = _RepeatedHashes()
    done = 0
    cancelled = False
    dialect = source.dialect
    data_path, codec = str(source.data_path), source.codec

    def offsets_for(lo: int, hi: int) -> array[int]:
        source.byte_range(lo, hi)  # ensures the index covers the range
        return source._offsets[lo + 1 : hi + 2]

    size_hint = source.size_bytes
    procs = opts.processes
    if procs is None:
        procs = min(2, os.cpu_count() or 1) if size_hint > 4_000_000 else 1
    if procs <= 1:
        lo = 0
        while True:
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            source.byte_range(lo, lo + batch)
            hi = min(lo + batch, source.indexed_rows)
            if hi <= lo:
                break
            batches.append(_check_range(data_path, codec, dialect, offsets_for(lo, hi), lo, plan, opts.scan))
            ids.add(batches[-1].id_hashes)
            done += hi - lo
            if progress is not None:
                progress(done, source.indexed_rows)
            lo = hi
    else:
        method = pool_start_method()
        if method == "fork":  # compile the patterns before forking so the workers share them
            for chk in plan.checks:
                if chk.kind == "phone":
                    fast_phone_pattern(chk.region)
            if opts.scan:
                _scanner(plan, source.dialect)
        ctx = multiprocessing.get_context(method)
        with ProcessPoolExecutor(
            max_workers=procs, mp_context=ctx, initializer=_end_with_parent, initargs=(os.getpid(),)
        ) as pool:
            pending: dict[Future[BatchFindings], int] = {}
            results: dict[int, BatchFindings] = {}
            lo = 0
            exhausted = False
            while True:
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    for f in pending:
                        f.cancel()
                    break
                # keep the workers fed (two batches each), extending the index as we go
                while not exhausted and len(pending) < 2 * procs:
                    step = _guided_step(source, lo, batch, procs)
                    source.byte_range(lo, lo + step)
                    hi = min(lo + step, source.indexed_rows)
                    if hi <= lo:
                        exhausted = True
                        break
                    fut = pool.submit(
                        _check_range, data_path, codec, dialect, offsets_for(lo, hi), lo, plan, opts.scan
                    )
                    pending[fut] = lo
                    lo = hi
                if not pending:
                    break
                finished, _ = wait(list(pending), timeout=0.1, return_when=FIRST_COMPLETED)
                for f in finished:
                    first = pending.pop(f)
                    res = f.result()
                    results[first] = res
                    ids.add(res.id_hashes)  # while the workers go on
                before = done
                while done in results:  # progress is the checked prefix: what "Stop checking" keeps
                    done += len(results[done].status)
                if done > before and progress is not None:
                    progress(done, source.indexed_rows)
            batches = [results[k] for k in sorted(results)]
            if cancelled:
                # keep only the contiguous prefix of finished batches
                contiguous, expect = [], 0
                for b in batches:
                    if b.first_row != expect:
                        break
                    contiguous.append(b)
                    expect += len(b.status)
                if len(contiguous) != len(batches):
                    ids = _RepeatedHashes()
                    for b in contiguous:
                        ids.add(b.id_hashes)
                batches = contiguous
    rows_done = sum(len(b.status) for b in batches)
    rows, cols, codes = array("i"), array("h"), array("B")
    status = bytearray()
    fixes: list[tuple[int, int, str]] | None = [] if plan.phone_repairs else None
    for b in batches:
        if fixes is not None:
            fixes.extend(b.phone_fixes)
        rows.extend(b.rows)
        cols.extend(b.cols)
        codes.extend(b.codes)
        status.extend(b.status)
    if plan.id_index is not None:
        _mark_duplicate_ids(source, plan, batches, rows, cols, codes, status, ids.repeated)
    total = source.row_count if not cancelled else rows_done
    explain = _Explainer(source, plan, mapping.columns)
    windows = None
    if isinstance(plan.dialing, dial.DialPlan):
        dial.forget_caches(plan.dialing)  # this process's, when it checked batches itself
        if not cancelled:
            merger = dial.WindowMerger(
                plan.dialing,
                (opts.dialing_at or datetime.now(UTC)).astimezone(UTC),
                opts.dialing_settings or DialingSettings(),
            )
            for b in batches:
                assert b.dialing is not None
                merger.take(b.dialing, source)
                b.dialing = None
            windows = merger.windows()
    # what the reader found while indexing (e.g. an unterminated quote): read now, as the index
    # grows during the check (it was read at the start, and lost what a later chunk found)
    reading = [i for i in source.issues if not cancelled or i.row < rows_done]
    return ValidationResult(
        total,
        rows,
        cols,
        codes,
        status,
        [*reading, *header_issues],
        explain,
        seconds=time.perf_counter() - started,
        cancelled=cancelled,
        rows_done=rows_done,
        fixer=RowFixer(plan, mapping.columns, definition.column_names),
        source=source,
        plan=plan,
        columns=mapping.columns,
        phone_fixes=fixes,
        dialing=windows,
    )


def _guided_step(source: CsvSource, lo: int, batch: int, procs: int) -> int:
    """Records for the next batch: ``batch``, shrinking near the end of the file.

    Each new batch gets at most 1/(2 x procs) of the records estimated to be left (from the
    bytes left and the mean record size so far), but no less than ``batch // 8``, so the
    workers run out of work within a small batch of each other instead of one full batch.
    """
    if lo <= 0 or lo >= source.indexed_rows:
        return batch
    offsets = source._offsets
    done_bytes = offsets[lo + 1] - offsets[1]
    if done_bytes <= 0:
        return batch
    left = (source.size_bytes - offsets[lo + 1]) * lo // done_bytes
    return max(1, batch // 8, min(batch, left // (2 * procs)))


class _RepeatedHashes:
    """CRC-32s of contact ids seen more than once, tracked batch by batch in a fixed 4 MB.

    A set of every hash held a million Python ints (~100 MB of the validating process, most of
    it never given back to the system). Instead one bit per 2^7-wide bucket of hashes remembers
    which buckets were seen; a hash landing in a seen bucket is a *candidate* (every repeated
    hash is one, and some 3 % of the others at a million ids). :attr:`repeated` then counts
    the candidates exactly over the batches' own hash arrays (C-level passes).
    """

    _BUCKET_SHIFT = 7  # 2^25 buckets of 2^7 hashes each, one bit each

    def __init__(self) -> None:
        self._seen = bytearray(1 << (32 - self._BUCKET_SHIFT - 3))
        self._candidates: set[int] = set()
        self._batches: list[array[int]] = []

    def add(self, hashes: array[int]) -> None:
        self._batches.append(hashes)
        seen, candidates, shift = self._seen, self._candidates, self._BUCKET_SHIFT
        for h in hashes:
            k = h >> shift
            byte, bit = k >> 3, 1 << (k & 7)
            b = seen[byte]
            if b & bit:
                candidates.add(h)
            else:
                seen[byte] = b | bit

    @property
    def repeated(self) -> set[int]:
        """The hashes added more than once."""
        candidates = self._candidates
        if not candidates:
            return set()
        counts: Counter[int] = Counter()
        for hashes in self._batches:
            counts.update(compress(hashes, map(candidates.__contains__, hashes)))
        return set(compress(counts.keys(), map((1).__lt__, counts.values())))


def _mark_duplicate_ids(
    source: CsvSource,
    plan: ValidationPlan,
    batches: list[BatchFindings],
    rows: array[int],
    cols: array[int],
    codes: array[int],
    status: bytearray,
    repeated: set[int] | None = None,
) -> None:
    """Find repeated contact ids: CRC-32 candidates, confirmed on the actual values.

    ``repeated`` is the set of hashes seen more than once, when the caller kept it while the
    batches came in.
    """
    hashes: array[int] = array("I")
    for b in batches:
        hashes.extend(b.id_hashes)
    if repeated is None:
        tracker = _RepeatedHashes()
        tracker.add(hashes)
        repeated = tracker.repeated
    if not repeated:
        return
    idx = plan.id_index
    assert idx is not None
    strip = plan.trim
    first_seen: dict[str, int] = {}
    dups: list[int] = []
    for i in compress(range(len(hashes)), map(repeated.__contains__, hashes)):
        rec = source.record(i)
        if len(rec) != plan.ncols:
            continue  # ragged or blank: already an error, its "id" is not trustworthy
        value = rec[idx]
        if strip:
            value = value.strip(TRIM_CHARS)
        if not value:
            continue
        if value in first_seen:
            dups.append(i)
        else:
            first_seen[value] = i
    if not dups:
        return
    # Merge the new findings into the sorted (row, col, code) arrays, slice by slice.
    dup_code = RULE_INDEX["id.duplicate"]
    new_rows, new_cols, new_codes = array("i"), array("h"), array("B")
    prev = 0
    for i in dups:  # ascending
        k = bisect_left(rows, i, lo=prev)
        while k < len(rows) and rows[k] == i and (cols[k], codes[k]) < (idx, dup_code):
            k += 1
        new_rows.extend(rows[prev:k])
        new_cols.extend(cols[prev:k])
        new_codes.extend(codes[prev:k])
        new_rows.append(i)
        new_cols.append(idx)
        new_codes.append(dup_code)
        prev = k
    new_rows.extend(rows[prev:])
    new_cols.extend(cols[prev:])
    new_codes.extend(codes[prev:])
    rows[:] = new_rows
    cols[:] = new_cols
    codes[:] = new_codes
    for i in dups:
        status[i] = max(status[i], Severity.ERROR)


def attach_source(
    result: ValidationResult, source: CsvSource, plan: ValidationPlan, columns: Mapping[str, int]
) -> None:
    """Re-attach ``source`` (the validated file, opened in this process) to an unpickled ``result``.

    Args:
        result: A result that crossed a process boundary (its source stays behind).
        source: The same file with the same encoding and delimiter.
        plan: The plan the result was made with.
        columns: List column -> CSV column index of that plan's header mapping.
    """
    result.attach(source, _Explainer(source, plan, columns))


class _Explainer:
    """Builds a :class:`ValidationIssue` (message, fix, values) for a stored finding."""

    def __init__(self, source: CsvSource, plan: ValidationPlan, columns: Mapping[str, int]) -> None:
        self.source = source
        self.plan = plan
        self.list_name = {v: k for k, v in columns.items()}
        self.checks = {(c.index, c.kind): c for c in plan.checks}

    def __call__(self, row: int, col: int, code: str) -> ValidationIssue:
        record = self.source.record(row)
        return explain_cell(
            self.plan, self.list_name, self.checks, record, row, self.source.physical_line(row), col, code
        )


def explain_cell(
    plan: ValidationPlan,
    list_name: Mapping[int, str],
    checks: Mapping[tuple[int, str], object],
    record: list[str],
    row: int,
    line: int,
    col: int,
    code: str,
) -> ValidationIssue:
    """Message, suggested fix and normalized value for one stored finding."""
    rule = RULES[code]
    where = f"line {line}"
    if col < 0:
        msg = {
            "row.ragged": f"Row {row + 1} ({where}) has {len(record)} fields; the header has {plan.ncols}.",
            "row.blank": f"Line {line} is blank.",
            "encoding.undecodable": f"Row {row + 1} ({where}) contains bytes that are not valid in the "
            "file's "
            "encoding; they were replaced by \ufffd.",
        }.get(code, f"Row {row + 1} ({where}): {rule.title}.")
        return ValidationIssue(row, line, None, code, rule.severity, msg, rule.fix)
    column = list_name.get(col) or (plan.header[col] if col < len(plan.header) else f"#{col + 1}")
    original = record[col] if col < len(record) else ""
    value = original.strip(TRIM_CHARS) if plan.trim else original
    shown = value if len(value) <= 60 else value[:57] + "…"
    fix = rule.fix
    normalized: str | None = None
    head = f"{column} {shown!r} (row {row + 1}, {where})"
    if code.startswith("phone."):
        chk = checks.get((col, "phone"))
        region = getattr(chk, "region", "US")
        pc = analyze_phone(value, region)
        normalized = pc.e164
        detail = f": {pc.detail}" if pc.detail else ""
        msg = f"{head}: {rule.title} (default region {region}){detail}."
        if normalized:
            fix = f"Use {normalized}."
    elif code == "value.too_long":
        msg = f"{column} in row {row + 1} ({where}) has {len(value)} characters; limit {MAX_VALUE_LENGTH}."
    elif code == "text.too_long":
        chk = checks.get((col, "text"))
        limit = getattr(chk, "max_length", "?")
        msg = f"{column} in row {row + 1} ({where}) has {len(value)} characters; maxLength is {limit}."
    elif code == "numeric.out_of_range":
        chk = checks.get((col, "numeric"))
        msg = f"{head} is outside {getattr(chk, 'minimum', None)}..{getattr(chk, 'maximum', None)}."
    elif code.startswith("datetime."):
        kind = "timestamp" if (col, "timestamp") in checks else "datetime"
        msg = f"{head}: {rule.title} ({kind.upper()})."
        assert classify_datetime(value, kind) in (code, None)
    elif code == "value.whitespace":
        msg = f"{head} has leading or trailing whitespace, and the list keeps it (trimWhitespace is off)."
        normalized = original.strip(TRIM_CHARS)
    elif code == "encoding.nul":
        msg = f"{column} in row {row + 1} ({where}) contains NUL characters."
        normalized = value.replace("\x00", "")
    elif code == "id.duplicate":
        msg = f"Contact id {shown!r} in row {row + 1} ({where}) repeats an earlier row."
    elif code == "id.missing":
        msg = f"Row {row + 1} ({where}) has no contact id in {column}."
    elif code == "zip.invalid":
        msg = f"{head}: {rule.title}."
        if value.isdigit() and len(value) in (3, 4):
            normalized = value.zfill(5)
            fix = f"Probably {normalized} (a spreadsheet dropped the leading zeros)."
    else:
        msg = f"{head}: {rule.title}."
    return ValidationIssue(row, line, column, code, rule.severity, msg, fix, original, normalized)
