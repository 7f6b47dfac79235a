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

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, Qt, QThread, Signal, Slot

from console.errors import Cancelled
from console.ipc import ChildService, Kind
from console.ui.errors import ErrorSink


class Worker(QObject):
    """Base of every background job. Subclasses implement :meth:`work`.

    Signals:
        succeeded(object): the value :meth:`work` returned (a pydantic model or plain data).
        failed(object): the exception :meth:`work` raised (``Cancelled`` when cancelled).
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
        """Raise :class:`Cancelled` when cancel was requested; call it between pages or chunks."""
        if self.cancel_event.is_set():
            raise Cancelled

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
            self.check_cancelled()  # cancelled before it ran (started during a shutdown): do not run
            result = self.work()
            if self.cancel_event.is_set():
                raise Cancelled
        except Exception as exc:  # noqa: BLE001 - every failure goes to the controller, then the sink
            if self.cancel_event.is_set() and not isinstance(exc, Cancelled):
                exc = Cancelled(str(exc))  # an aborted request after cancel is a cancel
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            # Hand the worker back to the GUI thread before its thread ends: deleted there (thread.finished
            # -> deleteLater), its destructor runs on the GUI thread. Deleted on the ending QThread, PySide's
            # destructor waits for the GIL while holding Qt's connection mutex, and a GUI thread that holds
            # the GIL and touches a connection (e.g. endInsertRows -> rowsInserted) deadlocks: seen in CI,
            # MainThread in QBasicMutex::lockInternal, the QThread in ~QObject -> Shiboken::GilState::acquire.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            self.finished.emit()


class ChildProcessWorker(Worker):
    """A worker whose work runs in a spawned child process; its QThread only relays.

    For work that would otherwise hold the GUI process's GIL for long (parsing, JSON, big C
    calls): the relay thread blocks on the pipe without the GIL and re-emits what the child
    sends. :meth:`run_child` runs one request in a fresh :class:`console.ipc.ChildService`
    (closed when it ends): the child entry is called as ``target(conn, flags, *args)``, usually
    :func:`console.ipc.serve`; ``Kind.PROGRESS`` payloads are re-emitted as :attr:`progressed`,
    other messages go to :meth:`on_message`. :meth:`cancel` sets the shared cancel flag directly.

    Attributes:
        process_name: Name of the child (in messages: "the <name> process …").
        STOP_GRACE_S: After a cancel, how long the child may take to stop before it is terminated.
    """

    STOP_GRACE_S = 15.0
    process_name = "background"

    def __init__(self) -> None:
        super().__init__()
        self._services: list[ChildService] = []

    def cancel(self) -> None:
        """Ask the child to stop (and the relay to end)."""
        super().cancel()
        for service in list(self._services):
            service.cancel()

    def on_message(self, kind: Kind, payload: object) -> None:
        """A message other than progress and the end (called on the relay thread)."""

    def stopped_message(self) -> str:
        """The error text when the child does not stop within :attr:`STOP_GRACE_S` of a cancel."""
        return f"the {self.process_name} process did not stop"

    def new_service(self, target: Callable[..., None], args: tuple[object, ...]) -> ChildService:
        """A service for ``target`` wired to this worker's name, grace and stop message (not started)."""
        return ChildService(
            target,
            args,
            name=self.process_name,
            grace_s=self.STOP_GRACE_S,
            stopped_message=self.stopped_message(),
        )

    def run_child(
        self,
        target: Callable[..., None],
        args: tuple[object, ...],
        request: object,
        *,
        service: ChildService | None = None,
    ) -> object:
        """Start ``target`` in a child, send it ``request``, relay until it ends; returns the result payload.

        ``service`` (from :meth:`new_service`) lets the caller reach its flags before the child runs.

        Raises:
            Cancelled: The child stopped on a cancel.
            RuntimeError: The child died, or did not stop in time after a cancel (then terminated).
            BaseException: What the child sent as its error.
        """
        service = service or self.new_service(target, args)
        self._services.append(service)
        try:
            return service.run(
                request,
                progress=self.progressed.emit,
                on_message=self.on_message,
                cancelled=self.cancel_event.is_set,
            )
        finally:
            self._services.remove(service)
            service.close()


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
        self._threads: list[QThread] = []  # every thread started and not yet joined (current last)
        self._shutting_down = False

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
        if self._shutting_down:
            worker.cancel()  # started by a listener of our `finished` inside shutdown(): joined there
        thread.setObjectName(f"{type(worker).__name__}Thread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Worker signals go only to this object's slots (a lambda would run on the worker thread).
        worker.succeeded.connect(self._on_worker_succeeded)
        worker.failed.connect(self._on_worker_failed)
        worker.progressed.connect(self._on_worker_progressed)
        # The thread quits itself: QThread lives on the GUI thread, so an auto connection would queue
        # quit() there, and a GUI thread joining this thread would wait for itself (hung a profile
        # switch during Load contact lists). quit() before the thread's loop runs still ends it.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(worker.deleteLater)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self._worker = worker
        self._threads.append(thread)
        thread.start()
        self.started.emit()

    def cancel(self) -> None:
        """Ask the running worker to stop (no-op when idle)."""
        if self._worker is not None:
            self._worker.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel, then join every thread (used on close). Returns False if one did not end in time.

        A worker started by a listener of :attr:`finished` while this runs is cancelled before it
        runs and joined here too, so no thread is left running when this returns True.
        """
        deadline = QDeadlineTimer(timeout_ms)
        self._shutting_down = True
        try:
            while self._threads:
                self.cancel()
                thread = self._threads[0]
                thread.quit()
                if not thread.wait(deadline):
                    return False
                self._reap(thread)
            return True
        finally:
            self._shutting_down = False

    @Slot(object)
    def _on_worker_succeeded(self, result: object) -> None:
        self.succeeded.emit(result)

    @Slot(object)
    def _on_worker_failed(self, exc: object) -> None:
        if isinstance(exc, Cancelled):
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
        # Queued from the ending thread. Join only that thread (it quits itself, never through the GUI
        # thread): a late `finished` of a thread shutdown() already joined is ignored, and a newer
        # thread still working is never waited for here.
        sender = self.sender()
        for thread in list(self._threads):
            if thread is sender or thread.isFinished():
                thread.wait()
                self._reap(thread)

    def _reap(self, thread: QThread) -> None:
        """Forget a joined thread; when it was the current one the controller is idle (finished)."""
        if thread not in self._threads:
            return
        self._threads.remove(thread)
        thread.deleteLater()
        if thread is self._thread:
            self._thread = None
            self._worker = None
            self.finished.emit()
