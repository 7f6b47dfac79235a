"""Fixtures for the upload package's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.contacts.reader import CsvSource


@pytest.fixture
def sources() -> Iterator[list[CsvSource]]:
    """CSV sources the test opened; closed at the end."""
    opened: list[CsvSource] = []
    yield opened
    for s in opened:
        s.close()
