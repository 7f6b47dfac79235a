"""Notifications benchmark: a 60 s test call on the embedded sandbox, followed live and by polling.

The real window (offscreen) places a test call on behalf of Sam on the embedded sandbox (a child
process, as the app runs it). The call rings 5 s, dials 5 s, is connected for the rest of the minute,
then is hung up. Time is the sandbox's movable clock, not the wall clock:

- **live**: the call page follows through the notification channel; each state change is made by
  moving the sandbox clock, and the latency is the wall time from that control request to the page's
  state label showing the new state (median and worst of the changes). The clock then moves on in
  10 s steps to the end of the minute (heartbeats included) before the hang-up.
- **polling**: the same call with live updates off; the page's read timer is replaced by one that
  fires each scheduled read at once and moves the sandbox clock by the read's wait, so a minute of
  the paced polling (2 s, backing off to 10 s while nothing changes) takes a second.

Requests are the API requests the sandbox logged from the click on Place call to the end (the channel
and its subscription included). Goals: live ≤ 6 requests, latency ≤ 200 ms.

Run: ``.venv/bin/python benchmarks/notifications_bench.py``. The last line is
``notifications: N requests during a 60 s call, update latency P ms (polling: M requests)``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import keyring
from keyring.backend import KeyringBackend

CALL_SECONDS = 60.0
RING = 5.0
DIAL = 5.0


class _MemoryKeyring(KeyringBackend):
    """Secrets in memory only (the benchmark must not touch the OS keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """A stored secret."""
        return self._data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret."""
        self._data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Forget a secret."""
        self._data.pop((service, username), None)


class _SimulatedPacer:
    """The follower's read timer on simulated time: a read fires at once, the sandbox clock moves its wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pending: tuple[float, Callable[[], None]] | None = None

    def clock(self) -> float:
        return self.now

    def schedule(self, seconds: float, callback: Callable[[], None]) -> None:
        self.pending = (seconds, callback)

    def cancel(self) -> None:
        self.pending = None


def main() -> int:
    """Run both calls and print the line."""
    tmp = tempfile.mkdtemp(prefix="notifications-bench-")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(Path(tmp) / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    keyring.set_keyring(_MemoryKeyring())

    from PySide6.QtCore import QCoreApplication, Qt  # noqa: TID251 - the benchmark drives the real window
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    from console.ui.app import create_main_window
    from console.ui.main_window import PAGE_CALL

    app = QApplication.instance() or QApplication([])

    def spin_until(done: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            QCoreApplication.processEvents()
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:g} s for {what}")
            time.sleep(0.0005)

    window = create_main_window(force_sandbox=True, auto_test=False)
    window.show()
    sandbox: Any = window.sandbox
    page = window.call_page
    loaded: list[object] = []
    page.lookups_loaded.connect(loaded.append)
    window.page_actions[PAGE_CALL].trigger()
    spin_until(lambda: bool(loaded), "users and queues")

    def requests() -> list[dict[str, Any]]:
        """The API requests logged (``/api/v2/``: what the token's 300 a minute are spent on)."""
        logged = httpx.get(f"{sandbox.url}/sandbox/requests").json()["requests"]
        return [r for r in logged if r["path"].startswith("/api/v2/")]

    def place() -> None:
        sandbox.control({"switches": {"station_answer": str(RING), "call_connect_after": str(DIAL)}})
        httpx.delete(f"{sandbox.url}/sandbox/requests")
        sam = page.user_combo.findText("Sam Supervisor", Qt.MatchFlag.MatchStartsWith)
        page.user_combo.setCurrentIndex(sam)
        page.number_edit.setText("+1 317 555 0123")
        page.place_button.click()

    def label() -> str:
        return str(page.state_label.text())

    ended: list[object] = []
    page.call_ended.connect(ended.append)

    # -- live ------------------------------------------------------------------------------------
    place()
    spin_until(lambda: label().startswith("Ringing"), "the station to ring")
    latencies: list[float] = []
    for seconds, shows in ((RING + 0.1, "Dialing"), (DIAL + 0.1, "Connected")):
        start = time.perf_counter()
        sandbox.control({"advance_clock": seconds})
        spin_until(lambda shows=shows: label().startswith(shows), shows)  # type: ignore[misc]
        latencies.append(time.perf_counter() - start)
    moved = RING + DIAL + 0.2
    while moved < CALL_SECONDS:
        sandbox.control({"advance_clock": 10})
        moved += 10
    spin_until(lambda: page.hang_up_button.isEnabled(), "the hang-up button")
    page.hang_up_button.click()
    start = time.perf_counter()
    spin_until(lambda: bool(ended), "the end of the call")
    latencies.append(time.perf_counter() - start)
    live_log = requests()
    live_requests = len(live_log)
    if os.environ.get("BENCH_VERBOSE"):
        print([f"{r['method']} {r['path']}" for r in live_log])
    live_ok = page.calls.live_on
    page.calls.close_live()

    # -- polling ---------------------------------------------------------------------------------
    sandbox.reset()
    spin_until(lambda: not page.calls.in_progress, "the page to be idle")
    page.calls.live_enabled = False
    pacer = _SimulatedPacer()
    page.calls.pacer = pacer
    page.calls.clock = pacer.clock
    ended.clear()
    place()
    hung = False
    while not ended:
        spin_until(lambda: pacer.pending is not None or bool(ended), "the next read")
        if ended:
            break
        if pacer.now >= CALL_SECONDS and not hung and page.hang_up_button.isEnabled():
            page.hang_up_button.click()
            hung = True
            spin_until(lambda: not page.calls.hanging_up, "the hang-up")
            continue
        assert pacer.pending is not None
        seconds, callback = pacer.pending
        pacer.pending = None
        if seconds:
            sandbox.control({"advance_clock": seconds})
        pacer.now += seconds
        callback()
    polling_requests = len(requests())

    window.close()
    app.processEvents()
    latency_ms = statistics.median(latencies) * 1000
    worst_ms = max(latencies) * 1000
    each = [round(x * 1000) for x in latencies]
    print(f"live: {'on' if live_ok else 'OFF'}; latencies {each} ms, worst {worst_ms:.0f} ms")
    print(
        f"notifications: {live_requests} requests during a 60 s call, update latency {latency_ms:.0f} ms "
        f"(polling: {polling_requests} requests)"
    )
    return 0 if live_ok and live_requests <= 6 and worst_ms <= 200 else 1


if __name__ == "__main__":
    sys.exit(main())
