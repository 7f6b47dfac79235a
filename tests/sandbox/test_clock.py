"""The sandbox clock: tests move time with ``{"advance_clock": seconds}`` instead of sleeping."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from console.sandbox import Sandbox
from console.sandbox.store import Clock
from tests.sandbox.sandbox_helpers import assert_error


def test_advance_moves_now_and_reset_returns_to_the_wall_clock() -> None:
    clock = Clock()
    assert abs(clock.now() - time.time()) < 1
    clock.advance(3600)
    assert clock.now() - time.time() == pytest.approx(3600, abs=1)
    clock.reset()
    assert abs(clock.now() - time.time()) < 1


def test_advance_wakes_a_waiter_at_once() -> None:
    clock = Clock()
    woke = threading.Event()
    clock.call_later(3600, woke.set)
    assert not woke.wait(0.05)
    clock.advance(3600)
    assert woke.wait(5)


def test_token_expiry_follows_the_clock(sb: Sandbox, api: httpx.Client) -> None:
    assert api.get("/api/v2/organizations/me").status_code == 200
    sb.control({"advance_clock": 86400})  # the default lifetime is 86399 s
    assert_error(api.get("/api/v2/organizations/me"), 401, "bad.credentials")


def test_reset_puts_the_clock_back(sb: Sandbox) -> None:
    sb.control({"advance_clock": 3600})
    assert sb.state.clock.now() - time.time() == pytest.approx(3600, abs=1)
    sb.reset()
    assert abs(sb.state.clock.now() - time.time()) < 1


@pytest.mark.parametrize("value", [-1, "5", True, None, 1e10])
def test_advance_clock_is_validated(sb: Sandbox, http: httpx.Client, value: object) -> None:
    r = http.post("/sandbox/control", json={"advance_clock": value})
    assert r.status_code == 400
    assert "advance_clock" in r.text
