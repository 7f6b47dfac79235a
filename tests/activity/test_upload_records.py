"""The upload job's activity records (the window's thread, the child and the CLI all run UploadJob)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from console import activity
from console.activity import ActivityRecord
from console.api import GenesysClient
from console.contacts.reader import CsvSource
from console.jobs.progress import JobProgress, Phase
from console.jobs.upload import JobStatus, UploadJob, UploadMode, Verify
from tests.jobs.jobs_helpers import write_csv
from tests.jobs.upload.helpers import PlainFlag, create_job


def _records() -> list[ActivityRecord]:
    read = activity.default_log().read()
    assert read.problems == []
    return read.records


def _labelled(job: UploadJob) -> None:
    labels = {"profile": "Prod", "org_id": "o-1", "org_name": "Acme", "actor": "ann"}
    job.journal.set_meta({"connection": labels})


def test_an_upsert_records_started_and_finished_with_counts_and_reconciliation(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 40, bad_every=10)
    job = create_job(api, list_id, sample.path, jobs_dir, sources)
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.DONE
    started, finished = _records()
    assert (started.action, finished.action) == ("upload.started", "upload.finished")
    for r in (started, finished):
        assert r.job_id == job.job_id
        assert r.target.id == list_id
        assert r.target.name
        assert r.target.name.startswith("jobs test list")
        assert r.details["mode"] == "upsert"
    assert started.counts["rows_total"] == len(sample.expected)
    assert finished.result == "ok"
    assert finished.counts["sent"] == len(sample.expected)
    assert finished.counts["refused"] == 0
    assert finished.details["reconciled"] is True
    assert "list size" in str(finished.details["reconciliation"])


def test_the_journal_labels_give_the_records_their_org_and_actor(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 5, bad_every=0)
    job = create_job(api, list_id, sample.path, jobs_dir, sources, verify=Verify.NONE)
    job.close()
    with_labels = UploadJob.reopen(api, job.job_id, jobs_dir=jobs_dir)
    _labelled(with_labels)
    with_labels.close()
    again = UploadJob.reopen(api, job.job_id, jobs_dir=jobs_dir)
    try:
        again.run()
    finally:
        again.close()
        again.rows.source.close()
    for r in _records():
        assert (r.profile, r.org_id, r.org_name, r.actor) == ("Prod", "o-1", "Acme", "ann")


def test_pause_and_resume_are_recorded_once_each(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 300, bad_every=0)
    job = create_job(api, list_id, sample.path, jobs_dir, sources, chunk_size=100, verify=Verify.NONE)
    paused = threading.Event()

    def on_progress(p: JobProgress) -> None:
        if p.rows_done == 100 and not paused.is_set():
            job.pause()
        if p.phase is Phase.PAUSED:
            paused.set()

    def unpause_later() -> None:
        paused.wait(10)
        job.unpause()

    t = threading.Thread(target=unpause_later)
    t.start()
    try:
        job.run(on_progress)
    finally:
        t.join()
        job.close()
    actions = [r.action for r in _records()]
    assert actions == ["upload.started", "upload.paused", "upload.resumed", "upload.finished"]
    assert _records()[1].counts["sent"] == 100


def test_a_cancelled_upload_finishes_cancelled(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 400, bad_every=0)
    cancel = PlainFlag()
    job = create_job(api, list_id, sample.path, jobs_dir, sources, chunk_size=200, cancel=cancel)

    def stop(p: JobProgress) -> None:
        if p.rows_done >= 200:
            cancel.value = True

    try:
        assert job.run(stop).status is JobStatus.INTERRUPTED
    finally:
        job.close()
    last = _records()[-1]
    assert (last.action, last.result) == ("upload.finished", "cancelled")
    assert "resume with" in last.message


def test_a_server_refusal_records_upload_failed_with_its_correlation_id(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 10, bad_every=0)
    job = create_job(api, list_id, sample.path, jobs_dir, sources)
    with sandbox.state.lock:
        del sandbox.state.lists[list_id]  # the list was deleted after planning: 404
    try:
        assert job.run().status is JobStatus.FAILED
    finally:
        job.close()
    last = _records()[-1]
    assert (last.action, last.result) == ("upload.failed", "failed")
    assert last.correlation_ids
    assert last.correlation_ids[0]


def test_a_confirmed_import_is_recorded(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 20, bad_every=0)
    sandbox.control({"import_delay": 0.1})
    job = create_job(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT)
    try:
        assert job.run().status is JobStatus.DONE
    finally:
        job.close()
    actions = [r.action for r in _records()]
    assert actions == ["upload.started", "import.confirmed", "upload.finished"]
    confirmed = _records()[1]
    assert confirmed.counts["rows"] == len(sample.expected)
    assert confirmed.details["mode"] == "import"


def test_a_failed_import_is_recorded_with_its_reason(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 30, bad_every=0)
    sandbox.control({"import_delay": 0.1})
    job = create_job(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT)
    current = api.get_contact_list(list_id)
    with sandbox.state.lock:
        sandbox.state.lists[list_id]["columnNames"] = [*current.column_names, "Extra"]
    try:
        assert job.run().status is JobStatus.REJECTED
    finally:
        job.close()
    records = _records()
    assert [r.action for r in records] == ["upload.started", "import.failed", "upload.finished"]
    failed = records[1]
    assert failed.result == "failed"
    assert "IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST" in failed.message
    assert (records[2].result, records[2].counts["refused"]) == ("failed", 30)
