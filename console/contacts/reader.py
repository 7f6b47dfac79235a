"""Reading contact CSV files: encoding and delimiter sniffing, a lazy record-offset index.

:func:`open_csv` looks only at the head of the file, so the first rows are available at once;
the index of record offsets (8 bytes per record, plus 4 for its physical line: an unsigned
32-bit array) grows on demand in chunks and respects quoted newlines. Records are parsed by
the stdlib ``csv`` module with the field-size limit lifted. Problems (undecodable bytes, NUL
characters, an unterminated quote) are reported as
:class:`~console.contacts.result.ValidationIssue` data, never raised; only a file that cannot be
opened at all raises :class:`CsvReadError`.

Encodings: a BOM decides (UTF-8, UTF-16, UTF-32). Otherwise strict UTF-8 on the sample; if
that fails, charset-normalizer's guess, except that a guess among the single-byte Latin code
pages becomes Windows-1252 when the sample decodes in it (charset-normalizer picks cp1250 for
Windows-1252 contact files, shared/RECIPES.md). The guess is confirmed over the whole file
while indexing; bytes that do not decode are reported per record. Files in encodings that are
not ASCII-compatible (UTF-16/32) are transcoded to a temporary UTF-8 file first.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import stat
import tempfile
import threading
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, count
from operator import add
from pathlib import Path

from console.contacts.result import Severity, ValidationIssue

__all__ = ["CsvReadError", "CsvSource", "FileChangedError", "IndexState", "open_csv", "private_temp_dir"]

# Lift the stdlib's 128 KiB field limit once (fields of many megabytes are legal CSV).
csv.field_size_limit(2**31 - 1)

SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 4 * 1024 * 1024
FIRST_CHUNK_BYTES = 256 * 1024
"""The index reads its first chunk small and doubles it up to :data:`CHUNK_BYTES`: the first screen
of rows needs ~2,000 records, and reading 4 MiB of a file not in the page cache took 0.1-0.6 s."""
DELIMITERS = (",", ";", "\t", "|")
_LATIN_GUESSES = {
    "cp1250",
    "cp1252",
    "latin_1",
    "iso8859_15",
    "iso8859_2",
    "cp1254",
    "iso8859_9",
    "mac_roman",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class IndexState:
    """A :class:`CsvSource`'s record index, as handed between processes (see ``index_state``).

    Attributes:
        size: Size of the data the offsets refer to.
        offsets: Start of every record (header first), then the end of the last one.
        lines: Physical line of each entry of ``offsets``.
        scan_pos: Where indexing goes on.
        complete: Whether the whole file is indexed.
        issues: Reading problems found while indexing.
        identity: Device, inode, size and mtime (ns) of the file when it was opened.
    """

    size: int
    offsets: array[int]
    lines: array[int]
    scan_pos: int
    complete: bool
    issues: list[ValidationIssue]
    identity: tuple[int, int, int, int] | None = None


class CsvReadError(Exception):
    """The file cannot be read at all (missing, a directory, no permission, not text, no header)."""


class FileChangedError(CsvReadError):
    """The file was truncated, rewritten or replaced since it was opened; its index no longer fits."""


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _open_sample(path: Path) -> tuple[int, bytes, tuple[int, int, int, int]]:
    """Size, head and identity of a regular file; refuses FIFOs, devices and sockets without blocking."""
    if os.path.exists(os.devnull) and path.exists() and os.path.samefile(path, os.devnull):
        raise CsvReadError(f"{path}: the file has no header line (it is empty).")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError as exc:
        raise CsvReadError(f"{path} is a directory, not a CSV file.") from exc
    except FileNotFoundError as exc:
        raise CsvReadError(f"{path} does not exist.") from exc
    except OSError as exc:
        raise CsvReadError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise CsvReadError(f"{path} is a directory, not a CSV file.")
        if not stat.S_ISREG(st.st_mode):
            kind = "a pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
            raise CsvReadError(f"{path} is {kind}, not a regular file; save the contacts to a file first.")
        try:
            sample = os.read(fd, SAMPLE_BYTES)
        except OSError as exc:
            raise CsvReadError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    finally:
        os.close(fd)
    return st.st_size, sample, _identity(st)


def _record_pattern(delimiter: str) -> re.Pattern[bytes]:
    """One record in bytes, with the csv module's quoting rules.

    A quote opens a quoted field only at the start of a field (after the delimiter or at the
    start of the record); inside, ``""`` is a literal quote; text after the closing quote runs
    to the next delimiter. A quote elsewhere is a literal character, as in ``csv`` (not strict).
    """
    d = re.escape(delimiter.encode())
    at_field_start = rb"(?<![^" + d + rb"\n])"
    mid_field = rb"(?<=[^" + d + rb"\n])"
    return re.compile(
        rb'(?:[^"\n]++|' + at_field_start + rb'"[^"]*+(?:""[^"]*+)*+"|' + mid_field + rb'")*+(?:\n|\Z)',
    )


def _sniff_encoding(sample: bytes, at_eof: bool) -> tuple[str, str]:
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, "byte order mark"
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=at_eof)
        return "utf-8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    guess = codecs.lookup(best.encoding).name.replace("-", "_") if best is not None else "cp1252"
    if guess in _LATIN_GUESSES or best is None:
        try:
            sample.decode("cp1252")
            return "cp1252", f"charset-normalizer guessed {guess}; Windows-1252 decodes it"
        except UnicodeDecodeError:
            pass
    return guess, "charset-normalizer"


def _sniff_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first records most consistently."""
    lines = text.splitlines()[:50]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # probably cut mid-record
    best, best_score = ",", (0.0, 0)
    for cand in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=cand) if r]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistency = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = (consistency, counts[0])
        if score > best_score:
            best, best_score = cand, score
    return best


