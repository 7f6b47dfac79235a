"""The import sender against the sandbox over real HTTP: both flows, repeats, unknown outcomes, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.api import GenesysClient
from console.contacts.reader import CsvSource
from console.jobs import ImportFlow, JobStatus, UploadMode
from console.jobs.journal import ImportState
from console.jobs.upload import imports as upload_imports
from tests.jobs.jobs_helpers import fetch_all, list_contents, requests_to, write_csv
from tests.jobs.upload.helpers import create_job


@pytest.mark.parametrize(
    ("flow", "shape"),
    [
        (ImportFlow.MULTIPART, "no_state"),
        (ImportFlow.PRESIGNED, "no_state"),
        (ImportFlow.MULTIPART, "in_progress_100"),  # success reported as IN_PROGRESS at 100 %
    ],
)
def test_import_with_id_column(
    api: GenesysClient,
    sandbox: Any,
    list_id: str,
    jobs_dir: Path,
    tmp_path: Path,
    sources: list[CsvSource],
    flow: ImportFlow,
    shape: str,
) -> None:
    sample = write_csv(tmp_path / "c.csv", 700)
    sandbox.control({"import_delay": 0.2, "switches": {"import_success_shape": shape}})
    job = create_job(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT, import_flow=flow)
    try:
        result = job.run()
        attempts = job.journal.imports()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    assert result.sent == len(sample.expected)
    assert [a.state for a in attempts] == [ImportState.CONFIRMED]
    assert fetch_all(api, list_id, list(sample.expected)) == sample.expected
    assert len(list_contents(sandbox, list_id)) == len(sample.expected)


def test_import_without_ids_refuses_the_same_file_twice(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 200)
    sandbox.control({"import_delay": 0.1})
    n = len(sample.expected) + sample.valid_no_id
    kw: dict[str, Any] = {"mode": UploadMode.IMPORT, "id_column": None}
    first = create_job(api, list_id, sample.path, jobs_dir, sources, **kw)
    try:
        r1 = first.run()
    finally:
        first.close()
    assert r1.status is JobStatus.DONE, r1.message
    assert r1.sent == n
    assert r1.id_map == {}
    assert r1.reconciliation is not None
    assert r1.reconciliation.exact
    assert r1.reconciliation.list_size == n
    second = create_job(api, list_id, sample.path, jobs_dir, sources, **kw)
    try:
        r2 = second.run()
    finally:
        second.close()
    assert r2.status is JobStatus.FAILED
    assert r2.exit_code == 2
    assert "already imported" in r2.message
    assert r1.job_id in r2.message
    assert len(list_contents(sandbox, list_id)) == n  # not doubled
    assert len(requests_to(sandbox, "POST", "/uploads/v2/contactlist")) == 1
    # the guard is what stops the duplicate: forcing it doubles the list
    forced = create_job(api, list_id, sample.path, jobs_dir, sources, allow_reimport=True, **kw)
    try:
        r3 = forced.run()
    finally:
        forced.close()
    assert r3.status is JobStatus.DONE, r3.message
    assert len(list_contents(sandbox, list_id)) == 2 * n


def test_import_without_ids_after_a_dropped_upload_checks_before_resending(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 150)
    n = len(sample.expected) + sample.valid_no_id
    sandbox.control(
        {
            "import_delay": 0.1,
            "faults": [{"kind": "drop", "count": 1, "path": "^/uploads/", "method": "POST"}],
        }
    )
    job = create_job(
        api,
        list_id,
        sample.path,
        jobs_dir,
        sources,
        mode=UploadMode.IMPORT,
        id_column=None,
        settle_seconds=0.3,
    )
    try:
        result = job.run()
        attempts = job.journal.imports()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    # the dropped request never reached the import: the list did not grow, so it was sent again
    assert [a.state for a in attempts] == [ImportState.SUPERSEDED, ImportState.CONFIRMED]
    assert len(list_contents(sandbox, list_id)) == n
    assert len(requests_to(sandbox, "POST", "/uploads/v2/contactlist")) == 2


def test_an_import_that_fails_on_the_server_rejects_its_rows(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 30, bad_every=0)
    sandbox.control({"import_delay": 0.1})
    job = create_job(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT)
    # the list gains a column after planning: the file no longer has every list column
    current = api.get_contact_list(list_id)
    with sandbox.state.lock:
        sandbox.state.lists[list_id]["columnNames"] = [*current.column_names, "Extra"]
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.REJECTED
    assert result.exit_code == 1
    assert result.rejected == 30
    assert result.sent == 0
    assert {r.code for r in result.rejections} == {"IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST"}
    # the per-row report carries the event-log entry of the failure, with its correlation id
    with sandbox.state.lock:
        event = sandbox.state.events[0]
    assert all(event["correlationId"] in r.message for r in result.rejections)
    assert all("event log" in r.message for r in result.rejections)


def test_presigned_put_without_ids_is_sent_once_and_settled_by_the_list_size(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 120)
    n = len(sample.expected) + sample.valid_no_id
    sandbox.control(
        {
            "import_delay": 0.1,
            "faults": [{"kind": "drop", "count": 1, "path": "^/sandbox-storage/", "method": "PUT"}],
        }
    )
    job = create_job(
        api,
        list_id,
        sample.path,
        jobs_dir,
        sources,
        mode=UploadMode.IMPORT,
        import_flow=ImportFlow.PRESIGNED,
        id_column=None,
        settle_seconds=0.2,
    )
    try:
        result = job.run()
        attempts = job.journal.imports()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    # the client did not retry the dropped PUT (a retry could import the file twice): the job
    # saw the list had not grown and sent the file again under a new attempt
    assert [a.state for a in attempts] == [ImportState.SUPERSEDED, ImportState.CONFIRMED]
    with sandbox.state.lock:
        puts = [
            r for r in sandbox.state.log if r["method"] == "PUT" and r["path"].startswith("/sandbox-storage/")
        ]
    assert len(puts) == 2
    assert len(list_contents(sandbox, list_id)) == n


def _fail_an_import_first(api: GenesysClient, sandbox: Any, list_id: str) -> None:
    """Leave an old FAILED status (and its event-log entry) on the list, as a real org would."""
    api.upload_contacts_csv(list_id, b"", "")
    status = api.wait_for_import(list_id, poll_interval=0.02, timeout=10)
    assert status.is_failed


@pytest.fixture
def fast_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check the list every 0.05 s instead of Terraform's 5 s."""
    monkeypatch.setattr(upload_imports, "COUNT_PACE", 0.05)


