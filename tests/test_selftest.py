"""`outbound-console self-test`: every step passes in-process; a failing step fails the run."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from console import selftest
from console.cli import build_parser
from console.contacts.reader import open_csv

# The offscreen platform plugin says so on every show(); harmless (pytest-qt docs/logging.rst).
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

LINE = re.compile(r"^(ok  .+ \(\d+ ms\): .+|FAIL .+: .+|skip .+: .+)$")


def test_all_steps_pass_in_process(qapp: object) -> None:
    out = io.StringIO()
    assert selftest.run_selftest(out, timeout=20) == 0, out.getvalue()
    lines = out.getvalue().splitlines()
    steps = lines[1:-1]
    assert [s.split(" (")[0].removeprefix("ok  ") for s in steps] == [s.name for s in selftest.STEPS]
    assert all(LINE.match(s) for s in steps), steps
    assert lines[-1].startswith("self-test passed: 11 steps")
    assert "rows sent by its upload process" in out.getvalue()
    assert "dialing -> connected -> disconnected" in out.getvalue()


def test_a_failing_step_fails_the_run_and_skips_what_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx: object) -> str:
        raise selftest.StepError("the sandbox is on fire")

    steps = (
        selftest._Step("sandbox", boom),
        selftest._Step("token", selftest._step_token, ("sandbox",)),
        selftest._Step("qt", selftest._step_qt, qt=True),
    )
    monkeypatch.setattr(selftest, "STEPS", steps)
    out = io.StringIO()
    assert selftest.run_selftest(out, window=False) == 1
    lines = out.getvalue().splitlines()
    assert lines[1:4] == [
        "FAIL sandbox: the sandbox is on fire",
        "skip token: needs sandbox",
        "skip qt: --no-window",
    ]
    assert lines[-1].startswith("self-test FAILED: 2 step(s)")


def test_an_unexpected_exception_is_a_failure_with_its_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(ctx: object) -> str:
        raise KeyError("x")

    monkeypatch.setattr(selftest, "STEPS", (selftest._Step("sandbox", crash),))
    out = io.StringIO()
    assert selftest.run_selftest(out, window=False) == 1
    assert "FAIL sandbox: KeyError: 'x'" in out.getvalue()
    assert "Traceback" in out.getvalue()


def test_user_dirs_are_restored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(selftest, "STEPS", ())
    assert selftest.run_selftest(io.StringIO(), window=False) == 0
    assert os.environ["XDG_CONFIG_HOME"] == str(tmp_path)
    assert "XDG_CACHE_HOME" not in os.environ


def test_sample_csv_round_trips(tmp_path: Path) -> None:
    path = selftest.write_sample_csv(tmp_path / "s.csv")
    with open_csv(path) as source:
        assert source.header == list(selftest.SAMPLE_COLUMNS)


def test_cli_registers_self_test() -> None:
    args = build_parser().parse_args(["self-test", "--no-window", "--timeout", "5"])
    assert args._module == "console.selftest"
    assert (args.no_window, args.timeout) == (True, 5.0)