def private_temp_dir() -> Path:
    """The app's private folder for temporary copies of contact files (0700, in the user cache dir).

    Copies left by a process that no longer runs (killed during a transcode) are deleted here,
    so the first copy a new process makes cleans up after the dead ones.
    """
    from console.paths import cache_dir, private_dir

    folder = private_dir(cache_dir() / "tmp")
    global _cleaned
    if not _cleaned:
        _cleaned = True
        clean_stale_copies(folder)
    return folder


_cleaned = False


def clean_stale_copies(folder: Path) -> int:
    """Delete ``contacts-<pid>-*`` copies whose process is gone; returns how many were deleted."""
    removed = 0
    for p in folder.glob("contacts-*-*.utf8.csv"):
        try:
            pid = int(p.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and _pid_alive(pid):
            continue
        if pid == os.getpid():
            continue
        with contextlib.suppress(OSError):
            p.unlink()
            removed += 1
    return removed


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap check: keep it (cleaned when that pid number is free again on POSIX)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class CsvSource:
    """A CSV file opened for random access by record number.

    Record 0 is the first data record (the header is separate). Physical line numbers are
    1-based and count the ``sep=`` line and the header. The index grows lazily and is safe to
    use from several threads.

    Attributes:
        path: The file as given.
        encoding: Codec name used to decode (detected or overridden).
        encoding_reason: Why that encoding was chosen.
        delimiter: Field delimiter (detected, ``sep=`` line, or overridden).
        header: The header row's fields.
        header_line: Physical line of the header.
        issues: Reading problems found so far (grow while indexing).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> None:
        self.path = Path(path)
        size, sample, ident = _open_sample(self.path)
        if encoding is not None:
            try:
                info = codecs.lookup(encoding)
            except LookupError as exc:
                raise CsvReadError(f"Unknown encoding {encoding!r} for {self.path}.") from exc
            if not getattr(info, "_is_text_encoding", True):
                raise CsvReadError(
                    f"{encoding!r} is not a text encoding (it transforms bytes or text); "
                    "give a character encoding such as utf-8 or cp1252."
                )
            enc = info.name
            reason = "given"
        else:
            enc, reason = _sniff_encoding(sample, at_eof=len(sample) >= size)
        self.encoding = enc
        self.encoding_reason = reason
        self.issues: list[ValidationIssue] = []
        self._tmp: Path | None = None
        self._data_path = self.path
        self._lock = threading.RLock()
        self._ident = ident
        self._fh: io.BufferedReader | None = None
        try:
            self._setup(sample, enc, delimiter)
        except BaseException:
            self.close()
            raise

    def _setup(self, sample: bytes, enc: str, delimiter: str | None) -> None:
        if (
            b"\x00" in sample
            and not enc.startswith(("utf-16", "utf-32"))
            and sample.count(b"\x00") > len(sample) // 4
        ):
            raise CsvReadError(f"{self.path} looks like a binary file (many NUL bytes), not a CSV text file.")
        try:
            text_sample = codecs.getincrementaldecoder(enc)(errors="replace").decode(sample)
            probe = '\r\n,;|\t"sep='
            ascii_compatible = enc == "utf-8-sig" or probe.encode(enc) == probe.encode("ascii")
        except (UnicodeError, TypeError, ValueError, LookupError) as exc:
            raise CsvReadError(f"The encoding {enc!r} does not fit {self.path}: {exc}.") from exc
        # Old Mac/Excel exports end lines with CR alone: read them as lines (a copy with LF).
        self.cr_only = "\r" in text_sample and "\n" not in text_sample
        if not ascii_compatible or self.cr_only:
            self._data_path = self._transcode(enc, ascii_compatible=ascii_compatible, cr_only=self.cr_only)
            self._codec = "utf-8" if not ascii_compatible else ("utf-8" if enc == "utf-8-sig" else enc)
        else:
            self._codec = "utf-8" if enc == "utf-8-sig" else enc
        self._fh = self._data_path.open("rb")
        st = os.fstat(self._fh.fileno())
        if self._tmp is None and (st.st_dev, st.st_ino) != self._ident[:2]:
            raise FileChangedError(f"{self.path}: the file changed on disk while it was opened — reopen it.")
        self._size = st.st_size
        head = self._read(0, min(self._size, SAMPLE_BYTES))
        start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        text_head = head[start:].decode(self._codec, errors="replace")
        sep_line = False
        m = re.match(r"sep=(.)(?:\r?\n|\Z)", text_head)
        if m is not None:
            sep_line = True
            start += len(m.group(0).encode(self._codec))
            text_head = text_head[m.end() :]
        if delimiter is None:
            delimiter = m.group(1) if m is not None else _sniff_delimiter(text_head)
        elif len(delimiter) != 1:
            raise CsvReadError(f"The delimiter must be one character, not {delimiter!r}.")
        self.delimiter = delimiter
        self.sep_line = sep_line
        self._pattern = _record_pattern(delimiter)
        self._dialect = {"delimiter": delimiter, "quotechar": '"', "doublequote": True, "strict": False}
        self._offsets = array("q", [start])  # start of every record; header first
        self._lines = array("I", [2 if sep_line else 1])
        self._scan_pos = start
        self._chunk = FIRST_CHUNK_BYTES
        self._complete = self._size <= start
        self._bare_cr: list[int] = []
        self._ensure(1)
        if self._count() < 1:
            raise CsvReadError(f"{self.path}: the file has no header line (it holds no text).")
        self.header_line = self._lines[0]
        self.header = self._parse_range(0, 1)[0]
        self._report_bare_cr()

    # -- lifecycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the file (and delete the UTF-8 copy of a UTF-16/32 file)."""
        with self._lock:
            if self._fh is not None:
                self._fh.close()
            if self._tmp is not None:
                with contextlib.suppress(OSError):
                    self._tmp.unlink()
                self._tmp = None

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transcode(self, enc: str, *, ascii_compatible: bool, cr_only: bool) -> Path:
        """A private copy: UTF-8 for encodings that are not ASCII-compatible, LF for CR-only files."""
        fd, name = tempfile.mkstemp(
            prefix=f"contacts-{os.getpid()}-", suffix=".utf8.csv", dir=private_temp_dir()
        )
        tmp = Path(name)
        self._tmp = tmp
        try:
            with os.fdopen(fd, "wb") as out, self.path.open("rb") as src:
                decoder = codecs.getincrementaldecoder(enc)(errors="replace")
                while True:
                    block = src.read(CHUNK_BYTES)
                    if ascii_compatible:
                        out.write(block.replace(b"\r", b"\n"))
                    else:
                        text = decoder.decode(block, final=not block)
                        out.write(
                            (text.replace("\r", "\n") if cr_only else text).encode("utf-8", "surrogatepass")
                        )
                    if not block:
                        break
        except (UnicodeError, TypeError, ValueError) as exc:
            raise CsvReadError(f"The encoding {enc!r} does not fit {self.path}: {exc}.") from exc
        except OSError as exc:
            raise CsvReadError(f"{self.path} cannot be copied for reading: {exc.strerror or exc}.") from exc
        st = os.stat(self.path)
        if (st.st_dev, st.st_ino) != self._ident[:2] or st.st_size != self._ident[2]:
            raise FileChangedError(f"{self.path}: the file changed on disk while it was opened — reopen it.")
        return tmp

    def check_unchanged(self) -> None:
        """Raise :class:`FileChangedError` if the file was truncated, rewritten or replaced since opened."""
        try:
            now = _identity(os.stat(self.path))
        except OSError as exc:
            raise FileChangedError(
                f"{self.path}: the file changed on disk (it is gone) — reopen it."
            ) from exc
        if now != self._ident:
            raise FileChangedError(f"{self.path}: the file changed on disk — reopen it.")

    # -- index -------------------------------------------------------------------------------------

    def _read(self, start: int, stop: int) -> bytes:
        """Bytes ``start:stop`` of the data; a short read or a changed size/mtime means the file changed."""
        with self._lock:
            fh = self._fh
            assert fh is not None
            if self._tmp is None:
                st = os.fstat(fh.fileno())
                if (st.st_size, st.st_mtime_ns) != self._ident[2:]:
                    raise FileChangedError(f"{self.path}: the file changed on disk — reopen it.")
            fh.seek(start)
            data = fh.read(stop - start)
            if len(data) < min(stop, self._size) - start:
                raise FileChangedError(
                    f"{self.path}: the file changed on disk (it is shorter now) — reopen it."
                )
            return data

    def _count(self) -> int:
        """Records indexed so far, header included."""
        return len(self._offsets) - 1

    def _ensure(self, records: int) -> None:
        """Index until ``records`` records (header included) are known, or the file ends."""
        while not self._complete and len(self._offsets) - 1 < records:
            with self._lock:
                if self._complete or len(self._offsets) - 1 >= records:
                    break
                self._index_chunk()

    def _index_chunk(self) -> None:
        if self._tmp is None:
            self.check_unchanged()  # also catches a replaced file (an editor's save renames over it)
        pos = self._scan_pos
        chunk = min(self._chunk, CHUNK_BYTES)
        self._chunk = chunk * 2
        block = self._read(pos, min(self._size, pos + chunk))
        at_eof = pos + len(block) >= self._size
        if not at_eof:
            cut = block.rfind(b"\n")
            if cut < 0:  # one giant line: read on until a newline
                more = block
                while cut < 0 and pos + len(more) < self._size:
                    more += self._read(pos + len(more), min(self._size, pos + len(more) + CHUNK_BYTES))
                    cut = more.rfind(b"\n")
                block = more
                at_eof = pos + len(block) >= self._size
            if not at_eof:
                block = block[: cut + 1]
        offsets, lines = self._offsets, self._lines
        line = line0 = lines[-1]
        i, n = 0, len(block)
        find, match = block.find, self._pattern.match
        while i < n:
            q = find(b'"', i)
            if q < 0:
                q = n
            seg_end = block.rfind(b"\n", i, q) + 1  # records wholly before the next quote
            if seg_end > i:
                # record k ends at pos + i + (sum of the first k+1 lengths) + (k+1) newlines;
                # all C-level iteration, no Python code per record
                parts = block[i : seg_end - 1].split(b"\n")
                offsets.extend(map(add, accumulate(map(len, parts)), count(pos + i + 1)))
                lines.extend(range(line + 1, line + 1 + len(parts)))
                line += len(parts)
                i = seg_end
            if q >= n:
                if i < n:  # the last record has no newline
                    offsets.append(pos + n)
                    lines.append(line + block.count(b"\n", i, n) + 1)
                    i = n
                break
            m = match(block, i)
            if m is None and not at_eof:
                break  # a quoted field runs past this chunk: read on from this record next time
            end = m.end() if m is not None else n
            if m is None:
                self.issues.append(
                    ValidationIssue(
                        row=len(offsets) - 2,
                        line=line,
                        column=None,
                        code="csv.unterminated_quote",
                        severity=Severity.ERROR,
                        message=f"A quoted field opened on line {line} is never closed; "
                        "the rest of the file is read as one record.",
                        suggested_fix="Close the quote or remove the stray quote character.",
                    )
                )
            line += block.count(b"\n", i, end)
            offsets.append(pos + end)
            lines.append(line + (0 if block[end - 1 : end] == b"\n" else 1))
            i = end
        n_cr = block.count(b"\r", 0, i) if i else 0
        if n_cr and n_cr != line - line0:  # as many CRs as LFs: CRLF lines (a lone CR is then unlikely)
            self._note_bare_cr(pos, block[:i], at_eof and pos + i >= self._size)
        if i == 0 and not at_eof:
            # a record larger than the chunk: grow the read window
            self._scan_big_record(pos)
            return
        self._scan_pos = pos + i
        if at_eof and self._scan_pos >= self._size:
            self._complete = True

    def _note_bare_cr(self, pos: int, block: bytes, to_eof: bool) -> None:
        """Remember where ``block`` (indexed data from ``pos``) holds a CR not followed by LF."""
        for m in _LONE_CR_BYTES.finditer(block):
            if len(self._bare_cr) >= MAX_BARE_CR_ISSUES:
                break
            if to_eof and m.end() == len(block):
                continue  # a CR ending the file ends its last line
            self._bare_cr.append(pos + m.start())
        if hasattr(self, "header"):
            self._report_bare_cr()

    def _report_bare_cr(self) -> None:
        """Turn remembered lone CRs into ``csv.bare_cr`` findings at their cell (needs the header)."""
        offsets = self._offsets
        for off in self._bare_cr:
            k = bisect_right(offsets, off) - 1
            if k < 0 or k >= len(offsets) - 1:
                continue
            raw = self._read(offsets[k], offsets[k + 1])
            fields = [f for r in parse_text(self.decode(raw)[0], self._dialect) for f in r]
            col = next((j for j, f in enumerate(fields) if "\r" in f), None)
            name = None
            if col is not None:
                name = self.header[col] if k > 0 and col < len(self.header) else f"column {col + 1}"
            where = f"row {k} (line {self._lines[k]})" if k > 0 else f"the header (line {self._lines[k]})"
            self.issues.append(
                ValidationIssue(
                    row=k - 1,
                    line=self._lines[k],
                    column=name,
                    code="csv.bare_cr",
                    severity=Severity.WARNING,
                    message=f"{name or 'A value'} in {where} holds a carriage return without a line feed; "
                    "it is kept in the value (the record ends at the line feed).",
                    suggested_fix="Remove the stray CR, or save the file with one kind of line ending.",
                    original=fields[col] if col is not None else None,
                )
            )
        self._bare_cr.clear()

    def _scan_big_record(self, pos: int) -> None:
        """Index one record that spans more than a chunk (a field of many megabytes)."""
        size = CHUNK_BYTES * 2
        while True:
            block = self._read(pos, min(self._size, pos + size))
            m = self._pattern.match(block)
            at_eof = pos + len(block) >= self._size
            if m is not None or at_eof:
                break
            size *= 2
        end = m.end() if m is not None else len(block)
        line = self._lines[-1] + block.count(b"\n", 0, end)
        self._offsets.append(pos + end)
        self._lines.append(line + (0 if block[end - 1 : end] == b"\n" else 1))
        self._scan_pos = pos + end
        if self._scan_pos >= self._size:
            self._complete = True

    def index_state(self) -> IndexState:
        """A copy of the record index built so far (to hand to another process that opened the same file)."""
        with self._lock:
            return IndexState(
                self._size,
                array("q", self._offsets),
                array("I", self._lines),
                self._scan_pos,
                self._complete,
                list(self.issues),
                self._ident,
            )

    def adopt_index(self, state: IndexState) -> bool:
        """Take over an index built by another process on this same file (same encoding and delimiter).

        Adopted only when it covers more than the index here and agrees with it (same file
        identity and data size, the index here a prefix of it); returns whether it was adopted.
        """
        with self._lock:
            if state.identity is not None and state.identity != self._ident:
                return False  # another file, or this one rewritten since (the caller indexes its own)
            n = len(self._offsets)
            if (
                state.size != self._size
                or len(state.offsets) <= n
                or state.offsets[:n] != self._offsets
                or len(state.lines) != len(state.offsets)
            ):
                return False
            self._offsets = array("q", state.offsets)
            self._lines = array("I", state.lines)
            self._scan_pos = state.scan_pos
            self._complete = state.complete
            self.issues[:] = state.issues
            return True

    def build_index(self) -> None:
        """Index the whole file (callers that need :attr:`row_count` pay for it once)."""
        self._ensure(2**62)

    @property
    def indexed_rows(self) -> int:
        """Data records indexed so far (grows while the index is built)."""
        return max(0, self._count() - 1)

    @property
    def index_complete(self) -> bool:
        """True once the whole file is indexed."""
        return self._complete

    @property
    def row_count(self) -> int:
        """Number of data records (builds the whole index on first use)."""
        self.build_index()
        return max(0, len(self._offsets) - 2)

    @property
    def size_bytes(self) -> int:
        """Size of the (possibly transcoded) data in bytes."""
        return self._size

    # -- records -----------------------------------------------------------------------------------

    def physical_line(self, i: int) -> int:
        """1-based physical line on which data record ``i`` starts."""
        self._ensure(i + 2)
        return self._lines[i + 1]

    def byte_range(self, start: int, stop: int) -> tuple[int, int]:
        """Byte offsets (in the data file) spanning data records ``start`` to ``stop``."""
        self._ensure(stop + 1)
        return self._offsets[start + 1], self._offsets[min(stop + 1, len(self._offsets) - 1)]

    def record(self, i: int) -> list[str]:
        """Data record ``i`` as a list of fields (``[]`` for a blank line).

        Raises:
            IndexError: ``i`` is past the last record.
        """
        rows = self.records(i, i + 1)
        if not rows:
            raise IndexError(f"record {i} is past the end of {self.path} ({self.row_count} records)")
        return rows[0]

    def records(self, start: int, stop: int) -> list[list[str]]:
        """Data records ``start`` (inclusive) to ``stop`` (exclusive), clipped at the end of the file."""
        if start < 0 or stop < start:
            raise IndexError(f"bad record range {start}:{stop}")
        self._ensure(stop + 1)
        last = self._count() - 1
        stop = min(stop, last)
        if start >= stop:
            return []
        return self._parse_range(start + 1, stop + 1)

    def iter_records(
        self, start: int = 0, stop: int | None = None, batch: int = 10_000
    ) -> Iterator[list[str]]:
        """Iterate data records in batches without holding the file in memory."""
        i = start
        while stop is None or i < stop:
            hi = i + batch if stop is None else min(stop, i + batch)
            rows = self.records(i, hi)
            if not rows:
                return
            yield from rows
            i += len(rows)

    def decode(self, raw: bytes) -> tuple[str, bool]:
        """Decode bytes of this file; returns the text and whether it decoded cleanly."""
        try:
            return raw.decode(self._codec), True
        except UnicodeDecodeError:
            return raw.decode(self._codec, errors="replace"), False

    def raw_range(self, start: int, stop: int) -> bytes:
        """Raw bytes of data records ``start`` to ``stop`` (for workers and fixes)."""
        lo, hi = self.byte_range(start, stop)
        return self._read(lo, hi)

    def _parse_range(self, lo: int, hi: int) -> list[list[str]]:
        """Parse index entries ``lo``..``hi`` (header = 0); one list per record, always."""
        offsets = self._offsets
        raw = self._read(offsets[lo], offsets[hi])
        text, _ = self.decode(raw)
        rows = parse_text(text, self._dialect)
        if len(rows) == hi - lo:
            return rows
        # The csv module split differently from the index (malformed quoting): parse per record.
        out = []
        for k in range(lo, hi):
            piece, _ = self.decode(self._read(offsets[k], offsets[k + 1]))
            parts = parse_text(piece, self._dialect)
            out.append([f for r in parts for f in r] if parts else [])
        return out

    @property
    def dialect(self) -> dict[str, object]:
        """Keyword arguments for ``csv.reader`` matching this file."""
        return dict(self._dialect)

    @property
    def data_path(self) -> Path:
        """The file the offsets refer to (a UTF-8 copy for UTF-16/32 input)."""
        return self._data_path

    @property
    def codec(self) -> str:
        """Codec for the bytes of :attr:`data_path`."""
        return self._codec


def parse_text(text: str, dialect: dict[str, object]) -> list[list[str]]:
    """Parse CSV text into records, keeping blank lines as empty records.

    ``csv.reader`` returns ``[]`` for a blank line; a record that ends the text without a
    newline is kept.

    A lone CR (one not followed by LF, and not ending the text) is part of the value, as in the
    record index, which ends records at LF only: ``csv`` alone would end the record there, so
    the same bytes would split differently depending on where a batch starts (the reader
    reports each such CR as ``csv.bare_cr``; the platform's import reads lines ending in LF or
    CRLF). It is swapped for a private-use character the text does not hold while parsing.
    """
    hold = ""
    if "\r" in text and _LONE_CR.search(text):
        hold = next(c for c in map(chr, _PLACEHOLDERS) if c not in text)
        text = _LONE_CR.sub(hold, text)
    reader = csv.reader(io.StringIO(text, newline=""), **dialect)  # type: ignore[arg-type]
    try:
        rows = list(reader)
    except csv.Error:
        # Only strict mode or a NUL in old Pythons raise; fall back to per-line parsing.
        rows = [next(csv.reader([line], **dialect), []) for line in text.splitlines()]  # type: ignore[arg-type]
    if hold:
        rows = [[f.replace(hold, "\r") for f in r] for r in rows]
    return rows


_LONE_CR = re.compile(r"\r(?!\n|\Z)")
_PLACEHOLDERS = (*range(0xE000, 0xF900), *range(0xF0000, 0xFFFFE))  # private use: 71,932 characters
_LONE_CR_BYTES = re.compile(rb"\r(?!\n)")
MAX_BARE_CR_ISSUES = 1000
"""Lone CRs reported one by one; past this many the file is probably in another format."""


def open_csv(
    path: str | os.PathLike[str], *, encoding: str | None = None, delimiter: str | None = None
) -> CsvSource:
    """Open a contact CSV file; reads only its head, so it returns at once for any size.

    Args:
        path: The CSV file.
        encoding: Override the detected encoding (any Python codec name).
        delimiter: Override the detected delimiter (one character).

    Raises:
        CsvReadError: The file does not exist, is a directory, cannot be read or is binary.
    """
    return CsvSource(path, encoding=encoding, delimiter=delimiter)