@pytest.mark.parametrize("id_column", ["ContactId", None])
@pytest.mark.parametrize("flow", [ImportFlow.MULTIPART, ImportFlow.PRESIGNED])
def test_import_during_the_lag_is_judged_on_this_imports_status(
    api: GenesysClient,
    sandbox: Any,
    list_id: str,
    jobs_dir: Path,
    tmp_path: Path,
    sources: list[CsvSource],
    id_column: str | None,
    flow: ImportFlow,
) -> None:
    sample = write_csv(tmp_path / "c.csv", 40, bad_every=0, with_blank=False)
    sandbox.control({"import_delay": 0.2})
    _fail_an_import_first(api, sandbox, list_id)
    # 0.4 s of lag: the first readings after the upload are the old FAILED, then this import's
    sandbox.control({"switches": {"import_lag": "0.4"}})
    job = create_job(
        api,
        list_id,
        sample.path,
        jobs_dir,
        sources,
        mode=UploadMode.IMPORT,
        import_flow=flow,
        id_column=id_column,
    )
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    assert result.rejected == 0
    n = len(sample.expected) + (sample.valid_no_id if id_column is None else 0)
    assert len(list_contents(sandbox, list_id)) == n  # at once: confirmed only after it landed


@pytest.mark.parametrize("id_column", ["ContactId", None])
def test_import_whose_status_never_changes_is_confirmed_by_the_list(
    api: GenesysClient,
    sandbox: Any,
    list_id: str,
    jobs_dir: Path,
    tmp_path: Path,
    sources: list[CsvSource],
    fast_pace: None,
    id_column: str | None,
) -> None:
    sample = write_csv(tmp_path / "c.csv", 40, bad_every=0, with_blank=False)
    sandbox.control({"import_delay": 0.3, "switches": {"import_status_updates": "never"}})
    job = create_job(
        api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT, id_column=id_column
    )
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    n = len(sample.expected) + (sample.valid_no_id if id_column is None else 0)
    assert result.sent == n
    assert len(list_contents(sandbox, list_id)) == n
    assert len(requests_to(sandbox, "POST", "/uploads/v2/contactlist")) == 1


