"""``outbound-console self-test``: prove an installation (or a frozen bundle) works end to end.

Offscreen and self-contained: it starts an embedded sandbox, gets a token, creates a contact
list, validates a generated sample CSV (in-process and with 2 worker processes, which is what
breaks first in a frozen app), uploads it, places and hangs up a test call, then builds the
main window offscreen (so a bundle missing a Qt plugin, the icons or a page's import fails)
and checks and uploads the sample from its preview page (the window's sandbox, the page's
validation and its upload each run in a child process).

Each step prints one line, ``ok  <step> (<ms> ms): <what it did>`` or ``FAIL <step>: <reason>``;
steps that need a failed one print ``skip <step>``. The last line is the verdict. Exit code 0
when every step passed, 1 otherwise.

Nothing lands in the user's folders: journals, the CSV and (on Linux, through ``XDG_*``) the
settings go to a temporary folder that is removed at the end, and the window's geometry is
not saved. The keyring is not touched (the sandbox secret is held in memory).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from console.api import GenesysClient
    from console.sandbox import Sandbox

SAMPLE_COLUMNS = ("ContactId", "FirstName", "City", "Phone")
SAMPLE_ROWS = (
    ("S001", "Zoë", "Boston", "+1 617 555 0101"),
    ("S002", "José", "  New York  ", "(212) 555-0102"),
    ("S003", "Smith, Jr.", "Miami", "305.555.0103"),
    ("S004", 'Ann "Nan"', "San Francisco", "+14155550104"),
    ("S005", "Brûlé", "Boston", "call me"),
    ("S006", "Li", "Chicago", "312-555-0106"),
)
"""The sample file: one row (S005) has an invalid phone; the others are valid (national formats)."""

SAMPLE_INVALID = frozenset({"S005"})
"""Ids of the sample rows validation must reject."""

CALL_NUMBER = "+15551230000"
"""The number of the test call (the sandbox never dials anything)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``self-test`` subcommand."""
    parser.add_argument(
        "--no-window", action="store_true", help="skip the Qt steps (for machines without Qt's libraries)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="longest wait for one step (default 20)",
    )


def write_sample_csv(path: Path) -> Path:
    """Write the sample contact CSV (UTF-8, CRLF, quoted commas and quotes) to ``path``."""

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"') else value

    lines = [",".join(SAMPLE_COLUMNS), *(",".join(cell(v) for v in row) for row in SAMPLE_ROWS)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


class StepError(Exception):
    """A step's check failed; the message says what was expected and what was seen."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise StepError(message)


@dataclass
class _Context:
    """State passed from step to step."""

    work: Path
    timeout: float
    sandbox: Sandbox | None = None
    api: GenesysClient | None = None
    list_id: str | None = None
    csv_path: Path | None = None
    valid_rows: int = 0
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def need_api(self) -> GenesysClient:
        if self.api is None:  # pragma: no cover - guarded by the step dependencies
            raise StepError("no API client")
        return self.api


# -- steps: each returns the text after "ok  <step> (<ms> ms): " ------------------------------


def _step_sandbox(ctx: _Context) -> str:
    from console.sandbox import Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(port=0, switches={"call_connect_after": "0.1"}))
    sandbox.start()
    ctx.sandbox = sandbox
    ctx.cleanups.append(sandbox.stop)
    return f"embedded sandbox on {sandbox.url}"


def _step_token(ctx: _Context) -> str:
    from console.api import Endpoint, GenesysClient

    assert ctx.sandbox is not None
    api = GenesysClient.with_client_credentials(
        Endpoint.custom(ctx.sandbox.url), "sandbox-client", "sandbox-secret"
    )
    ctx.cleanups.append(api.close)
    org = api.get_organization()
    ctx.api = api
    return f"client-credentials token; org {org.name!r}"


def _step_create_list(ctx: _Context) -> str:
    from console.api.models import ContactList, ContactPhoneNumberColumn

    api = ctx.need_api()
    name = f"Self-test {time.strftime('%Y%m%d-%H%M%S')}"
    created = api.create_contact_list(
        ContactList(
            name=name,
            column_names=list(SAMPLE_COLUMNS),
            phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
        )
    )
    _check(bool(created.id), "the created list has no id")
    ctx.list_id = created.id
    return f"list {name!r} ({len(SAMPLE_COLUMNS)} columns) id={created.id}"


