"""The worker pattern every window uses (STYLE.md "Workers"; superqt ``new_worker_qthread``).

A :class:`Worker` is a parentless QObject whose :meth:`Worker.run` slot executes on a
QThread. A :class:`WorkerController` lives on the GUI thread, owns the ``QThread(self)`` and
the worker while it runs, and re-emits the worker's signals from its own ``@Slot`` methods, so
widgets (and ``qtbot.waitSignal``) only ever listen to a GUI-thread object.

Typical use in a later window::

    class ListLoadWorker(Worker):
        def __init__(self, session: Session) -> None:
            super().__init__()
            self._session = session

        def work(self) -> list[ContactList]:
            pages = []
            for page in self._session.client.iter_pages(...):
                self.check_cancelled()          # cooperative cancel between pages
                pages.append(page)
                self.progressed.emit(len(pages))
            return pages

    controller = WorkerController(self, sink=window.error_sink)  # GUI thread, child of the window
    controller.succeeded.connect(self._on_lists_loaded)           # widgets listen to the controller
    controller.start(ListLoadWorker(session))
    ...
    controller.cancel()                                           # direct call, not a signal

Functions from the lower layers (which take a cancel ``threading.Event`` and a progress
callback) run through :class:`FunctionWorker` without a subclass.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from ctypes import c_bool
from multiprocessing.connection import Connection
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from console.ui.errors import ErrorSink


class WorkCancelled(Exception):  # noqa: N818 - reads better at the raise site than ...Error
    """Raised inside :meth:`Worker.work` when the cancel flag is seen; not an error for the user."""


class Worker(QObject):
    """Base of every background job. Subclasses implement :meth:`work`.

    Signals:
        succeeded(object): the value :meth:`work` returned (a pydantic model or plain data).
        failed(object): the exception :meth:`work` raised (``WorkCancelled`` when cancelled).
        progressed(object): whatever the subclass reports (a count, a model); optional.
        finished(): always last, after ``succeeded`` or ``failed``.
    """

    succeeded = Signal(object)  # object: the result of work()
    failed = Signal(object)  # object: BaseException
    progressed = Signal(object)  # object: subclass-defined progress payload
    finished = Signal()

    def __init__(self) -> None:
        super().__init__(None)  # parentless: it is moved to the worker thread
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check. Thread-safe; call it directly, not via a signal."""
        self.cancel_event.set()

    @property
    def is_cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self.cancel_event.is_set()

    def check_cancelled(self) -> None:
        """Raise :class:`WorkCancelled` when cancel was requested; call it between pages or chunks."""
        if self.cancel_event.is_set():
            raise WorkCancelled

    def work(self) -> object:
        """Do the job on the worker thread and return its result.

        Raises:
            Exception: Anything; it is emitted through ``failed``.
        """
        raise NotImplementedError

    @Slot()
    def run(self) -> None:
        """Entry point on the worker thread (connected to ``QThread.started``)."""
        try:
            result = self.work()
            if self.cancel_event.is_set():
                raise WorkCancelled
        except Exception as exc:  # noqa: BLE001 - every failure goes to the controller, then the sink
            if self.cancel_event.is_set() and not isinstance(exc, WorkCancelled):
                exc = WorkCancelled(str(exc))  # an aborted request after cancel is a cancel
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


