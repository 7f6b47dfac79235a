"""Peak memory of a process tree, counted honestly: PSS summed over the processes, sampled.

RSS double-counts the pages processes share (a forked worker's copy-on-write pages, the shared
libraries): PSS (``/proc/PID/smaps_rollup``) divides each shared page among its users, so the
sum over the processes is the memory the tree really holds. Linux only.

As a module: :class:`PssSampler` samples a root process and its descendants from a thread.
As a script (``python benchmarks/pss.py ROOT_PID [EXCLUDE_PID ...]``): samples until its
standard input closes or it gets a line, then prints the peak as JSON (the UI benchmark runs it
in its own process so the sampling takes no GIL from the UI thread).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

__all__ = ["PssSampler", "tree_pss_kb"]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                out.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_pss(root: int, exclude: frozenset[int] = frozenset()) -> dict[int, int]:
    """PSS in kB of ``root`` and each of its descendants, without ``exclude``'s subtrees."""
    out: dict[int, int] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in exclude:
            continue
        out[pid] = _pss_kb(pid)
        todo.extend(_children(pid))
    return out


def tree_pss_kb(root: int, exclude: frozenset[int] = frozenset()) -> tuple[int, int]:
    """(PSS kB summed over ``root`` and its descendants, process count), without ``exclude``'s subtrees."""
    each = tree_pss(root, exclude)
    return sum(each.values()), len(each)


def _name(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    return " ".join(a.decode(errors="replace") for a in args[:4])[:60]


class PssSampler:
    """Samples a process tree's summed PSS every ``interval`` seconds from a daemon thread."""

    def __init__(self, root: int, interval: float = 0.05, exclude: frozenset[int] = frozenset()) -> None:
        self.root = root
        self.interval = interval
        self.exclude = exclude
        self.peak_kb = 0
        self.peak_procs = 0
        self.peak_detail: list[tuple[int, int]] = []
        """(pid, PSS kB) of each process at the peak."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pss-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            each = tree_pss(self.root, self.exclude)
            kb = sum(each.values())
            if kb > self.peak_kb:
                self.peak_kb, self.peak_procs = kb, len(each)
                self.peak_detail = sorted(each.items(), key=lambda p: -p[1])
            if self._stop.wait(self.interval):
                return

    def start(self) -> PssSampler:
        """Start sampling."""
        self._thread.start()
        return self

    def stop(self) -> float:
        """Stop; returns the peak in MB (10^6 bytes)."""
        self._stop.set()
        self._thread.join()
        return self.peak_kb * 1024 / 1e6

    def detail(self) -> str:
        """The processes at the peak, largest first: ``pid name: MB``."""
        return "; ".join(f"{pid} {_name(pid)!r}: {kb * 1024 / 1e6:.0f} MB" for pid, kb in self.peak_detail)


def main() -> int:
    """Sample ``argv[1]``'s tree (minus the subtrees in ``argv[2:]``) until stdin has a line or closes."""
    root = int(sys.argv[1])
    exclude = frozenset([os.getpid(), *(int(a) for a in sys.argv[2:])])  # not the sampler itself
    sampler = PssSampler(root, exclude=exclude).start()
    sys.stdin.readline()
    mb = sampler.stop()
    got = {"peak_mb": mb, "procs": sampler.peak_procs, "detail": sampler.detail()}
    sys.stdout.write(json.dumps(got) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
