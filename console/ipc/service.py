"""The parent side: :class:`ChildService`, one spawned child process reused for every request."""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.util  # registers its exit hook (joins live children) before ours: ours runs first
import threading
import time
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from console.errors import Cancelled
from console.ipc.flags import Flags
from console.ipc.protocol import Kind

__all__ = ["ChildService"]

_live: set[_Child] = set()
_live_lock = threading.Lock()


class _Child:
    """One started child: its process and pipe end. :meth:`close` is idempotent and bounded."""

    def __init__(self, process: Any, conn: Connection, cancel: Any) -> None:
        self.process = process
        self.conn = conn
        self._cancel = cancel
        self._closed = False
        self._lock = threading.Lock()

    def close(self, timeout: float = 1.0) -> None:
        """Cancel its work, tell it to end, close the pipe, reap it (terminate, then kill, if it lingers)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        with _live_lock:
            _live.discard(self)
        self._cancel.set()
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        with contextlib.suppress(OSError):
            self.conn.close()  # an idle child reads EOF and ends
        process = self.process
        process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(2.0)
        if process.is_alive():
            process.kill()
            process.join()


def _close_all_at_exit() -> None:
    """Reap every live child before multiprocessing's exit hook would wait for it for ever."""
    with _live_lock:
        children = list(_live)
    for child in children:
        child.close(timeout=1.0)


def _register_exit_hook() -> None:
    # atexit runs last-registered first; multiprocessing's hook joins every non-daemonic child
    # and re-registers itself when its logger is first made (util.get_logger), so register ours
    # again each time a child starts to stay ahead of it.
    atexit.unregister(_close_all_at_exit)
    atexit.register(_close_all_at_exit)


class ChildService:
    """One spawned child process: started on demand, reused, replaced when it dies, closed on exit.

    The child runs ``target(conn, flags, *args)``, usually :func:`console.ipc.serve`. One request
    at a time (:meth:`run` blocks the calling thread, reading the pipe without the GIL); the
    other methods may be called from any thread. The child is not daemonic (it may start worker
    pools); it is reaped by :meth:`close`, when the service is garbage-collected, or at
    interpreter exit, and an orphaned child stops its work by itself (:class:`~console.ipc.SharedFlag`).

    Args:
        target: The child's entry (a module-level function importable without Qt).
        args: Extra arguments for ``target`` (picklable).
        name: The process name, in messages: "the <name> process ended unexpectedly".
        grace_s: After a cancel, how long a request may take to stop before the child is terminated.
        stopped_message: The error text when it does not stop in time.

    Attributes:
        flags: The cancel/stop/pause flags shared with the child.
    """

    def __init__(
        self,
        target: Callable[..., None],
        args: tuple[object, ...] = (),
        *,
        name: str,
        grace_s: float = 15.0,
        stopped_message: str | None = None,
    ) -> None:
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a Qt process; bundles: freeze_support
        self._target = target
        self._args = args
        self.name = name
        self.grace_s = grace_s
        self.stopped_message = stopped_message or f"the {name} process did not stop"
        self.flags = Flags.new(self._ctx)
        self._child: _Child | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._start_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The child's process id, None when no child is running."""
        child = self._child
        return None if child is None else int(child.process.pid)

    def start(self) -> None:
        """Start the child now unless one is alive (it loads its modules while the user does other things)."""
        with self._start_lock:
            child = self._child
            if child is not None and child.process.is_alive():
                return
            self._discard()
            parent, theirs = self._ctx.Pipe()
            process = self._ctx.Process(
                target=self._target, args=(theirs, self.flags, *self._args), name=self.name, daemon=False
            )
            process.start()
            theirs.close()
            child = _Child(process, parent, self.flags.cancel)
            with _live_lock:
                _live.add(child)
            _register_exit_hook()
            # reaps the child if the owner forgets close() and drops the service (no reference to self)
            self._finalizer = weakref.finalize(self, child.close)
            self._child = child

    def cancel(self) -> None:
        """Ask the running request to stop (it answers "cancelled")."""
        self.flags.cancel.set()

    def stop_current(self) -> None:
        """Ask the running request to end early and answer with what it has done so far."""
        self.flags.stop.set()

    def pause(self) -> None:
        """Ask the work to hold between steps."""
        self.flags.pause.set()

    def unpause(self) -> None:
        """Let paused work continue."""
        self.flags.pause.clear()

    def run(
        self,
        request: object,
        *,
        progress: Callable[[object], None],
        on_message: Callable[[Kind, object], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> object:
        """Send ``request`` to the child (starting one if needed) and relay its messages; returns the result.

        ``progress`` gets ``Kind.PROGRESS`` payloads, ``on_message`` any other non-end kind (both
        on this thread). The cancel and stop flags are cleared first; once ``cancelled()`` is
        true the cancel flag is set, and a child still busy :attr:`grace_s` later is terminated.

        Raises:
            Cancelled: The child stopped on the cancel.
            RuntimeError: The child died, or ignored the cancel (then terminated); the next
                request starts a new child.
            Exception: What the work raised in the child.
        """
        with self._run_lock:
            self.start()
            child = self._child
            assert child is not None
            self.flags.cancel.clear()
            self.flags.stop.clear()
            try:
                child.conn.send(request)
            except (OSError, ValueError):
                self._discard()
                raise RuntimeError(f"the {self.name} process ended unexpectedly") from None
            return self._relay(child, progress, on_message, cancelled)

    def _relay(
        self,
        child: _Child,
        progress: Callable[[object], None],
        on_message: Callable[[Kind, object], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> object:
        conn, process = child.conn, child.process
        cancelled_at: float | None = None
        while True:
            if cancelled_at is None and (
                self.flags.cancel.is_set() or (cancelled is not None and cancelled())
            ):
                cancelled_at = time.monotonic()
                self.flags.cancel.set()
            if cancelled_at is not None and time.monotonic() - cancelled_at > self.grace_s:
                self._discard()
                raise RuntimeError(self.stopped_message)
            try:
                ready = conn.poll(0.1)  # blocks without the GIL
                if not ready:
                    if not process.is_alive() and not conn.poll():
                        raise EOFError
                    continue
                kind, payload = conn.recv()
            except (EOFError, OSError):
                self._discard()
                raise RuntimeError(
                    f"the {self.name} process ended unexpectedly (exit {process.exitcode})"
                ) from None
            if kind is Kind.PROGRESS:
                progress(payload)
            elif kind is Kind.RESULT:
                return payload
            elif kind is Kind.CANCELLED:
                raise Cancelled
            elif kind is Kind.ERROR:
                assert isinstance(payload, BaseException)
                raise payload
            elif on_message is not None:
                on_message(kind, payload)

    def close(self, timeout: float = 5.0) -> None:
        """Cancel a running request, end the child and reap it (a later :meth:`run` starts a new one)."""
        self.flags.cancel.set()
        with self._start_lock:
            child = self._child
            if child is None:
                return
            with contextlib.suppress(OSError, ValueError):
                child.conn.send(None)
        # a running request sees the cancel and returns; don't wait longer than it may take to stop
        got = self._run_lock.acquire(timeout=self.grace_s)
        try:
            with self._start_lock:
                self._discard(timeout)
        finally:
            if got:
                self._run_lock.release()

    def _discard(self, timeout: float = 1.0) -> None:
        child, finalizer = self._child, self._finalizer
        self._child = self._finalizer = None
        if finalizer is not None:
            finalizer.detach()
        if child is not None:
            child.close(timeout)
