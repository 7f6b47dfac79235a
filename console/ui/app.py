"""``outbound-console`` / ``outbound-console gui``: open the main window.

First run (no saved profile): the embedded sandbox is started in a child process
(:class:`~console.sandbox.SandboxProcess`, so its request handling never takes the GUI's GIL)
on a free port and an implicit, never-saved "Sandbox" profile points at it, with the sandbox's
well-known client held in memory only; the window shows the "Sandbox — not a real org" banner while it
is in use. Qt and the sandbox are imported only when the GUI really starts, so
``outbound-console gui --help`` stays cheap.
"""

from __future__ import annotations

import argparse
import signal
import sys
import webbrowser
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from console.ui.main_window import MainWindow

SANDBOX_CLIENT = ("sandbox-client", "sandbox-secret")
"""The sandbox's seeded full-access client (docs/sandbox-control.md); not a secret of any real org."""
SANDBOX_PKCE_CLIENT = "sandbox-pkce"
"""The sandbox's public PKCE client."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``gui`` subcommand."""
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the embedded sandbox and use it, even when profiles exist",
    )
    parser.add_argument("--profile", metavar="NAME", help="open this saved profile instead of the last one")


def create_main_window(
    *,
    force_sandbox: bool = False,
    profile_name: str | None = None,
    open_browser: Callable[[str], object] = webbrowser.open,
    auto_test: bool = True,
) -> MainWindow:
    """Build the window with its session; start the sandbox on first run (or when forced).

    Args:
        force_sandbox: Use the embedded sandbox even when profiles exist.
        profile_name: Saved profile to open (default: the last one used).
        open_browser: Opens the PKCE sign-in URL (tests inject one that follows redirects).
        auto_test: Test the connection of the opening profile at once (fills org and rate limit).
    """
    from pydantic import SecretStr

    from console.credentials import CUSTOM_REGION, Profile, ProfileStore, SecretVault
    from console.ui.api_log import ApiLogModel, ExchangeRecorder
    from console.ui.errors import ErrorSink
    from console.ui.main_window import SANDBOX_PROFILE_ID, MainWindow
    from console.ui.session import SessionController

    store = ProfileStore()
    vault = SecretVault()
    sink = ErrorSink()
    log_model = ApiLogModel()
    recorder = ExchangeRecorder()
    recorder.recorded.connect(log_model.append)
    session = SessionController(vault, sink, recorder, open_browser=open_browser)

    sandbox = None
    profile = None
    if profile_name is not None:
        profile = next((p for p in store.profiles if p.name == profile_name), None)
    if profile is None and not force_sandbox:
        profile = store.last_profile or (store.profiles[0] if store.profiles else None)
    if profile is None:
        from console.sandbox import SandboxConfig, SandboxProcess

        sandbox = SandboxProcess(SandboxConfig(port=0))
        sandbox.start()
        profile = Profile(
            id=SANDBOX_PROFILE_ID,
            name="Sandbox",
            region=CUSTOM_REGION,
            custom_url=sandbox.url,
            client_id=SANDBOX_CLIENT[0],
            pkce_client_id=SANDBOX_PKCE_CLIENT,
            redirect_port=0,
        )
        session.hold_secret(profile.id, SecretStr(SANDBOX_CLIENT[1]))  # memory only, never saved
    window = MainWindow(store, vault, session, sink, log_model, sandbox=sandbox)
    recorder.setParent(window)
    session.set_profile(profile)
    if auto_test:
        session.test_connection()
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