def _validate(ctx: _Context, processes: int) -> tuple[int, int, int]:
    from console.contacts.reader import open_csv
    from console.contacts.validate import ValidationOptions, validate

    assert ctx.list_id is not None
    assert ctx.csv_path is not None
    definition = ctx.need_api().get_contact_list(ctx.list_id)
    with open_csv(ctx.csv_path) as source:
        # small batches so that two processes really share the work
        opts = ValidationOptions(id_column="ContactId", processes=processes, batch_rows=2)
        result = validate(source, definition, options=opts)
    return result.row_count, result.valid_rows, result.invalid_rows


def _step_validate(ctx: _Context) -> str:
    ctx.csv_path = write_sample_csv(ctx.work / "sample-contacts.csv")
    rows, valid, invalid = _validate(ctx, 1)
    want_invalid = len(SAMPLE_INVALID)
    _check(rows == len(SAMPLE_ROWS), f"expected {len(SAMPLE_ROWS)} rows, read {rows}")
    _check(invalid == want_invalid, f"expected {want_invalid} invalid row (bad phone), found {invalid}")
    ctx.valid_rows = valid
    return f"{rows} rows: {valid} valid, {invalid} invalid (the bad phone), phones checked by libphonenumber"


def _step_validate_processes(ctx: _Context) -> str:
    found = _validate(ctx, 2)
    expected = (len(SAMPLE_ROWS), ctx.valid_rows, len(SAMPLE_INVALID))
    _check(found == expected, f"2 processes found rows/valid/invalid {found}, 1 process {expected}")
    return "same findings with 2 worker processes"


def _step_upload(ctx: _Context) -> str:
    from console.contacts.reader import open_csv
    from console.contacts.validate import ValidationOptions, validate
    from console.jobs import JobStatus, UploadJob, UploadMode, UploadOptions

    api = ctx.need_api()
    assert ctx.list_id is not None
    assert ctx.csv_path is not None
    definition = api.get_contact_list(ctx.list_id)
    with open_csv(ctx.csv_path) as source:
        validation = validate(source, definition, options=ValidationOptions(id_column="ContactId"))
        job = UploadJob.create(
            api,
            source=source,
            definition=definition,
            list_id=ctx.list_id,
            options=UploadOptions(mode=UploadMode.UPSERT, id_column="ContactId", poll_interval=0.05),
            validation=validation,
            jobs_dir=ctx.work / "jobs",
        )
        try:
            result = job.run()
        finally:
            job.close()
    _check(result.status is JobStatus.DONE, f"upload ended {result.status.value}: {result.message}")
    _check(result.sent == ctx.valid_rows, f"expected {ctx.valid_rows} rows sent, {result.sent} were")
    recon = result.reconciliation
    _check(recon is not None and recon.ok, f"reconciliation failed: {recon}")
    contact = api.get_contact(ctx.list_id, "S002")
    _check(contact.data.get("Phone") == "+12125550102", f"S002's phone is {contact.data.get('Phone')!r}")
    return (
        f"sent {result.sent}, skipped {result.skipped} (the invalid row), rejected {result.rejected}; "
        f"journal {result.job_id}; reconciled by id"
    )


