"""Benchmark: the preview page on the 1,000,000-row benchmark file, offscreen.

Measures, with a 5 ms ``QTimer`` heartbeat on the UI thread (a stall = the longest gap between
beats minus the interval):

- time to first rows: ``open_csv`` on the page until the grid has rows and the first cell is read;
- the longest UI-thread stall while the page validates the whole file in its worker;
- the longest stall while the page uploads rows to the sandbox, run in its own process as the
  app embeds it (``--upload-rows`` valid rows of the file, upsert by ContactId, through the
  page's own upload worker).

Targets: first rows < 100 ms, stalls <= 50 ms. Run: ``.venv/bin/python benchmarks/ui_preview_bench.py``
(generate the file first with ``benchmarks/validate_bench.py``). The last line is
``ui preview: first rows X ms; stall validating Y ms; stall uploading Z ms``.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


class Heartbeat:
    """Records the longest gap between timer ticks on the UI thread."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QTimer  # noqa: TID251 - the benchmark drives the real page

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0
        self.running = False

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last - self.interval)
        self.last = now

    def start(self) -> None:
        self.worst = 0.0
        self.last = time.perf_counter()
        self.running = True
        self.timer.start()

    def stop(self) -> float:
        self.running = False
        self.timer.stop()
        return self.worst * 1000


