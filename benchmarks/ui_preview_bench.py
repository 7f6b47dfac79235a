"""Benchmark: the preview page on the 1,000,000-row benchmark file, offscreen.

Measures, with a 5 ms ``QTimer`` heartbeat on the UI thread (a stall = the longest gap between
beats minus the interval):

- time to first rows: ``open_csv`` on the page until the grid has rows and the first cell is read;
- the longest UI-thread stall while the page validates the whole file in its worker;
- the longest stall while the page uploads rows to the sandbox, run in its own process as the
  app embeds it (``--upload-rows`` valid rows of the file, upsert by ContactId, through the
  page's own upload worker).

- the window's check (open to checked, findings index included) against the command line's
  (``outbound-console validate`` of the same file, its own ``seconds=``), run before and after the
  window's in the same run (the mean of the two is the baseline: the machine's load drifts);
- scrolling: 200 jumps across the file while idle, each ``scrollTo`` plus the repaint;
- memory: the peak PSS summed over the app's processes (the page's process, its validation child
  and that child's workers; the sandbox emulator is left out) while the window checks, sampled by
  ``benchmarks/pss.py`` from its own process, and the same for the command line.

Targets (issue 20): window check <= 1.3x the command line, stalls <= 30 ms, scroll <= 16 ms per jump,
peak PSS <= 250 MB. Run: ``.venv/bin/python benchmarks/ui_preview_bench.py`` (generate the file first
with ``python benchmarks/generate.py``). The last line is ``ui preview: first rows F ms; window check W s
(CLI V s, ratio R); stall validating S ms; stall uploading T ms; scroll J ms; peak PSS P MB``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def cli_check(path: Path, definition: Path) -> tuple[float, float, float]:
    """``outbound-console validate`` of ``path``: (its own seconds, wall seconds, peak PSS MB)."""
    from benchmarks.pss import PssSampler

    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "validate", str(path), "--definition", str(definition)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE.parent,
    )
    sampler = PssSampler(proc.pid).start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    peak = sampler.stop()
    print(f"  command line peak: {sampler.detail()}")
    m = re.search(r"seconds=([0-9.]+)", out.strip().splitlines()[-1] if out.strip() else "")
    if proc.returncode not in (0, 1) or m is None:
        raise SystemExit(f"the command line check failed ({proc.returncode}): {err}")
    return float(m.group(1)), wall, peak


class TreeSampler:
    """``benchmarks/pss.py`` in its own process, sampling this process's tree (minus ``exclude``)."""

    def __init__(self, exclude: list[int]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "pss.py"), str(os.getpid()), *map(str, exclude)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def stop(self) -> tuple[float, int]:
        out, _ = self.proc.communicate("stop\n")
        got = json.loads(out.strip().splitlines()[-1])
        self.detail = str(got["detail"])
        return float(got["peak_mb"]), int(got["procs"])


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
    from console.ui.preview.confirm import UploadConfirmDialog, WarningRows
    from console.ui.session import SessionController

    app = QApplication.instance() or QApplication([])
    definition_path = HERE / "data" / "benchmark_list.json"
    definition = ContactList.model_validate_json(definition_path.read_text())
    cli_runs = [cli_check(path, definition_path)]
    print(f"command line check (before): {cli_runs[0][0]:.2f} s (wall {cli_runs[0][1]:.2f} s), "
          f"peak PSS {cli_runs[0][2]:.0f} MB; load {os.getloadavg()[0]:.2f}")
    sandbox = SandboxProcess(SandboxConfig(port=0, rate_limit=100_000))  # as the app embeds it
    sandbox.start()
    sandbox_pid = int(sandbox._process.pid)
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
    tree = TreeSampler(exclude=[sandbox_pid])
    time.sleep(0.2)  # the sampler is running (its first sample is the idle page)
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
    window_pss, window_procs = tree.stop()
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
    print(f"window peak PSS {window_pss:.0f} MB summed over {window_procs} processes (sandbox left out): "
          f"{tree.detail}")

    # upload: remove all rows past --upload-rows (one undoable command) and send the rest
    n = page.model.rowCount()
    keep = args.upload_rows
    page.model.remove_rows(list(range(keep, checked.result.rows_done)))
    assert page.model.rowCount() == keep, (n, page.model.rowCount())
    page._update_send_label()
    # the confirmation's answer ("send") is given at once: the stall measured is the upload's, not a dialog's
    UploadConfirmDialog.ask = classmethod(lambda cls, parent, text, n: WarningRows.SEND)  # type: ignore[method-assign,assignment]
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
    cli_runs.append(cli_check(path, definition_path))
    print(f"command line check (after): {cli_runs[1][0]:.2f} s (wall {cli_runs[1][1]:.2f} s), "
          f"peak PSS {cli_runs[1][2]:.0f} MB; load {os.getloadavg()}")
    cli_s = sum(r[0] for r in cli_runs) / len(cli_runs)
    print(f"command line peak PSS {max(r[2] for r in cli_runs):.0f} MB")
    print(
        f"ui preview: first rows {first_rows_ms:.1f} ms; window check {validate_s:.2f} s "
        f"(CLI {cli_s:.2f} s, ratio {validate_s / cli_s:.2f}); stall validating {stall_validate:.1f} ms; "
        f"stall uploading {stall_upload:.1f} ms; scroll {scroll_ms:.1f} ms; peak PSS {window_pss:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