def relay_child(
    conn: Connection,
    process: Any,
    *,
    name: str,
    cancel_flag: Any,
    cancelled: Callable[[], bool],
    progress: Callable[[object], None],
    on_message: Callable[[str, object], None] | None = None,
    grace_s: float = 15.0,
    stopped_message: str | None = None,
) -> object:
    """Read a child's ``(kind, payload)`` messages until its end message; returns the result payload.

    ``progress`` gets ``"progress"`` payloads, ``on_message`` any other kind. Once ``cancelled()``
    is true, ``cancel_flag`` (a shared ``c_bool``) is set; a child still running ``grace_s`` later
    is terminated. Waiting on the pipe releases the GIL.

    Raises:
        WorkCancelled: The child answered ``("cancelled", None)``.
        RuntimeError: The child died, or ignored the cancel (then terminated).
        BaseException: What the child sent as its error.
    """
    cancelled_at: float | None = None
    while True:
        if cancelled_at is None and cancelled():
            cancelled_at = time.monotonic()
            cancel_flag.value = True
        if cancelled_at is not None and time.monotonic() - cancelled_at > grace_s:
            process.terminate()
            raise RuntimeError(stopped_message or f"the {name} process did not stop")
        if not conn.poll(0.1):  # blocks without the GIL
            if not process.is_alive() and not conn.poll():
                raise RuntimeError(f"the {name} process ended unexpectedly (exit {process.exitcode})")
            continue
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            raise RuntimeError(f"the {name} process ended unexpectedly (exit {process.exitcode})") from None
        if kind == "progress":
            progress(payload)
        elif kind == "result":
            return payload
        elif kind == "cancelled":
            raise WorkCancelled
        elif kind == "error":
            assert isinstance(payload, BaseException)
            raise payload
        elif on_message is not None:
            on_message(kind, payload)


class ChildProcessWorker(Worker):
    """A worker whose work runs in a spawned child process; its QThread only relays.

    For work that would otherwise hold the GUI process's GIL for long (parsing, JSON, big C
    calls): the relay thread blocks on the pipe without the GIL and re-emits what the child
    sends. The child entry is called as ``target(conn, cancel_flag, *args)``; it receives
    :meth:`run_child`'s ``request`` from ``conn``, may send ``("progress", payload)`` (re-emitted
    as :attr:`progressed`) and other ``(kind, payload)`` messages (passed to :meth:`on_message`),
    and ends with ``("result", payload)``, ``("cancelled", None)`` or ``("error", exception)``.
    ``cancel_flag`` is a shared ``c_bool`` (``multiprocessing.RawValue``) set by :meth:`cancel`:
    unlike ``multiprocessing.Event``, setting it cannot hang on a child that died while waiting.

    Attributes:
        process_name: Name of the child (in messages: "the <name> process …").
        STOP_GRACE_S: After a cancel, how long the child may take to stop before it is terminated.
    """

    STOP_GRACE_S = 15.0
    process_name = "background"

    def __init__(self) -> None:
        super().__init__()
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a Qt process; bundles: freeze_support
        self._cancel_child = self._ctx.RawValue(c_bool, False)

    def cancel(self) -> None:
        """Ask the child to stop (and the relay to end)."""
        super().cancel()
        self._cancel_child.value = True

    def on_message(self, kind: str, payload: object) -> None:
        """A message other than progress and the end (called on the relay thread)."""

    def stopped_message(self) -> str:
        """The error text when the child does not stop within :attr:`STOP_GRACE_S` of a cancel."""
        return f"the {self.process_name} process did not stop"

    def run_child(self, target: Callable[..., None], args: tuple[object, ...], request: object) -> object:
        """Start ``target`` in a child, send it ``request``, relay until it ends; returns the result payload.

        Raises:
            WorkCancelled: The child stopped on a cancel.
            RuntimeError: The child died, or did not stop in time after a cancel (then terminated).
            BaseException: What the child sent as its error.
        """
        parent, child = self._ctx.Pipe()
        # not a daemon: a daemonic process may not start the worker pools the engine uses; the
        # child stops by itself when this process dies (console.ui.preview.child.SharedFlagEvent)
        process = self._ctx.Process(
            target=target, args=(child, self._cancel_child, *args), name=self.process_name, daemon=False
        )
        process.start()
        child.close()
        try:
            parent.send(request)
            return relay_child(
                parent,
                process,
                name=self.process_name,
                cancel_flag=self._cancel_child,
                cancelled=self.cancel_event.is_set,
                progress=self.progressed.emit,
                on_message=self.on_message,
                grace_s=self.STOP_GRACE_S,
                stopped_message=self.stopped_message(),
            )
        finally:
            parent.close()
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join()