def _step_call(ctx: _Context) -> str:
    from console.api.models import CreateCallRequest

    api = ctx.need_api()
    user = next((u for u in api.iter_users() if u.name == "Sam Supervisor"), None)
    _check(user is not None and bool(user.id), "the sandbox's supervisor user was not found")
    assert user is not None
    assert user.id is not None
    created = api.create_call_for_user(user.id, CreateCallRequest(phone_number=CALL_NUMBER))
    _check(bool(created.id), "the call has no conversation id")
    assert created.id is not None
    deadline = time.monotonic() + ctx.timeout
    states: list[str] = []
    while True:
        call = api.get_call(created.id)
        external = call.participant("external")
        if external is None:  # the caller's own station rings first; the far end appears once it answers
            station = call.participant("user")
            label = f"station {station.state}" if station is not None else "no legs"
            if not states or states[-1] != label:
                states.append(label)
            _check(time.monotonic() < deadline, f"the far end never appeared (states {states})")
            time.sleep(0.05)
            continue
        _check(bool(external.id), "the call's external participant has no id")
        assert external.id is not None
        if not states or states[-1] != external.state:
            states.append(str(external.state))
        if external.state == "connected":
            break
        _check(time.monotonic() < deadline, f"the call never connected (states {states})")
        time.sleep(0.05)
    api.disconnect_participant(created.id, external.id)
    after = api.get_call(created.id).participant("external")
    _check(
        after is not None and after.state in ("disconnected", "terminated"),
        f"after hang-up the external party is {after.state if after else None!r}",
    )
    assert after is not None
    states.append(str(after.state))
    return f"call to {CALL_NUMBER} as {user.name}: {' -> '.join(states)}"


def _step_qt(ctx: _Context) -> str:
    from PySide6.QtCore import QLibraryInfo  # noqa: TID251 - checking the bundle's Qt is the point
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    from console import APP_ID, APP_NAME

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    prefix, suffix = _lib_affixes()
    native = {"linux": "xcb", "win32": "windows", "darwin": "cocoa"}.get(sys.platform)
    wanted = [f"platforms/{prefix}qoffscreen{suffix}", f"imageformats/{prefix}qsvg{suffix}"]
    if native:
        wanted.append(f"platforms/{prefix}q{native}{suffix}")
    names = {p.relative_to(plugins).as_posix() for p in plugins.glob("*/*") if p.is_file()}
    missing = [w for w in wanted if w not in names]
    _check(not missing, f"Qt plugins missing under {plugins}: {', '.join(missing)}")
    return f"QApplication on {app.platformName()!r}; plugins present: {', '.join(wanted)}"


def _lib_affixes() -> tuple[str, str]:
    """File name prefix and suffix of a Qt plugin on this OS."""
    if sys.platform == "win32":
        return "", ".dll"
    if sys.platform == "darwin":
        return "lib", ".dylib"
    return "lib", ".so"


def _step_icons(ctx: _Context) -> str:
    from PySide6.QtGui import QIcon  # noqa: TID251

    from console.resources import ICON_SIZES, icon_path, resources_dir

    root = resources_dir()
    _check(root is not None, "resources/icons not found (frozen: under sys._MEIPASS; source: the repo)")
    svg = icon_path()
    missing = [str(s) for s in ICON_SIZES if icon_path(s) is None]
    _check(svg is not None and not missing, f"icon files missing: svg={svg}, png sizes {missing}")
    pixmap = QIcon(str(svg)).pixmap(64, 64)
    _check(not pixmap.isNull(), "the SVG icon does not render (Qt's SVG icon engine is missing)")
    return f"SVG renders at 64 px and {len(ICON_SIZES)} PNG sizes found in {root}"


def _step_window(ctx: _Context) -> str:
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    from console.ui.app import create_main_window

    window = create_main_window(force_sandbox=True, auto_test=True)
    # Not the user's window: keep their saved geometry and page as they were.
    window.save_settings = _no_settings  # type: ignore[method-assign]
    tested: list[object] = []
    failed: list[object] = []
    window.session.connection_tested.connect(tested.append)
    window.session.connection_failed.connect(failed.append)
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    try:
        window.show()
        deadline = time.monotonic() + ctx.timeout
        while not tested and not failed and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        _check(not failed, f"the window's connection test failed: {failed[0] if failed else ''}")
        _check(bool(tested), f"the window's connection test did not finish in {ctx.timeout:.0f} s")
        pages = window.stack.count()
        shot = window.grab()
        _check(not shot.isNull() and shot.width() > 0, "the window does not render")
        url = str(getattr(window.sandbox, "url", "?"))
    finally:
        window.close()
        QApplication.processEvents()
    _check(bool(closed), "the window did not close cleanly")
    window.deleteLater()
    QApplication.processEvents()
    size = f"{shot.width()}x{shot.height()}"
    return f"main window with {pages} pages connected to its sandbox {url}, rendered {size}"


