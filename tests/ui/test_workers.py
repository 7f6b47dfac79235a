from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QThread

from console.errors import Cancelled
from console.ipc import Kind
from console.ui.errors import ErrorSink
from console.ui.workers import ChildProcessWorker, FunctionWorker, Worker, WorkerController
from tests.processes import first_line_then_kill


def test_none_refcount_guard() -> None:
    """PySide6 6.12.0 corrupts None's refcount on void calls (RECIPES.md); 6.11 must not."""
    before = sys.getrefcount(None)
    for _ in range(1000):
        QObject().setObjectName("x")
    assert sys.getrefcount(None) >= before - 10


class ThreadRecorder(Worker):
    def work(self) -> object:
        self.progressed.emit(1)
        return threading.current_thread().name, QThread.currentThread() is not None


def test_success_runs_off_gui_thread_and_cleans_up(qtbot) -> None:
    owner = QObject()
    controller = WorkerController(owner, context="Probe")
    progress: list[object] = []
    controller.progressed.connect(progress.append)
    with qtbot.waitSignal(controller.succeeded, timeout=5000) as blocker:
        controller.start(ThreadRecorder())
    thread_name, _ = blocker.args[0]
    assert thread_name != threading.main_thread().name
    qtbot.waitUntil(lambda: not controller.is_running, timeout=5000)
    assert progress == [1]


def test_failure_goes_to_sink_and_signal(qtbot) -> None:
    sink = ErrorSink()
    controller = WorkerController(sink=sink, context="Boom job")
    reported: list[object] = []
    sink.reported.connect(reported.append)

    def boom(*, cancel: threading.Event, progress: object) -> None:
        raise ValueError("kaputt")

    with (
        qtbot.waitSignal(controller.failed, timeout=5000) as blocker,
        qtbot.assertNotEmitted(controller.succeeded),
    ):
        controller.start(FunctionWorker(boom))
    assert isinstance(blocker.args[0], ValueError)
    assert reported[0].title == "Boom job failed: kaputt"  # the message, never the class name (issue 16)
    assert "kaputt" in reported[0].explanation
    qtbot.waitUntil(lambda: not controller.is_running, timeout=5000)


def test_cooperative_cancel_is_not_an_error(qtbot) -> None:
    sink = ErrorSink()
    controller = WorkerController(sink=sink)

    def slow(*, cancel: threading.Event, progress: object) -> int:
        for i in range(500):
            if cancel.wait(0.01):
                return i
        return -1

    with qtbot.waitSignal(controller.started, timeout=2000):
        controller.start(FunctionWorker(slow))
    with qtbot.waitSignal(controller.cancelled, timeout=5000), qtbot.assertNotEmitted(controller.failed):
        controller.cancel()
    qtbot.waitUntil(lambda: not controller.is_running, timeout=5000)
    assert sink.history == []


def test_second_start_while_running_is_refused(qtbot) -> None:
    controller = WorkerController()
    gate = threading.Event()
    controller.start(FunctionWorker(gate.wait, 5, pass_control=False))
    with pytest.raises(RuntimeError, match="already running"):
        controller.start(FunctionWorker(gate.wait, 5, pass_control=False))
    gate.set()
    with qtbot.waitSignal(controller.finished, timeout=5000):
        pass


def test_shutdown_joins_the_thread(qtbot) -> None:
    controller = WorkerController()

    def slow(*, cancel: threading.Event, progress: object) -> None:
        cancel.wait(30)

    controller.start(FunctionWorker(slow))
    t0 = time.monotonic()
    assert controller.shutdown(5000)
    assert time.monotonic() - t0 < 2
    assert not controller.is_running


class ChildRun(ChildProcessWorker):
    process_name = "probe"

    def __init__(self, target: object, request: object) -> None:
        super().__init__()
        self.target = target
        self.request = request
        self.notes: list[object] = []

    def work(self) -> object:
        return self.run_child(self.target, (), self.request)  # type: ignore[arg-type]

    def on_message(self, kind: Kind, payload: object) -> None:
        self.notes.append((kind, payload))


def test_child_process_worker_relays_progress_messages_and_result(qtbot) -> None:
    from tests.ui import child_targets

    owner = QObject()
    controller = WorkerController(owner, context="Probe")
    progress: list[object] = []
    controller.progressed.connect(progress.append)
    worker = ChildRun(child_targets.pool_child, 5)
    with qtbot.waitSignal(controller.succeeded, timeout=30_000) as blocker:
        controller.start(worker)
    assert blocker.args[0] == [0, 1, 4, 9, 16]  # the child ran its own process pool
    assert progress == [(k, 5) for k in range(1, 6)]
    assert worker.notes == [(Kind.EXCHANGE, "starting")]
    qtbot.waitUntil(lambda: not controller.is_running, timeout=5000)


