"""Fixtures for UI tests: dangling-thread guard, in-memory keyring, isolated settings."""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest
from PySide6.QtCore import QThread


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps passwords in a dict (tests only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.store[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Install an in-memory keyring for the test; restore the previous backend after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """Install the ``fail`` backend: every keyring call raises NoKeyringError."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


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
