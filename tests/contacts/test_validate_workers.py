"""``validate``'s worker processes end with their parent, however the parent dies (issue 21, item 13)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.contacts import validate as validate_module

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads /proc to find the workers"
)

DEFINITION = {
    "name": "t",
    "columnNames": ["ContactId", "Mobile", "Email"],
    "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
    "emailColumns": [{"columnName": "Email", "type": "work"}],
}


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it no longer exists."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def _children(parent: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == parent:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has ended; only its reaping is left


def _wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A list definition and a CSV large enough that validating it outlasts the test's look at the workers."""
    folder = tmp_path_factory.mktemp("big")
    definition = folder / "list.json"
    definition.write_text(json.dumps(DEFINITION))
    data = folder / "big.csv"
    row = "{},(201) 555-{:04d},user{}@example.com\n"
    with data.open("w") as fh:
        fh.write("ContactId,Mobile,Email\n")
        fh.writelines(row.format(i, i % 10000, i) for i in range(400_000))
    return definition, data


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_when_validate_is_killed(big_file: tuple[Path, Path], sig: signal.Signals) -> None:
    definition, data = big_file
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console",
            "validate",
            str(data),
            "--definition",
            str(definition),
            "--processes",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        workers: list[int] = []

        def started() -> bool:
            workers[:] = _children(parent.pid)
            return len(workers) >= 2

        assert _wait_for(started, 60), "validate never started its two workers"
    finally:
        parent.send_signal(sig)
        parent.wait()
    assert _wait_for(lambda: not any(_alive(w) for w in workers), 10), [
        (w, _stat(w)) for w in workers if _alive(w)
    ]


def test_watch_thread_ends_a_re_parented_worker() -> None:
    """The portable fallback: once ``os.getppid()`` is not the parent it started with, the worker exits."""
    code = (
        "import threading, os\n"
        "from console.contacts.validate import _watch_parent\n"
        "threading.Thread(target=_watch_parent, args=(os.getppid() + 1, 0.01), daemon=True).start()\n"
        "threading.Event().wait(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=False)
    assert proc.returncode == 1
    assert validate_module._PARENT_POLL_SECONDS <= 1
