"""Flags shared between a parent and its spawned child: ``is_set()``-style, no thread, no lock.

A :class:`SharedFlag` is one ``c_bool`` in shared memory (``multiprocessing.RawValue``). Not
``multiprocessing.Event``: its ``set()`` waits for every sleeper to wake, and hangs for ever
when a waiting child has died (a kill, the simulated crash). Reading the flag needs no thread,
so a child can still ``fork`` its own worker pool (``fork`` is only safe single-threaded).

It is a :class:`threading.Event` subclass (every method overridden) only so that the lower
layers, typed for a ``threading.Event`` cancel flag, take it as is: the job polls it directly.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from ctypes import c_bool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

__all__ = ["Flags", "SharedFlag"]

POLL_S = 0.02
"""How often :meth:`SharedFlag.wait` looks at the flag."""


class SharedFlag(threading.Event):
    """A boolean shared with spawned children: ``is_set``, ``set``, ``clear``, ``wait``.

    Create it in the parent and pass it to the child in the ``Process`` arguments (shared
    memory is handed over only while spawning). With ``orphan_sets``, the child that received it
    also reads it as set once its parent is gone (it was re-parented): the children are not
    daemonic (they start worker pools), so an orphan stops its work on its own. Processes the
    child forks do not watch (their parent is the child).

    Args:
        ctx: The multiprocessing context (spawn by default).
        orphan_sets: Whether the receiving child treats "my parent is gone" as set.
    """

    def __init__(self, ctx: BaseContext | None = None, *, orphan_sets: bool = False) -> None:
        super().__init__()
        self._value: Any = (ctx or multiprocessing.get_context("spawn")).RawValue(c_bool, False)
        self._orphan_sets = orphan_sets
        self._owner = os.getpid()
        self._watcher: int | None = None  # the child's pid, set where the flag was unpickled

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._value, self._orphan_sets, self._owner))

    def is_set(self) -> bool:
        """True once set here or in the other process (or, see ``orphan_sets``, once orphaned)."""
        if self._value.value:
            return True
        return self._orphan_sets and self._watcher == os.getpid() and os.getppid() != self._owner

    def set(self) -> None:
        """Set the flag (seen by the other process at its next look)."""
        self._value.value = True

    def clear(self) -> None:
        """Clear the flag."""
        self._value.value = False

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until set or ``timeout`` seconds passed; returns :meth:`is_set` (polls; GIL free between)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            if deadline is None:
                time.sleep(POLL_S)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_S, left))
        return True


def _rebuild(value: Any, orphan_sets: bool, owner: int) -> SharedFlag:
    flag = SharedFlag.__new__(SharedFlag)
    threading.Event.__init__(flag)
    flag._value = value
    flag._orphan_sets = orphan_sets
    flag._owner = owner
    flag._watcher = os.getpid()
    return flag


@dataclass(frozen=True)
class Flags:
    """The flags a :class:`~console.ipc.ChildService` shares with its child.

    Attributes:
        cancel: Stop now, keep nothing half-done (also set for an orphaned child).
        stop: End early but answer with what is done so far (the check's "Stop"; also set for an orphan).
        pause: Hold between requests until cleared.
    """

    cancel: SharedFlag
    stop: SharedFlag
    pause: SharedFlag

    @classmethod
    def new(cls, ctx: BaseContext | None = None) -> Flags:
        """Three cleared flags."""
        return cls(SharedFlag(ctx, orphan_sets=True), SharedFlag(ctx, orphan_sets=True), SharedFlag(ctx))