class StallSampler:
    """With ``--sample-stalls``: a watchdog thread that, while a beat is late by more than
    ``late_ms``, samples what the UI thread (and every other thread) is doing every 5 ms.

    A UI thread parked in a Qt call (``processEvents``) with no Python frame above it is
    either in Qt's C++ code or waiting for the GIL: the other threads' stacks then show who
    holds it. :meth:`report` prints the longest stalls with their most frequent stacks.
    """

    def __init__(self, beat: Heartbeat, late_ms: float = 50.0) -> None:
        self.beat = beat
        self.late = late_ms / 1000
        self.gui_id = threading.get_ident()
        self.stalls: list[tuple[float, collections.Counter[str]]] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join()

    def _watch(self) -> None:
        current: collections.Counter[str] | None = None
        since = 0.0
        while not self.stop_event.wait(0.005):
            last = self.beat.last
            late = self.beat.running and time.perf_counter() - last > self.beat.interval + self.late
            if not late:
                if current is not None:
                    self.stalls.append((last - since, current))
                    current = None
                continue
            if current is None:
                current, since = collections.Counter(), last
            for tid, frame in sys._current_frames().items():
                if tid == threading.get_ident():
                    continue
                who = "GUI" if tid == self.gui_id else self._name(tid)
                stack = traceback.extract_stack(frame)[-5:]
                text = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack))
                current[f"{who}: {text}"] += 1

    @staticmethod
    def _name(tid: int) -> str:
        for t in threading.enumerate():
            if t.ident == tid:
                return t.name
        return f"thread {tid}"

    def report(self, title: str, stalls: int = 3, top: int = 6) -> None:
        """Print the longest stalls sampled (with their most frequent stacks), then forget them."""
        print(f"--- {len(self.stalls)} stalls > {self.late * 1000:.0f} ms while {title}")
        for seconds, samples in sorted(self.stalls, key=lambda s: -s[0])[:stalls]:
            print(f"  stall ~{seconds * 1000:.0f} ms:")
            for text, n in samples.most_common(top):
                print(f"  {n:4d} {text}")
        self.stalls.clear()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", default=str(HERE / "data" / "contacts_1000000.csv"))
    parser.add_argument("--upload-rows", type=int, default=20_000)
    parser.add_argument(
        "--sample-stalls", action="store_true", help="print what each thread did while the UI stalled"
    )
    args = parser.parse_args()
    path = Path(args.file)
    if not path.is_file():
        print(f"{path} not found: run benchmarks/validate_bench.py first", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="ui-bench-")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(Path(tmp) / var.lower())

    from pydantic import SecretStr
    from PySide6.QtWidgets import QApplication  # noqa: TID251 - the benchmark drives the real page

    from console.api import Endpoint, GenesysClient
    from console.api.models import ContactList
    from console.credentials import CUSTOM_REGION, Profile, SecretVault
    from console.sandbox import SandboxConfig, SandboxProcess
    from console.ui.api_log import ApiLogModel, ExchangeRecorder
    from console.ui.errors import ErrorSink
    from console.ui.pages import PageContext
    from console.ui.pages.preview import PreviewPage
    from console.ui.session import SessionController

    app = QApplication.instance() or QApplication([])
    definition = ContactList.model_validate_json((HERE / "data" / "benchmark_list.json").read_text())
    sandbox = SandboxProcess(SandboxConfig(port=0, rate_limit=100_000))  # as the app embeds it
    sandbox.start()
    with GenesysClient.with_client_credentials(
        Endpoint.custom(sandbox.url), "sandbox-client", "sandbox-secret"
    ) as api:
        list_id = api.create_contact_list(definition.model_copy(update={"name": "UI bench"})).id
    assert list_id

    failures: list[object] = []

    def spin(cond: object, timeout: float) -> None:
        end = time.monotonic() + timeout
        while not cond() and time.monotonic() < end:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.001)
            if failures:
                raise SystemExit(f"failed: {failures[0]!r}")
        if not cond():  # type: ignore[operator]
            raise SystemExit(f"timed out after {timeout} s")

    sink = ErrorSink()
    recorder, log_model = ExchangeRecorder(), ApiLogModel()
    recorder.recorded.connect(log_model.append)  # as the main window wires them: the API log fills in
    session = SessionController(SecretVault(), sink, recorder)
    page = PreviewPage(PageContext(session=session, sink=sink, log_model=log_model))
    page.resize(1280, 760)
    page.show()
    profile = Profile(
        id="sbx", name="Sandbox", region=CUSTOM_REGION, custom_url=sandbox.url, client_id="sandbox-client"
    )
    session.hold_secret(profile.id, SecretStr("sandbox-secret"))
    session.set_profile(profile)
    spin(lambda: bool(page.lists), 30)
    page.select_list(list_id)  # chosen before the file: opening it starts the check at once

    page.validate_ctl.failed.connect(failures.append)
    page.upload_failed.connect(failures.append)
    beat = Heartbeat()
    sampler = StallSampler(beat) if args.sample_stalls else None
    if sampler is not None:
        sampler.start()
    t0 = time.perf_counter()
    page.open_csv(path)
    first_cell = page.model.data(page.model.index(0, 1))
    first_rows_ms = (time.perf_counter() - t0) * 1000
    assert first_cell == "C0000000", first_cell
    beat.start()
    spin(lambda: page.checked is not None and not page.validate_ctl.is_running, 900)
    stall_validate = beat.stop()
    if sampler is not None:
        sampler.report("validating")
    checked = page.checked
    assert checked is not None
    validate_s = time.perf_counter() - t0
    print(
        f"opened {path.name}: first rows {first_rows_ms:.1f} ms; validated {checked.result.row_count:,} rows "
        f"in {validate_s:.1f} s ({checked.result.invalid_rows:,} invalid); stall {stall_validate:.1f} ms"
    )
    # scroll through the grid while idle: data() must stay cheap anywhere in the file
    t1 = time.perf_counter()
    for v in range(0, page.model.rowCount(), page.model.rowCount() // 200):
        page.view.scrollTo(page.model.index(v, 1))
        app.processEvents()
    scroll_ms = (time.perf_counter() - t1) * 1000 / 200
    print(f"scroll: {scroll_ms:.1f} ms per jump (200 jumps across the file)")

    # upload: remove all rows past --upload-rows (one undoable command) and send the rest
    n = page.model.rowCount()
    keep = args.upload_rows
    page.model.remove_rows(list(range(keep, checked.result.rows_done)))
    assert page.model.rowCount() == keep, (n, page.model.rowCount())
    page._update_send_label()
    # as between two real clicks: the grid repaints after the removal before Upload is pressed
    # (the repaint, ~200 ms on 1M rows, is the removal's cost, not the upload's)
    app.processEvents()
    beat.start()
    t2 = time.perf_counter()
    done: list[object] = []
    page.upload_finished.connect(done.append)
    page.upload_failed.connect(done.append)
    page.start_upload()
    spin(lambda: bool(done) and not page.upload_ctl.is_running, 900)
    stall_upload = beat.stop()
    if sampler is not None:
        sampler.report("uploading")
    outcome = done[0]
    result = getattr(outcome, "result", None)
    print(
        f"upload: {result.summary_line() if result else outcome} in {time.perf_counter() - t2:.1f} s; "
        f"stall {stall_upload:.1f} ms"
    )
    if sampler is not None:
        sampler.stop()
    page.shutdown()
    session.shutdown()
    sandbox.stop()
    print(
        f"ui preview: first rows {first_rows_ms:.1f} ms; stall validating {stall_validate:.1f} ms; "
        f"stall uploading {stall_upload:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
