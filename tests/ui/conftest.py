"""UI test fixtures: main windows on the sandbox, the dangling-thread guard (keyring: tests/conftest.py)."""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QThread

from console.ui.app import create_main_window
from console.ui.main_window import MainWindow
from console.ui.preview.confirm import UploadConfirmDialog, WarningRows


def follow_redirects(url: str) -> None:
    """Stands in for the system browser: the sandbox approves and redirects to the loopback listener."""
    httpx.get(url, follow_redirects=True, timeout=10)


def requests_to(window: MainWindow, method: str, path_part: str) -> list[dict[str, Any]]:
    """The requests the window's embedded sandbox received with that method and path fragment."""
    data = httpx.get(f"{window.sandbox.url}/sandbox/requests").json()  # type: ignore[attr-defined]
    return [r for r in data["requests"] if r["method"] == method and path_part in r["path"]]


@pytest.fixture
def make_window(qtbot, tmp_home, memory_keyring, monkeypatch) -> Iterator[Callable[..., MainWindow]]:
    """Build main windows like ``outbound-console`` does (keyword arguments go to create_main_window).

    The upload's confirmation answers "send" (tests/ui/test_preview_confirm.py looks at it itself).
    """
    send = classmethod(lambda cls, parent, text, n: WarningRows.SEND)
    monkeypatch.setattr(UploadConfirmDialog, "ask", send)
    windows: list[MainWindow] = []

    def make(**kw: object) -> MainWindow:
        kw.setdefault("open_browser", follow_redirects)
        window = create_main_window(**kw)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


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
