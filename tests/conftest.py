"""Shared fixtures: offscreen Qt, an in-memory keyring, the sandbox over real HTTP."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt (pytest-qt's tox.ini does the same).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import keyring.backend
import keyring.errors
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
TESTDATA = SHARED / "testdata"


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[object]:
    """One sandbox for the whole session, on 127.0.0.1 and a free port, served from a thread.

    Tests that change switches or inject faults use the function-scoped ``sandbox``
    fixture, which resets them afterwards.
    """
    from console.sandbox import Sandbox, SandboxConfig

    # Speed: no import lag by default in tests; tests of the lag switch it back on (issue 15).
    server = Sandbox(SandboxConfig(switches={"import_lag": "0"}))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(sandbox_server: object) -> Iterator[object]:
    """The session sandbox, with switches, faults and data reset after the test."""
    yield sandbox_server
    sandbox_server.reset()  # type: ignore[attr-defined]


@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point config/data/state dirs at a temp folder so nothing lands in the real home."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        d = tmp_path / var.lower()
        d.mkdir()
        monkeypatch.setenv(var, str(d))
    return tmp_path


@pytest.fixture(scope="session")
def spectrum_dir() -> Path:
    """The csv-spectrum corpus from ../shared/testdata."""
    path = TESTDATA / "csv-spectrum"
    if not path.is_dir():
        pytest.skip(f"csv-spectrum corpus not found at {path}")
    return path



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


tempfile.tempdir = None  # honour TMPDIR set by .ci/run