def test_a_failure_the_status_never_shows_comes_from_the_event_log(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 20, bad_every=0, with_blank=False)
    sandbox.control({"import_delay": 0.1, "switches": {"import_status_updates": "never"}})
    job = create_job(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT)
    current = api.get_contact_list(list_id)
    with sandbox.state.lock:
        sandbox.state.lists[list_id]["columnNames"] = [*current.column_names, "Extra"]
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.REJECTED, result.message
    assert {r.code for r in result.rejections} == {"IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST"}
    upload = requests_to(sandbox, "POST", "/uploads/v2/contactlist")
    assert len(upload) == 1
    assert all(f"correlation id {upload[0]['correlationId']}" in r.message for r in result.rejections)


def test_no_evidence_within_the_timeout_stops_without_sending_again(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 20, bad_every=0, with_blank=False)
    sandbox.control({"switches": {"import_lag": "3600"}})  # the import never starts during the test
    job = create_job(
        api,
        list_id,
        sample.path,
        jobs_dir,
        sources,
        mode=UploadMode.IMPORT,
        id_column=None,
        import_timeout=0.3,
    )
    try:
        result = job.run()
        attempts = job.journal.imports()
    finally:
        job.close()
    assert result.status is JobStatus.INTERRUPTED
    assert "no evidence" in result.message
    assert "previous import" in result.message
    assert "grew by 0 for" in result.message
    assert [a.state for a in attempts] == [ImportState.UPLOADED]
    assert len(requests_to(sandbox, "POST", "/uploads/v2/contactlist")) == 1


def test_an_imports_end_arrives_as_an_event(
    api: GenesysClient,
    sandbox: Any,
    list_id: str,
    jobs_dir: Path,
    tmp_path: Path,
    sources: list[CsvSource],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Followed live, the wait reads importstatus once (the catch-up) and takes the end from the channel."""
    sample = write_csv(tmp_path / "c.csv", 300)
    sandbox.control({"import_delay": 0.5})
    # polling every 60 s and the list checked only once: within the test's time only the events can end it
    monkeypatch.setattr(upload_imports, "COUNT_PACE", 3600.0)
    job = create_job(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT, poll_interval=60)
    job.follow_imports_live(
        lambda cancel=None, **_: GenesysClient.with_client_credentials(
            api.endpoint, "sandbox-client", "sandbox-secret", cancel=cancel
        )
    )
    try:
        result = job.run()
        attempts = job.journal.imports()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    assert [a.state for a in attempts] == [ImportState.CONFIRMED]
    reads = requests_to(sandbox, "GET", "/importstatus")
    assert len(reads) <= 2  # the baseline before the upload; the catch-up
    assert requests_to(sandbox, "PUT", "/subscriptions")
    assert fetch_all(api, list_id, list(sample.expected)) == sample.expected


def test_a_refused_importstatus_topic_falls_back_to_polling(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 50)
    sandbox.control({"import_delay": 0.2, "switches": {"refused_topics": "v2.outbound.*"}})
    job = create_job(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT)
    job.follow_imports_live(api.sibling)
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    assert len(requests_to(sandbox, "GET", "/importstatus")) > 2  # polled
