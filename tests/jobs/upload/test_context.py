"""The job's controls: a handed-in flag as the client's event; a cancel raises ``errors.Cancelled``."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from console.api import GenesysClient
from console.contacts.reader import CsvSource
from console.errors import Cancelled
from console.jobs.upload.context import FlagEvent, JobContext
from tests.jobs.jobs_helpers import write_csv
from tests.jobs.upload.helpers import PlainFlag, create_job


def test_a_flag_event_without_a_flag_is_a_plain_event() -> None:
    event = FlagEvent()
    assert not event.is_set()
    assert event.wait(0) is False
    event.set()
    assert event.is_set()
    assert event.wait(0) is True


def test_a_flag_event_follows_its_flag_and_adds_its_own_set() -> None:
    flag = PlainFlag()
    event = FlagEvent(flag)
    assert event.wait(0) is False
    flag.value = True
    assert event.is_set()
    assert event.wait(30) is True  # returns at once
    event.clear()  # cannot lower the owner's flag
    assert event.is_set()
    flag.value = False
    assert not event.is_set()
    event.set()
    assert event.is_set()


def test_a_flag_event_wait_ends_when_another_thread_raises_the_flag() -> None:
    flag = PlainFlag()
    event = FlagEvent(flag)
    waiting = threading.Event()
    results: list[bool] = []

    def wait() -> None:
        waiting.set()
        results.append(event.wait(60))

    t = threading.Thread(target=wait)
    t.start()
    waiting.wait(10)
    flag.value = True
    t.join(30)
    assert not t.is_alive()
    assert results == [True]


def test_cancellation_raises_console_errors_cancelled(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 5, bad_every=0)
    job = create_job(api, list_id, sample.path, jobs_dir, sources)
    cancel = PlainFlag()
    try:
        ctx = JobContext(api, job.journal, job.rows, job.options, job.list_id, cancel=cancel)
        ctx.checkpoint()
        cancel.value = True
        with pytest.raises(Cancelled):
            ctx.checkpoint()
        with pytest.raises(Cancelled):
            ctx.sleep(60)
    finally:
        job.close()
