"""Regenerate the README's screenshots from the real app: ``.venv/bin/python scripts/screenshots.py``.

Every file name carries the window size: ``<name>-1366x768.png`` by default; ``--size 1024x700`` or
``--size 1440x900`` takes the same shots in a window of that size (the README shows 1366x768 and
links the others).

Opens the real main window offscreen on the embedded sandbox (settings, data and journals in a
temporary folder; the keyring is never touched), drives each page to a meaningful state and
saves ``docs/screenshots/<name>-<W>x<H>.png``. A page that cannot be driven (not built yet, or its API
changed) is reported and the others are still taken; the exit code is 1 when any shot failed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1366, 768)
if "--size" in sys.argv:
    _w, _h = sys.argv[sys.argv.index("--size") + 1].lower().split("x")
    SIZE = (int(_w), int(_h))
SUFFIX = f"-{SIZE[0]}x{SIZE[1]}"

os.environ["QT_QPA_PLATFORM"] = "offscreen"
_TMP = tempfile.TemporaryDirectory(prefix="outbound-console-shots-")
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = str(Path(_TMP.name) / _var.lower())
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QPushButton, QWidget  # noqa: E402, TID251

from console import APP_ID, APP_NAME  # noqa: E402
from console.ui.app import create_main_window  # noqa: E402
from console.ui.builder.dialogs import ConfirmSendDialog  # noqa: E402
from console.ui.main_window import PAGE_ACTIVITY, PAGE_BUILDER, PAGE_CALL, PAGE_LOG, MainWindow  # noqa: E402
from console.ui.preview.confirm import UploadConfirmDialog, WarningRows  # noqa: E402


def wait_until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    """Run the event loop until ``predicate()`` is true; raises TimeoutError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s")
        QApplication.processEvents()
        time.sleep(0.01)


