"""ChildService: started on demand, reused, replaced when it dies, closed on close and on exit."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.errors import Cancelled
from console.ipc import ChildService, Kind
from tests.ipc import targets

ROOT = Path(__file__).resolve().parents[2]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def service() -> Iterator[ChildService]:
    svc = ChildService(targets.echo_child, name="echo", grace_s=10)
    yield svc
    svc.close()


def test_started_on_demand_reused_and_closed(service: ChildService) -> None:
    assert ChildService(targets.echo_child, name="unused").pid is None  # nothing is spawned until asked
    progress: list[object] = []
    assert service.run({"a": 1}, progress=progress.append) == {"a": 1}
    assert progress == [1]
    pid = service.pid
    assert pid is not None
    assert service.run(("pid",), progress=progress.append) == pid  # the same child answers again
    service.close()
    assert service.pid is None
    assert _gone(pid)


def test_a_dead_child_is_replaced_on_the_next_request(service: ChildService) -> None:
    pid = service.run(("pid",), progress=lambda p: None)
    assert isinstance(pid, int)
    os.kill(pid, signal.SIGKILL)
    # Whether the next request meets the dying child ("ended unexpectedly") or finds it already gone depends
    # on when the kernel delivers the signal; either way the request after that is answered by a new child.
    with contextlib.suppress(RuntimeError):
        service.run(("pid",), progress=lambda p: None)
    new_pid = service.run(("pid",), progress=lambda p: None)
    assert new_pid not in (None, pid)


def test_a_child_dying_mid_request_is_reported() -> None:
    svc = ChildService(targets.dying_child, name="probe")
    try:
        with pytest.raises(RuntimeError, match=r"the probe process ended unexpectedly \(exit 3\)"):
            svc.run(1, progress=lambda p: None)
        assert svc.pid is None
    finally:
        svc.close()


def test_cancel_stop_and_pause_reach_the_child(service: ChildService) -> None:
    asked = threading.Event()
    progress: list[object] = []

    def on_progress(payload: object) -> None:
        progress.append(payload)
        asked.set()

    with pytest.raises(Cancelled):
        service.run(("wait", 3000), progress=on_progress, cancelled=asked.is_set)
    assert progress == ["waiting"]  # sent as the string key, arrived as Kind.PROGRESS
    # the next request starts with cleared flags, in the same child; stop ends it early with an answer
    stop_on_progress = service.stop_current
    assert service.run(("wait", 3000), progress=lambda p: stop_on_progress()) == "stopped early"
    notes: list[tuple[Kind, object]] = []

    def on_message(kind: Kind, payload: object) -> None:
        notes.append((kind, payload))
        service.unpause()  # the child saw the pause and now waits for it to clear

    service.pause()
    assert service.run(("paused",), progress=lambda p: None, on_message=on_message) == "resumed"
    assert notes == [(Kind.EXCHANGE, True)]


def test_a_child_ignoring_cancel_is_terminated() -> None:
    svc = ChildService(targets.echo_child, name="echo", grace_s=0.3, stopped_message="it did not stop")
    try:
        svc.pause()
        with pytest.raises(RuntimeError, match="it did not stop"):
            # "paused" holds while paused, ignoring the cancel
            svc.run(("paused",), progress=lambda p: None, cancelled=lambda: True)
        assert svc.pid is None
    finally:
        svc.close()


def test_spawned_children_import_no_qt() -> None:
    svc = ChildService(targets.qt_probe_child, name="probe")
    modules = ["console.ipc", "console.ui.preview.child", "console.ui.preview.upload_process"]
    try:
        answer = svc.run(modules, progress=lambda p: None)
    finally:
        svc.close()
    assert answer == ([], [])  # PySide6 modules loaded (before, after importing the entries)


EXIT_SCRIPT = """
import sys
from console.ipc import ChildService
from tests.ipc.targets import echo_child

if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "validation":
        from console.ui.preview.workers import ValidationService

        service = ValidationService()
        service.warm()
    else:
        service = ChildService(echo_child, name="echo")
        service.run(("pid",), progress=lambda p: None)  # started, answered, now idle
    print(service.pid, flush=True)
    if kind == "dropped":
        del service  # the owner forgot close() and dropped it
    # no close(), no shutdown(): the interpreter exits with the child idle
"""


@pytest.mark.parametrize("kind", ["kept", "dropped", "validation"])
def test_exit_does_not_wait_for_an_idle_child(tmp_path: Path, kind: str) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(EXIT_SCRIPT))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # without the exit hook the interpreter waits for the idle non-daemonic child for ever
    done = subprocess.run(
        [sys.executable, str(script), kind], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout.split()[0])
    assert _gone(pid)  # ended and reaped by its parent
