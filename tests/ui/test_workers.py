from __future__ import annotations

import sys
import threading
import time

import pytest
from PySide6.QtCore import QObject, QThread

from console.ui.errors import ErrorSink
from console.ui.workers import FunctionWorker, Worker, WorkerController


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
    assert reported[0].title == "Boom job failed: ValueError"
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
