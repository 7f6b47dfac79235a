"""Fixtures for UI tests: the dangling-thread guard (the in-memory keyring is in tests/conftest.py)."""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread


@pytest.fixture(autouse=True)
def _dangling_qthreads(monkeypatch: pytest.MonkeyPatch, qtbot: object) -> Iterator[None]:
    """Fail any test that leaves a QThread running (napari ``src/napari/conftest.py``)."""
    started: weakref.WeakKeyDictionary[QThread, str] = weakref.WeakKeyDictionary()
    base_start = QThread.start

    def start_and_remember(self: QThread, *args: object) -> None:
        caller = inspect.stack()[1]
        started[self] = f"{caller.filename}:{caller.lineno}"
        base_start(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(QThread, "start", start_and_remember)
    yield
    dangling = []
    for thread, where in list(started.items()):
        try:
            # a thread that emitted `finished` may need a moment to really end
            if thread.isRunning() and not thread.wait(500):
                dangling.append(where)
        except RuntimeError:  # C++ object already deleted: it ended
            continue
    if dangling:
        raise RuntimeError(f"test left QThread(s) running, started at: {dangling}")
