"""UploadJob's lifecycle against the sandbox over real HTTP: cancel, pause, reopen, refusals, the journal."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from console.api import GenesysClient
from console.api.logging import ExchangeRecord
from console.contacts.reader import CsvSource
from console.jobs import JobProgress, JobStatus, Phase, UploadError, UploadJob, Verify
from console.jobs.journal import ChunkState, RowState
from tests.jobs.jobs_helpers import fetch_all, list_contents, requests_to, write_csv
from tests.jobs.upload.helpers import CONTACTS, PlainFlag, create_job


def test_cancel_then_reopen_sends_the_rest_without_duplicates(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 1000)
    job = create_job(api, list_id, sample.path, jobs_dir, sources, chunk_size=200)

    def cancel_after_two_chunks(p: JobProgress) -> None:
        if p.rows_done >= 400:
            job.cancel()

    try:
        first = job.run(cancel_after_two_chunks)
    finally:
        job.close()
    assert first.status is JobStatus.INTERRUPTED
    assert first.exit_code == 3
    assert f"--resume {first.job_id}" in first.message
    assert 400 <= first.sent < len(sample.expected)
    again = UploadJob.reopen(api, first.job_id, jobs_dir=jobs_dir)
    try:
        assert [c.state for c in again.journal.chunks()].count(ChunkState.DONE) == first.sent // 200
        second = again.run()
    finally:
        again.close()
    assert second.status is JobStatus.DONE, second.message
    assert second.sent == len(sample.expected)
    assert fetch_all(api, list_id, list(sample.expected)) == sample.expected
    assert len(list_contents(sandbox, list_id)) == len(sample.expected)
    assert len(requests_to(sandbox, "POST", "/contacts")) == -(-len(sample.expected) // 200)


def test_pause_holds_between_requests(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 300, bad_every=0)
    job = create_job(api, list_id, sample.path, jobs_dir, sources, chunk_size=100, verify=Verify.NONE)
    paused = threading.Event()
    counts_when_paused: list[int] = []

    def on_progress(p: JobProgress) -> None:
        if p.rows_done == 100 and not paused.is_set():
            job.pause()
        if p.phase is Phase.PAUSED:
            counts_when_paused.append(p.rows_done)
            paused.set()

    def unpause_later() -> None:
        paused.wait(10)
        assert job.journal is not None
        job.unpause()

    t = threading.Thread(target=unpause_later)
    t.start()
    try:
        result = job.run(on_progress)
    finally:
        t.join()
        job.close()
    assert counts_when_paused == [100]
    assert result.status is JobStatus.DONE
    assert result.sent == 300


def test_upsert_without_id_column_is_refused(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 5)
    with pytest.raises(UploadError, match="id column"):
        create_job(api, list_id, sample.path, jobs_dir, sources, id_column=None)
    assert not jobs_dir.exists() or not list(jobs_dir.glob("*.sqlite"))


def test_reopen_refuses_a_changed_file(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 20)
    job = create_job(api, list_id, sample.path, jobs_dir, sources)
    job.close()
    with sample.path.open("a", encoding="utf-8") as fh:
        fh.write("Z1,Zed,Boston,+12125550199\r\n")
    with pytest.raises(UploadError, match="changed since job"):
        UploadJob.reopen(api, job.job_id, jobs_dir=jobs_dir)


def test_journal_holds_no_secret_or_token(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 50)
    job = create_job(api, list_id, sample.path, jobs_dir, sources)
    try:
        assert job.run().status is JobStatus.DONE
        rows = job.journal.counts()
    finally:
        job.close()
    assert rows[RowState.CONFIRMED] == len(sample.expected)
    with sandbox.state.lock:
        tokens = list(sandbox.state.tokens)
    assert tokens
    for f in jobs_dir.iterdir():
        blob = f.read_bytes()
        assert b"sandbox-secret" not in blob
        for tok in tokens:
            assert tok.encode() not in blob


def test_a_handed_in_cancel_flag_stops_the_job_between_requests(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 600, bad_every=0)
    cancel = PlainFlag()
    job = create_job(api, list_id, sample.path, jobs_dir, sources, chunk_size=200, cancel=cancel)

    def cancel_after_one_chunk(p: JobProgress) -> None:
        if p.rows_done >= 200:
            cancel.value = True

    try:
        result = job.run(cancel_after_one_chunk)
    finally:
        job.close()
    assert result.status is JobStatus.INTERRUPTED
    assert result.message.startswith("cancelled")
    assert result.sent == 200


def test_a_handed_in_pause_flag_holds_until_its_owner_lowers_it(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 300, bad_every=0)
    pause = PlainFlag()
    job = create_job(
        api, list_id, sample.path, jobs_dir, sources, chunk_size=100, verify=Verify.NONE, pause=pause
    )
    paused = threading.Event()
    counts_when_paused: list[int] = []

    def on_progress(p: JobProgress) -> None:
        if p.rows_done == 100 and not paused.is_set():
            pause.value = True
        if p.phase is Phase.PAUSED:
            counts_when_paused.append(p.rows_done)
            paused.set()

    def lower_when_paused() -> None:
        paused.wait(10)
        pause.value = False

    t = threading.Thread(target=lower_when_paused)
    t.start()
    try:
        result = job.run(on_progress)
    finally:
        t.join()
        job.close()
    assert counts_when_paused == [100]
    assert result.status is JobStatus.DONE
    assert result.sent == 300


def test_a_handed_in_cancel_flag_ends_the_clients_retry_wait(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 50, bad_every=0)
    sandbox.control(
        {"faults": [{"kind": "429", "count": 1, "retry_after": 60, "path": CONTACTS, "method": "POST"}]}
    )
    cancel = PlainFlag()

    def on_exchange(record: ExchangeRecord) -> None:
        if record.status == 429:
            cancel.value = True  # the client now waits 60 s for Retry-After, on the job's cancel

    api.on_exchange = on_exchange
    job = create_job(api, list_id, sample.path, jobs_dir, sources, cancel=cancel)
    try:
        result = job.run()
    finally:
        job.close()
    assert api.waits == [60.0]
    assert result.status is JobStatus.INTERRUPTED
    assert result.message.startswith("cancelled")
    assert result.seconds < 30  # not the 60 s the server asked for
    assert result.sent == 0