@pytest.mark.parametrize(
    ("target", "message"),
    [("dying_child", "the probe process ended unexpectedly (exit 3)"), ("failing_child", "bad request 7")],
)
def test_child_process_worker_reports_a_dead_or_failing_child(qtbot, target: str, message: str) -> None:
    from tests.ui import child_targets

    sink = ErrorSink()
    owner = QObject()
    controller = WorkerController(owner, sink=sink, context="Probe")
    with qtbot.waitSignal(controller.failed, timeout=30_000) as blocker:
        controller.start(ChildRun(getattr(child_targets, target), 7))
    assert message in str(blocker.args[0])
    qtbot.waitUntil(lambda: not controller.is_running, timeout=5000)


def test_child_process_worker_cancel_stops_the_child(qtbot, tmp_path) -> None:
    from tests.ui import child_targets

    marker = tmp_path / "marker"
    owner = QObject()
    controller = WorkerController(owner, context="Probe")
    started: list[object] = []
    controller.progressed.connect(started.append)
    cancelled: list[object] = []
    controller.cancelled.connect(lambda: cancelled.append(True))
    controller.start(ChildRun(child_targets.waiting_child, str(marker)))
    qtbot.waitUntil(lambda: started == ["waiting"], timeout=30_000)
    controller.cancel()
    qtbot.waitUntil(lambda: not controller.is_running, timeout=10_000)
    assert cancelled == [True]
    assert marker.read_text() == "stopped"


def test_an_orphaned_child_stops_by_itself(tmp_path) -> None:
    """The children are not daemonic (they start pools): one whose parent is killed must not live on."""
    import os
    import textwrap

    marker = tmp_path / "marker"
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import time
            from console.ipc import ChildService
            from tests.ui.child_targets import waiting_child
            if __name__ == "__main__":
                service = ChildService(waiting_child, name="probe")
                service.run({str(marker)!r}, progress=lambda p: print(p, flush=True), cancelled=lambda: False)
            """
        )
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    assert first_line_then_kill(script, env) == "waiting"
    deadline = time.monotonic() + 10
    while marker.read_text() != "stopped" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == "stopped"


def test_check_cancelled_raises_the_one_cancellation() -> None:
    worker = Worker()
    worker.check_cancelled()
    worker.cancel()
    with pytest.raises(Cancelled):
        worker.check_cancelled()


def test_a_late_finished_of_a_joined_thread_does_not_join_the_next_worker(qtbot) -> None:
    # shutdown() joins a thread whose `finished` is still queued; the GUI thread then starts the next
    # job (as a profile switch reloads the contact lists); that queued `finished` must not join the
    # new, still working thread on the GUI thread (its quit would be queued there: a hang)
    import subprocess
    import sys

    code = (
        "import threading, sys\n"
        "from PySide6.QtCore import QCoreApplication, QTimer\n"
        "from console.ui.workers import FunctionWorker, WorkerController\n"
        "app = QCoreApplication([])\n"
        "c = WorkerController()\n"
        "gate = threading.Event()\n"
        "c.start(FunctionWorker(lambda: 'first', pass_control=False))\n"
        "import time; time.sleep(0.2)\n"  # the first worker ends; its thread's finished is queued
        "assert c.shutdown(5000)\n"
        "c.start(FunctionWorker(lambda: gate.wait(5) and 'second', pass_control=False))\n"
        "QTimer.singleShot(100, gate.set)\n"
        "got = []\n"
        "c.succeeded.connect(got.append)\n"
        "c.finished.connect(app.quit)\n"
        "app.exec()\n"
        "assert got[-1:] == ['second'], got\n"
        "assert c.shutdown(5000) and not c.is_running\n"
        "print('ok')\n"
    )
    # a subprocess: the hang blocks the GUI thread in QThread.wait() (the timeout fails the test)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert done.stdout.strip() == "ok", done.stderr


def test_shutdown_joins_a_worker_started_by_its_finished_listener(qtbot) -> None:
    controller = WorkerController()
    started: list[bool] = []

    def start_next() -> None:
        controller.finished.disconnect(start_next)
        controller.start(FunctionWorker(lambda: started.append(True), pass_control=False))

    controller.start(FunctionWorker(lambda: None, pass_control=False))
    controller.finished.connect(start_next)
    assert controller.shutdown(5000)
    assert not controller.is_running
    assert started == []  # cancelled before it ran
