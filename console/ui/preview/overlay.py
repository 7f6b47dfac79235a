"""The file as shown: edits and removed rows beside the read-only source, and writing it out.

The page never rewrites the user's file: edits and removed rows live in an :class:`Overlay`
beside the source, and an upload or export writes "the file as shown" with
:func:`write_shown_csv` to a new UTF-8 file, keeping a map back to the original rows.
"""

from __future__ import annotations

import bisect
import csv
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from console.contacts.reader import CsvSource

__all__ = ["WRITE_BATCH", "Overlay", "write_shown_csv"]


class Overlay:
    """Edits and removed rows kept beside the read-only source (the undo commands change it).

    Attributes:
        edits: Row -> the whole edited record. Records are replaced, never changed in place
            (a :meth:`snapshot` shares them).
        removed: Removed rows, ascending. Replaced by every change, never changed in place
            (a :meth:`snapshot` shares it). An array, not a list: a snapshot crosses to the
            upload's child process, and pickling 980,000 rows holds the GIL ~20 ms as a list,
            ~11 ms as an array.
    """

    def __init__(self) -> None:
        self.edits: dict[int, list[str]] = {}
        self.removed: array[int] = array("q")
        self._removed_set: set[int] | None = set()

    def __getstate__(self) -> dict[str, object]:
        # the set of removed rows is rebuilt on first use where the overlay is unpickled
        return {"edits": self.edits, "removed": self.removed, "_removed_set": None}

    def clear(self) -> None:
        """Forget every edit and removal (a new file)."""
        self.edits = {}
        self.removed = array("q")
        self._removed_set = set()

    def snapshot(self) -> Overlay:
        """A copy for a worker in O(edits), not O(removed rows): the removed rows are shared.

        The copy builds its own set of removed rows on first use, on the thread that uses it.
        """
        snap = Overlay()
        snap.edits = dict(self.edits)
        snap.removed = self.removed
        snap._removed_set = None
        return snap

    def _set(self) -> set[int]:
        if self._removed_set is None:
            self._removed_set = set(self.removed)
        return self._removed_set

    @property
    def changed(self) -> bool:
        """Whether anything differs from the file."""
        return bool(self.edits or self.removed)

    def is_removed(self, row: int) -> bool:
        """Whether ``row`` was removed."""
        return row in self._set()

    def remove(self, rows: Sequence[int]) -> list[int]:
        """Remove rows; returns those that were not removed already."""
        removed = self._set()
        new = [r for r in rows if r not in removed]
        if new:
            removed.update(new)
            self.removed = array("q", sorted(removed))
        return new

    def restore(self, rows: Sequence[int]) -> None:
        """Undo :meth:`remove`."""
        removed = self._set()
        removed.difference_update(rows)
        self.removed = array("q", sorted(removed))

    def removed_among(self, rows: set[int]) -> int:
        """How many of ``rows`` are removed (set intersection, in C)."""
        return len(rows & self._set())

    def removed_before(self, row: int) -> int:
        """How many removed rows are below ``row``."""
        return bisect.bisect_left(self.removed, row)

    def kept_runs(self, rows: int) -> Iterator[tuple[int, int]]:
        """``[lo, hi)`` runs of the rows below ``rows`` that are not removed, ascending."""
        lo = 0
        for r in self.removed:
            if r >= rows:
                break
            if r > lo:
                yield lo, r
            lo = r + 1
        if lo < rows:
            yield lo, rows

    def visible_to_source(self, v: int) -> int:
        """Source row of the ``v``-th visible row (identity view): O(log² n), no big arrays."""
        removed = self.removed
        if not removed:
            return v
        s = v
        while True:
            s2 = v + bisect.bisect_right(removed, s)
            if s2 == s:
                return s
            s = s2

    def source_to_visible(self, row: int) -> int | None:
        """Visible index of source ``row`` in the identity view, None when removed."""
        if self.is_removed(row):
            return None
        return row - self.removed_before(row)

    def record(self, source: CsvSource, row: int) -> list[str]:
        """The record as shown (edited or as read)."""
        edited = self.edits.get(row)
        return list(edited) if edited is not None else source.record(row)


WRITE_BATCH = 2_000
"""Records parsed per call while writing a file: ``csv.reader`` holds the GIL for a whole call
(20,000 records: ~50 ms, a visible UI stall; 2,000: ~4 ms)."""


def write_shown_csv(
    source: CsvSource,
    overlay: Overlay,
    out: Path,
    *,
    rows: int | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[object], None] | None = None,
) -> array[int]:
    """Write the file as shown (edits applied, removed rows left out) as UTF-8, comma, CRLF.

    Returns the map new data row -> original row. The header is the original header.
    """
    total = source.row_count if rows is None else rows
    row_map: array[int] = array("q")
    edits = overlay.edits
    out.parent.mkdir(parents=True, exist_ok=True)
    reported = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(source.header)
        # only the rows kept are read and parsed (an upload of 20,000 rows out of 1,000,000 reads 20,000)
        for lo, hi in _batches(overlay.kept_runs(total), WRITE_BATCH):
            if cancel is not None and cancel.is_set():
                return row_map
            records = source.records(lo, hi)
            if edits:
                writer.writerows([edits.get(lo + k, rec) for k, rec in enumerate(records)])
            else:
                writer.writerows(records)
            row_map.extend(range(lo, lo + len(records)))
            reported = lo + len(records)
            if len(records) < hi - lo:  # the file ended
                break
            if progress is not None:
                progress((reported, total))
    if progress is not None and reported < total:
        progress((total, total))
    return row_map


def _batches(runs: Iterator[tuple[int, int]], size: int) -> Iterator[tuple[int, int]]:
    for first, stop in runs:
        for lo in range(first, stop, size):
            yield lo, min(stop, lo + size)


