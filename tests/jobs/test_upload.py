"""The upload job in-process against the sandbox over real HTTP: both modes, faults, rejections, resume."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.api import GenesysClient
from console.contacts.reader import CsvSource, open_csv
from console.contacts.validate import ValidationOptions, validate
from console.jobs import (
    ImportFlow,
    JobProgress,
    JobStatus,
    Phase,
    UploadError,
    UploadJob,
    UploadMode,
    UploadOptions,
    Verify,
)
from console.jobs.journal import ChunkState, ImportState, RowState
from tests.jobs.jobs_helpers import fetch_all, list_contents, requests_to, write_csv

CONTACTS = r"/contactlists/[^/]+/contacts$"


@pytest.fixture
def sources() -> Iterator[list[CsvSource]]:
    opened: list[CsvSource] = []
    yield opened
    for s in opened:
        s.close()


def _create(
    api: GenesysClient,
    list_id: str,
    path: Path,
    jobs_dir: Path,
    sources: list[CsvSource],
    **options: Any,
) -> UploadJob:
    src = open_csv(path)
    sources.append(src)
    definition = api.get_contact_list(list_id)
    id_column = options.get("id_column", "ContactId")
    result = validate(src, definition, options=ValidationOptions(id_column=id_column))
    opts = UploadOptions(**{"id_column": "ContactId", "poll_interval": 0.05, **options})
    return UploadJob.create(
        api,
        source=src,
        definition=definition,
        list_id=list_id,
        options=opts,
        validation=result,
        jobs_dir=jobs_dir,
    )


def test_upsert_sends_valid_rows_once_through_429s_and_drops(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 2600)
    sandbox.control(
        {
            "faults": [
                {"kind": "429", "count": 3, "retry_after": 0, "path": CONTACTS, "method": "POST"},
                {"kind": "drop", "count": 2, "path": CONTACTS, "method": "POST"},
                {"kind": "status", "count": 1, "status": 503, "path": CONTACTS, "method": "POST"},
            ]
        }
    )
    job = _create(api, list_id, sample.path, jobs_dir, sources, chunk_size=1000)
    seen: list[JobProgress] = []
    try:
        result = job.run(seen.append)
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    assert result.exit_code == 0
    assert (result.sent, result.rejected) == (len(sample.expected), 0)
    assert result.skipped == 2600 + 2 - len(sample.expected)
    assert result.reconciliation is not None
    assert result.reconciliation.ok
    assert result.reconciliation.keys_checked == len(sample.expected)
    assert fetch_all(api, list_id, list(sample.expected)) == sample.expected
    assert len(list_contents(sandbox, list_id)) == len(sample.expected)
    assert result.id_map == {cid: cid for cid in sample.expected}
    # 3 chunks + 3 answered 429 + 2 drops + 1 503, all retried by the client's policy
    assert len(requests_to(sandbox, "POST", "/contacts")) == 3 + 3 + 2 + 1
    done = [p.rows_done for p in seen]
    assert done == sorted(done)
    assert done[-1] == len(sample.expected)
    assert seen[-1].phase is Phase.FINISHED
    assert seen[-1].rows_total == len(sample.expected)
    assert any(p.phase is Phase.SENDING for p in seen)
    assert any(p.phase is Phase.VERIFYING for p in seen)


def test_rejected_rows_are_mapped_back_and_the_rest_is_sent(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    path = tmp_path / "r.csv"
    long_city = "x" * 600  # over the 512-character limit: a validation error the server also refuses
    path.write_text(
        "ContactId,FirstName,City,Phone\r\n"
        "A1,Ann,Boston,+12125550101\r\n"
        f"A2,Bob,{long_city},+12125550102\r\n"
        "A3,Cy,Boston,+12125550103\r\n"
        f"A4,Di,{long_city},+12125550104\r\n"
        "A5,Ed,Boston,+12125550105\r\n",
        encoding="utf-8",
    )
    job = _create(api, list_id, path, jobs_dir, sources, all_rows=True)
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.REJECTED
    assert result.exit_code == 1
    assert (result.sent, result.rejected) == (3, 2)
    assert [(r.row, r.line, r.source_id, r.code) for r in result.rejections] == [
        (1, 3, "A2", "bad.request"),
        (3, 5, "A4", "bad.request"),
    ]
    assert "City" in result.rejections[0].message
    assert "512" in result.rejections[0].message
    assert sorted(c["id"] for c in list_contents(sandbox, list_id)) == ["A1", "A3", "A5"]
    # one refusal per bad row named by index ("[1].data.City"), then the rest is resent
    assert len(requests_to(sandbox, "POST", "/contacts")) == 3


def test_a_refusal_that_names_no_row_is_bisected(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 40, bad_every=0)
    sandbox.control(
        {"faults": [{"kind": "status", "count": 1, "status": 400, "path": CONTACTS, "method": "POST"}]}
    )
    job = _create(api, list_id, sample.path, jobs_dir, sources)
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    assert result.sent == 40
    assert result.rejected == 0
    posts = requests_to(sandbox, "POST", "/contacts")
    assert len(posts) == 3  # the refused 40, then two halves of 20
    assert fetch_all(api, list_id, list(sample.expected)) == sample.expected


def test_cancel_then_reopen_sends_the_rest_without_duplicates(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 1000)
    job = _create(api, list_id, sample.path, jobs_dir, sources, chunk_size=200)

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
    job = _create(api, list_id, sample.path, jobs_dir, sources, chunk_size=100, verify=Verify.NONE)
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
    job = _create(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT, import_flow=flow)
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
    first = _create(api, list_id, sample.path, jobs_dir, sources, **kw)
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
    second = _create(api, list_id, sample.path, jobs_dir, sources, **kw)
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
    forced = _create(api, list_id, sample.path, jobs_dir, sources, allow_reimport=True, **kw)
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
    job = _create(
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
    job = _create(api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT)
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
    assert {r.code for r in result.rejections} == {"MISSING_COLUMNS"}


def test_upsert_without_id_column_is_refused(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 5)
    with pytest.raises(UploadError, match="id column"):
        _create(api, list_id, sample.path, jobs_dir, sources, id_column=None)
    assert not jobs_dir.exists() or not list(jobs_dir.glob("*.sqlite"))


def test_reopen_refuses_a_changed_file(
    api: GenesysClient, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 20)
    job = _create(api, list_id, sample.path, jobs_dir, sources)
    job.close()
    with sample.path.open("a", encoding="utf-8") as fh:
        fh.write("Z1,Zed,Boston,+12125550199\r\n")
    with pytest.raises(UploadError, match="changed since job"):
        UploadJob.reopen(api, job.job_id, jobs_dir=jobs_dir)


def test_journal_holds_no_secret_or_token(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 50)
    job = _create(api, list_id, sample.path, jobs_dir, sources)
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