def pause(seconds: float = 0.3) -> None:
    """Process events for ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def signal_flag(signal: Any) -> list[object]:
    """A list that receives every emission of ``signal`` (emitted on the GUI thread)."""
    got: list[object] = []
    signal.connect(lambda *args: got.append(args[0] if args else None))
    return got


def save(widget: QWidget, name: str) -> Path:
    """Grab ``widget`` into docs/screenshots/<name>-<W>x<H>.png."""
    pause(0.3)
    path = OUT / f"{name}{SUFFIX}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def write_contacts_csv(path: Path) -> Path:
    """A contact file with typical problems: bad and national phones, a missing id, a duplicate, padding."""
    rows = ["ContactId,FirstName,LastName,City,State,Zip,Phone,Email"]
    cities = [("Boston", "MA", "02108", 617), ("New York", "NY", "10001", 212), ("Miami", "FL", "33101", 305)]
    names = ["Zoë", "José", "Ann", "Brûlé", "Li", "Omar", "Priya", "Sam", "Kofi", "Mia", "Noah", "Ines"]
    for i in range(60):
        city, state, zip_code, area = cities[i % 3]
        phone = f"({area}) 555-{1000 + i:04d}" if i % 2 else f"+1{area}555{1000 + i:04d}"
        email = f"{names[i % 12].lower()}.{i}@example.com"
        cid = f"C{i:04d}"
        if i == 3:
            phone = "call me"
        if i == 7:
            cid = ""
        if i == 11:
            cid = "C0010"
        if i == 14:
            email = "not-an-email"
        if i == 18:
            city = "  Boston  "
        if i == 22:
            phone = "+44 20 7946 0000x"
        rows.append(f"{cid},{names[i % 12]},Smith{i},{city},{state},{zip_code},{phone},{email}")
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


# -- shots ---------------------------------------------------------------------------------------


def shot_builder(win: MainWindow, work: Path) -> list[Path]:
    """The list builder: a CSV header turned into a definition with a local finding, then created."""
    page = win.builder_page
    win.show_page(PAGE_BUILDER)
    page.start_from_csv(work / "contacts.csv")
    wait_until(lambda: page.result_label.text().startswith("From"))
    page.name_edit.setText("Spring renewals")
    page.name_edit.editingFinished.emit()
    # A local finding, shown at its field before anything is sent: a backslash in a column name.
    city = page.columns.editor(3, "name")
    city.setText("City\\Town")
    wait_until(lambda: city.property("finding") == "error")
    shots = [save(win, "builder")]
    city.setText("City")
    wait_until(lambda: city.property("finding") in (None, "", "none"))
    sent = signal_flag(page.sent)
    # The confirmation box is modal; answer "Create" (the dialogs are patch-able for this).
    ConfirmSendDialog.ask = classmethod(lambda cls, *a: True)  # type: ignore[method-assign,assignment]
    page.create_button.click()
    wait_until(lambda: sent)
    shots.append(save(win, "builder-created"))
    return shots


def shot_preview(win: MainWindow, work: Path) -> list[Path]:
    """The CSV preview with findings against the list created above, then an upload."""
    page = win.preview_page
    loaded = signal_flag(page.lists_loaded)
    validated = signal_flag(page.validated)
    win.open_csv(work / "contacts.csv")
    page.load_lists()
    wait_until(lambda: loaded)
    lists = loaded[-1]
    target = next((x for x in lists if getattr(x, "name", "") == "Spring renewals"), None)  # type: ignore[attr-defined]
    if target is None:
        raise LookupError("the list created by the builder is not offered")
    page.select_list(str(target.id))
    wait_until(lambda: validated, 30)
    page.jump_to(3)
    shots = [save(win, "preview")]
    finished = signal_flag(page.upload_finished)
    UploadConfirmDialog.ask = classmethod(lambda cls, *a: WarningRows.SEND)  # type: ignore[method-assign,assignment]
    page.start_upload()
    wait_until(lambda: finished, 60)
    shots.append(save(win, "upload"))
    return shots


def shot_call(win: MainWindow, work: Path) -> list[Path]:
    """A test call: connected, then hung up."""
    page: Any = win.call_page
    if not hasattr(page, "place"):
        win.show_page(PAGE_CALL)
        raise NotImplementedError("the test-call page is still a placeholder")
    lookups = signal_flag(page.lookups_loaded)
    win.show_page(PAGE_CALL)
    wait_until(lambda: lookups)
    page.number_edit.setText("+1 317 555 0123")
    updated = signal_flag(page.call_updated)
    ended = signal_flag(page.call_ended)
    page.place()
    wait_until(lambda: any("connected" in str(getattr(c, "model_dump", dict)()) for c in updated) or ended)
    pause(1.2)
    shots = [save(win, "test-call")]
    page.hang_up()
    wait_until(lambda: ended)
    return shots


def shot_decoder(win: MainWindow, work: Path) -> list[Path]:
    """A server 400 (a call from a queue deleted since the page loaded) in the error bar and decoder."""
    page: Any = win.call_page
    if not hasattr(page, "queue_combo"):
        raise NotImplementedError("the test-call page is still a placeholder")
    reported = signal_flag(win.sink.reported)
    win.show_page(PAGE_CALL)
    page.number_edit.setText("+13175550123")
    page.queue_combo.addItem("Queue deleted since the page loaded", "00000000-0000-0000-0000-000000000000")
    page.queue_combo.setCurrentIndex(page.queue_combo.count() - 1)
    wait_until(lambda: page.place_button.isEnabled(), 10)
    if not page.place():
        raise RuntimeError(f"the call page did not send: {page.error_label.text()}")
    wait_until(lambda: reported)
    page.queue_combo.setCurrentIndex(0)
    shots = [save(win, "error-bar")]
    button = win.findChild(QPushButton, "errorDecodeButton")
    if button is None:
        raise LookupError("no decode button on the error bar")
    button.click()
    dialog = win.sink.decoder
    if not isinstance(dialog, QWidget):
        raise LookupError("the decoder did not open")
    shots.append(save(dialog, "decoder"))
    dialog.close()
    win.error_bar.hide()
    return shots


def shot_log(win: MainWindow, work: Path) -> list[Path]:
    """The API log of the session, last exchange selected."""
    win.show_page(PAGE_LOG)
    view: Any = getattr(win.log_page.log_widget, "view", None) or getattr(
        win.log_page.log_widget, "table", None
    )
    if view is not None and view.model() is not None and view.model().rowCount() > 0:
        view.selectRow(view.model().rowCount() - 1)
    return [save(win, "api-log")]


def shot_activity(win: MainWindow, work: Path) -> list[Path]:
    """The activity history after the writes above (list created, upload, test call, a refused call)."""
    page: Any = win.activity_page
    loaded = signal_flag(page.loaded)
    win.show_page(PAGE_ACTIVITY)
    page.refresh()
    wait_until(lambda: loaded)
    pause(0.3)
    return [save(win, "activity")]


def shot_profiles(win: MainWindow, work: Path) -> list[Path]:
    """The main window on the sandbox, and the profile dialog."""
    win.show_page(PAGE_BUILDER)
    shots = [save(win, "main-window")]
    dialog = win.show_profiles()
    dialog.resize(900, 560)
    shots.append(save(dialog, "profile-dialog"))
    dialog.close()
    return shots


SHOTS = (shot_builder, shot_preview, shot_call, shot_decoder, shot_log, shot_activity, shot_profiles)


def main() -> int:
    """Take every shot; returns 1 when any failed."""
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(_TMP.name)
    write_contacts_csv(work / "contacts.csv")
    win = create_main_window(force_sandbox=True, auto_test=True)
    win.resize(*SIZE)
    win.show()
    wait_until(lambda: win.org_label.text() not in ("", "Org: -"))
    failed = 0
    for shot in SHOTS:
        try:
            paths = shot(win, work)
        except Exception as exc:  # noqa: BLE001 - report the page and go on with the others
            failed += 1
            sys.stdout.write(f"FAIL {shot.__name__}: {type(exc).__name__}: {exc}\n")
            if os.environ.get("SHOTS_DEBUG"):
                traceback.print_exc()
        else:
            for p in paths:
                sys.stdout.write(f"ok  {p.relative_to(ROOT)}\n")
    win.close()
    pause(0.2)
    _TMP.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
