"""``outbound-console`` / ``outbound-console gui``: open the main window.

The built-in sandbox ("Sandbox (built in)", first in the profile list and the status bar's
profile menu) is started in a child process (:class:`~console.sandbox.SandboxProcess`, so its
request handling never takes the GUI's GIL) on a free port when it is used (first run, the last
profile used, or chosen); its never-saved profile points at that port, with the sandbox's
well-known client held in memory only. Its lists and contacts persist in a SQLite file in the
private data folder (:func:`sandbox_state_file`) until "Reset sandbox". The window shows the
"Sandbox — not a real org" banner while it is in use. Qt and the sandbox are imported only when
the GUI really starts, so ``outbound-console gui --help`` stays cheap.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from console.connect.profiles import SANDBOX_CLIENT, SANDBOX_PKCE_CLIENT

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from console.sandbox import SandboxProcess
    from console.ui.main_window import MainWindow

__all__ = [
    "SANDBOX_CLIENT",
    "SANDBOX_PKCE_CLIENT",
    "add_arguments",
    "app_icon",
    "create_main_window",
    "run",
    "sandbox_state_file",
    "start_builtin_sandbox",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``gui`` subcommand."""
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the built-in sandbox and use it, even when profiles exist",
    )
    parser.add_argument("--profile", metavar="NAME", help="open this saved profile instead of the last one")


def sandbox_state_file() -> Path:
    """The built-in sandbox's lists and contacts (SQLite) in the private data folder, kept between runs."""
    from console.paths import data_dir, private_dir, private_file

    return private_file(private_dir(data_dir() / "sandbox") / "state.sqlite")


def start_builtin_sandbox() -> SandboxProcess:
    """Start the built-in sandbox in a child process on a free port, on its persistent state file."""
    from console.sandbox import SandboxConfig, SandboxProcess

    sandbox = SandboxProcess(SandboxConfig(port=0, state_file=str(sandbox_state_file())))
    sandbox.start()
    return sandbox


def create_main_window(
    *,
    force_sandbox: bool = False,
    profile_name: str | None = None,
    open_browser: Callable[[str], object] = webbrowser.open,
    auto_test: bool = True,
) -> MainWindow:
    """Build the window with its session; start the built-in sandbox when it is the opening profile.

    The opening profile is ``profile_name``, else the last one used (the built-in sandbox
    included), else the first saved one, else the built-in sandbox. A saved profile that points
    at a sandbox port that is gone (saved by an older version) is removed and the built-in
    sandbox opens instead. A profile whose secret is not available opens the profile form with a
    sentence saying so, instead of failing a connection test.

    Args:
        force_sandbox: Use the built-in sandbox even when profiles exist.
        profile_name: Saved profile to open (default: the last one used).
        open_browser: Opens the PKCE sign-in URL (tests inject one that follows redirects).
        auto_test: Test the connection of the opening profile at once (fills org and rate limit).
    """
    from console.connect import BUILTIN_SANDBOX_ID, BUILTIN_SANDBOX_NAME, is_stale_sandbox
    from console.credentials import CredentialsError, ProfileStore, SecretVault
    from console.paths import restrict_umask
    from console.ui.api_log import ApiLogModel, ExchangeRecorder
    from console.ui.errors import ErrorSink
    from console.ui.main_window import MainWindow
    from console.ui.session import SessionController

    restrict_umask()  # nothing the window writes is readable by other users (issue 16)
    store = ProfileStore()
    vault = SecretVault()
    sink = ErrorSink()
    log_model = ApiLogModel()
    recorder = ExchangeRecorder()
    recorder.recorded.connect(log_model.append)
    session = SessionController(vault, sink, recorder, open_browser=open_browser)

    profile = None
    builtin = force_sandbox or profile_name == BUILTIN_SANDBOX_NAME
    if profile_name is not None and not builtin:
        profile = next((p for p in store.profiles if p.name == profile_name), None)
    if profile is None and not builtin and store.last_profile_id != BUILTIN_SANDBOX_ID:
        profile = store.last_profile or (store.profiles[0] if store.profiles else None)
    migrated = None
    if profile is not None and is_stale_sandbox(profile):
        migrated = profile.name
        store.delete(profile.id)
        with contextlib.suppress(CredentialsError):
            vault.forget(profile.id)
        store.set_last_profile(BUILTIN_SANDBOX_ID)
        profile = None
    window = MainWindow(store, vault, session, sink, log_model, sandbox_factory=start_builtin_sandbox)
    recorder.setParent(window)
    if profile is None:
        profile = window.builtin_sandbox()
    missing = session.missing_credentials(profile) if profile.needs_secret else None
    session.set_profile(profile, check=auto_test and missing is None)
    if missing is not None:
        window.ask_for_credentials(missing)
    elif migrated is not None:
        window.show_note(
            f"“{migrated}” pointed at a sandbox that is gone; it is now “{BUILTIN_SANDBOX_NAME}”."
        )
    window.setWindowIcon(app_icon())
    return window


def app_icon() -> QIcon:
    """The app icon: the SVG plus the rendered PNG sizes (empty when the resources are missing)."""
    from PySide6.QtGui import QIcon

    from console.resources import ICON_SIZES, icon_path

    icon = QIcon()
    svg = icon_path()
    if svg is not None:
        icon.addFile(str(svg))
    for size in ICON_SIZES:
        png = icon_path(size)
        if png is not None:
            icon.addFile(str(png))
    return icon


def run(args: argparse.Namespace) -> int:
    """Start Qt, show the window, run the event loop; returns the exit code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console import APP_ID, APP_NAME

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)  # matches packaging/linux/outbound-console.desktop
    app.setWindowIcon(app_icon())
    window = create_main_window(
        force_sandbox=bool(getattr(args, "sandbox", False)), profile_name=getattr(args, "profile", None)
    )
    window.show()
    # Ctrl+C / SIGTERM close the window cleanly (workers joined, sandbox stopped). Python runs
    # signal handlers only between bytecodes, so a timer wakes the interpreter now and then.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: window.close())
    wake = QTimer(window)
    wake.timeout.connect(_noop)
    wake.start(250)
    return int(app.exec())


def _noop() -> None:
    """Timer target that lets Python's signal handlers run during the Qt event loop."""