class FunctionWorker(Worker):
    """Runs ``fn(*args, cancel=event, progress=callback, **kwargs)`` on the worker thread.

    For lower-layer functions that take a cancel ``threading.Event`` and a progress callback.

    Args:
        fn: The function.
        *args: Positional arguments.
        pass_control: Whether to pass ``cancel`` and ``progress`` keyword arguments.
        **kwargs: Keyword arguments.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, pass_control: bool = True, **kwargs: Any) -> None:
        super().__init__()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._pass_control = pass_control

    def work(self) -> object:
        """Call the function."""
        if self._pass_control:
            control = {"cancel": self.cancel_event, "progress": self.progressed.emit}
            return self._fn(*self._args, **control, **self._kwargs)
        return self._fn(*self._args, **self._kwargs)


class WorkerController(QObject):
    """GUI-thread owner of one worker at a time: starts it on a fresh QThread and re-emits its signals.

    Failures (except cancellation) also go to the error sink, when one is given, so every
    window reports errors the same way.

    Signals:
        started(): a worker began.
        succeeded(object): the worker's result.
        failed(object): the worker's exception (not emitted for a cancel).
        cancelled(): the worker stopped because :meth:`cancel` was called.
        progressed(object): the worker's progress payload.
        finished(): the worker's thread has ended and been cleaned up; the controller is idle.

    Args:
        parent: The owning widget (its close handler calls :meth:`shutdown`).
        sink: Where failures are reported; None to leave reporting to the listener.
        context: Short description of the job for error messages ("Test connection").
    """

    started = Signal()
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progressed = Signal(object)
    finished = Signal()

    def __init__(
        self, parent: QObject | None = None, *, sink: ErrorSink | None = None, context: str = ""
    ) -> None:
        super().__init__(parent)
        self._sink = sink
        self.context = context
        self._thread: QThread | None = None
        self._worker: Worker | None = None

    @property
    def is_running(self) -> bool:
        """Whether a worker thread exists (running or not yet cleaned up)."""
        return self._thread is not None

    @property
    def worker(self) -> Worker | None:
        """The current worker, if any."""
        return self._worker

    def start(self, worker: Worker) -> None:
        """Run ``worker`` on a new thread.

        Raises:
            RuntimeError: A previous worker is still running.
        """
        if self._thread is not None:
            raise RuntimeError(f"{self.context or 'worker'} is already running")
        thread = QThread(self)
        thread.setObjectName(f"{type(worker).__name__}Thread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Worker signals go only to this object's slots (a lambda would run on the worker thread).
        worker.succeeded.connect(self._on_worker_succeeded)
        worker.failed.connect(self._on_worker_failed)
        worker.progressed.connect(self._on_worker_progressed)
        worker.finished.connect(thread.quit)
        thread.finished.connect(worker.deleteLater)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self._worker = worker
        thread.start()
        self.started.emit()

    def cancel(self) -> None:
        """Ask the running worker to stop (no-op when idle)."""
        if self._worker is not None:
            self._worker.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel, then join the thread (used on close). Returns False if it did not end in time."""
        thread = self._thread
        if thread is None:
            return True
        self.cancel()
        thread.quit()
        ended = thread.wait(timeout_ms)
        if ended:
            self._cleanup()
        return bool(ended)

    @Slot(object)
    def _on_worker_succeeded(self, result: object) -> None:
        self.succeeded.emit(result)

    @Slot(object)
    def _on_worker_failed(self, exc: object) -> None:
        if isinstance(exc, WorkCancelled):
            self.cancelled.emit()
            return
        if self._sink is not None and isinstance(exc, BaseException):
            self._sink.report(exc, context=self.context)
        self.failed.emit(exc)

    @Slot(object)
    def _on_worker_progressed(self, payload: object) -> None:
        self.progressed.emit(payload)

    @Slot()
    def _on_thread_finished(self) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        thread = self._thread
        if thread is None:
            return
        # `finished` is emitted before the thread really ends and before it runs the worker's
        # deleteLater; join it first, or dropping the Python wrapper here would race that delete.
        thread.wait()
        self._thread = None
        self._worker = None
        thread.deleteLater()
        self.finished.emit()
