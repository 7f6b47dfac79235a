"""Fixtures for the upload-job tests: a sandbox client, a fresh data dir, a target list."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.api import Endpoint, GenesysClient
from tests.jobs.jobs_helpers import make_list

_names = itertools.count()


@pytest.fixture
def api(sandbox: Any) -> Iterator[GenesysClient]:
    """Full-permission client on the session sandbox; no retry jitter."""
    client = GenesysClient.with_client_credentials(
        Endpoint.custom(sandbox.url), "sandbox-client", "sandbox-secret", rng=lambda: 0.0
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def jobs_dir(tmp_home: Path) -> Path:
    """Where journals go in this test (inside the temp XDG_DATA_HOME)."""
    return tmp_home / "xdg_data_home" / "outbound-console" / "jobs"


@pytest.fixture
def list_id(api: GenesysClient) -> str:
    """A new empty list with ContactId, FirstName, City, Phone."""
    return make_list(api, f"jobs test list {next(_names)}")