def _answer_upload_confirmation() -> tuple[list[str], object]:
    """Click Upload in the upload's confirmation when it opens (a modal dialog).

    Returns the dialog's text once seen, and the timer that looks for it (keep it until the upload ends).

    The page asks only once the org is checked, so the answer is a timer that looks for the dialog
    while the confirmation's own event loop runs, as a user's click would come.
    """
    from PySide6.QtCore import QTimer  # noqa: TID251
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel  # noqa: TID251

    seen: list[str] = []
    timer = QTimer()

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "uploadConfirm" and widget.isVisible():
                label = widget.findChild(QLabel, "uploadConfirmText")
                seen.append(label.text() if label is not None else "")
                box = widget.findChild(QDialogButtonBox)
                for button in box.buttons() if box is not None else []:
                    if button.text().replace("&", "") == "Upload":
                        button.click()
                timer.stop()
                return

    timer.timeout.connect(look)
    timer.start(50)
    return seen, timer


def _step_preview(ctx: _Context) -> str:
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    from console.api import Endpoint, GenesysClient
    from console.api.models import ContactList, ContactPhoneNumberColumn
    from console.ui.app import SANDBOX_CLIENT, create_main_window

    assert ctx.csv_path is not None
    window = create_main_window(force_sandbox=True, auto_test=False)
    window.save_settings = _no_settings  # type: ignore[method-assign]
    page = window.preview_page
    events: dict[str, list[object]] = {"lists": [], "validated": [], "uploaded": [], "failed": []}
    page.lists_loaded.connect(events["lists"].append)
    page.validated.connect(events["validated"].append)
    page.upload_finished.connect(events["uploaded"].append)
    page.upload_failed.connect(events["failed"].append)
    page.validate_ctl.failed.connect(events["failed"].append)

    def wait(what: str, key: str) -> object:
        deadline = time.monotonic() + ctx.timeout
        while not events[key] and not events["failed"] and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        _check(not events["failed"], f"{what} failed: {events['failed'][0] if events['failed'] else ''}")
        _check(bool(events[key]), f"{what} did not finish in {ctx.timeout:.0f} s")
        return events[key].pop()

    try:
        window.show()
        wait("loading the lists", "lists")  # the first load, started with the session
        deadline = time.monotonic() + ctx.timeout
        while page.lists_ctl.is_running and time.monotonic() < deadline:  # its thread is joined after
            QApplication.processEvents()
            time.sleep(0.01)
        url = str(getattr(window.sandbox, "url", ""))
        with GenesysClient.with_client_credentials(Endpoint.custom(url), *SANDBOX_CLIENT) as api:
            target = api.create_contact_list(
                ContactList(
                    name="Self-test preview",
                    column_names=list(SAMPLE_COLUMNS),
                    phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
                )
            )
        assert target.id is not None
        events["lists"].clear()
        page.load_lists()
        wait("loading the lists again", "lists")
        page.open_csv(ctx.csv_path)
        page.select_list(target.id)
        checked = wait("checking the file in the validation process", "validated")
        invalid = getattr(getattr(checked, "result", None), "invalid_rows", None)
        _check(invalid == len(SAMPLE_INVALID), f"the page found {invalid} invalid rows")
        confirmed, answering = _answer_upload_confirmation()
        page.start_upload()
        outcome = wait("the upload process", "uploaded")
        del answering
        _check(bool(confirmed), "the upload did not ask for confirmation")
        _check("Sandbox Org" in confirmed[0], f"the confirmation does not name the org: {confirmed[0][:120]}")
        result = getattr(outcome, "result", None)
        sent = getattr(result, "sent", None)
        _check(sent == ctx.valid_rows, f"the page's upload sent {sent} rows, expected {ctx.valid_rows}")
    finally:
        window.close()
        QApplication.processEvents()
    window.deleteLater()
    QApplication.processEvents()
    return (
        f"preview page: {invalid} invalid row marked by its validation process, {sent} rows sent by its "
        "upload process, to the window's sandbox process"
    )


