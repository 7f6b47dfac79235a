"""Fixtures for api tests against the in-process sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from console.api import Endpoint, ExchangeRecord, GenesysClient


class Recorder:
    """Collects exchange records and the retry waits (without sleeping)."""

    def __init__(self) -> None:
        self.records: list[ExchangeRecord] = []
        self.slept: list[float] = []

    def __call__(self, record: ExchangeRecord) -> None:
        self.records.append(record)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def endpoint(sandbox: Any) -> Endpoint:
    return Endpoint.custom(sandbox.url)


@pytest.fixture
def api(endpoint: Endpoint, recorder: Recorder) -> Iterator[GenesysClient]:
    """Full-permission client-credentials client; retry waits recorded, not slept; no jitter."""
    with GenesysClient.with_client_credentials(
        endpoint,
        "sandbox-client",
        "sandbox-secret",
        on_exchange=recorder,
        sleep=recorder.sleep,
        rng=lambda: 0.0,
    ) as client:
        yield client


def sandbox_requests(sandbox: Any) -> list[dict[str, Any]]:
    """The sandbox's request log (GET /sandbox/requests)."""
    data = httpx.get(f"{sandbox.url}/sandbox/requests").json()
    return list(data["requests"])