def _no_settings() -> None:
    """Stands in for ``MainWindow.save_settings`` during the self-test."""


# -- runner ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    name: str
    run: Callable[[_Context], str]
    needs: tuple[str, ...] = ()
    qt: bool = False


STEPS = (
    _Step("sandbox", _step_sandbox),
    _Step("token", _step_token, ("sandbox",)),
    _Step("create list", _step_create_list, ("token",)),
    _Step("validate csv", _step_validate, ("create list",)),
    _Step("validate csv, 2 processes", _step_validate_processes, ("validate csv",)),
    _Step("upload", _step_upload, ("validate csv",)),
    _Step("test call", _step_call, ("token",)),
    _Step("qt", _step_qt, qt=True),
    _Step("icons", _step_icons, ("qt",), qt=True),
    _Step("main window", _step_window, ("qt",), qt=True),
    _Step("preview page", _step_preview, ("main window", "validate csv"), qt=True),
)
"""The steps in order, with the steps each one needs."""


def _isolate_user_dirs(work: Path) -> dict[str, str | None]:
    """Point the XDG folders (Linux/BSD settings, data, logs, cache) into ``work``; returns old values."""
    saved: dict[str, str | None] = {}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        saved[var] = os.environ.get(var)
        path = work / var.lower()
        path.mkdir(exist_ok=True)
        os.environ[var] = str(path)
    return saved


def _restore_env(saved: dict[str, str | None]) -> None:
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


def run_selftest(out: TextIO, *, window: bool = True, timeout: float = 20.0) -> int:
    """Run every step, printing one line each to ``out``; returns the exit code (0 all passed)."""
    from console import __version__
    from console.resources import is_frozen

    started = time.perf_counter()
    passed: set[str] = set()
    failures = 0
    out.write(
        f"outbound-console {__version__} self-test ({'frozen bundle' if is_frozen() else 'source'}, "
        f"Python {sys.version.split()[0]}, {sys.platform})\n"
    )
    with tempfile.TemporaryDirectory(prefix="outbound-console-selftest-") as tmp:
        work = Path(tmp)
        saved_env = _isolate_user_dirs(work)
        ctx = _Context(work=work, timeout=timeout)
        try:
            for step in STEPS:
                if step.qt and not window:
                    out.write(f"skip {step.name}: --no-window\n")
                    continue
                unmet = [n for n in step.needs if n not in passed]
                if unmet:
                    out.write(f"skip {step.name}: needs {', '.join(unmet)}\n")
                    failures += 1
                    continue
                t0 = time.perf_counter()
                try:
                    detail = step.run(ctx)
                except StepError as exc:
                    out.write(f"FAIL {step.name}: {exc}\n")
                    failures += 1
                except Exception as exc:  # noqa: BLE001 - any error is a failed step, with its trace
                    out.write(f"FAIL {step.name}: {type(exc).__name__}: {exc}\n")
                    out.write("".join("     " + line for line in traceback.format_exc().splitlines(True)))
                    failures += 1
                else:
                    ms = (time.perf_counter() - t0) * 1000
                    out.write(f"ok  {step.name} ({ms:.0f} ms): {detail}\n")
                    passed.add(step.name)
                out.flush()
        finally:
            for cleanup in reversed(ctx.cleanups):
                try:
                    cleanup()
                except Exception as exc:  # noqa: BLE001 - report and go on cleaning up
                    out.write(f"warning: cleanup failed: {exc}\n")
            _restore_env(saved_env)
    seconds = time.perf_counter() - started
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if threads:
        out.write(f"FAIL threads left running: {', '.join(threads)}\n")
        failures += 1
    if failures:
        out.write(f"self-test FAILED: {failures} step(s) failed or skipped, {seconds:.1f} s\n")
        return 1
    out.write(f"self-test passed: {len(passed)} steps in {seconds:.1f} s\n")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the self-test offscreen; returns 0 when every step passed."""
    # Offscreen unless the caller chose a platform: the self-test never needs a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return run_selftest(sys.stdout, window=not args.no_window, timeout=args.timeout)
