"""The upsert sender against the sandbox over real HTTP: 429s, drops, 5xx, refused rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.api import GenesysClient
from console.contacts.reader import CsvSource
from console.jobs import JobProgress, JobStatus, Phase
from console.jobs.upload.upsert import MAX_REFUSALS_PER_CHUNK
from tests.jobs.jobs_helpers import fetch_all, list_contents, requests_to, write_csv
from tests.jobs.upload.helpers import CONTACTS, create_job


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
    job = create_job(api, list_id, sample.path, jobs_dir, sources, chunk_size=1000)
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
    job = create_job(api, list_id, path, jobs_dir, sources, all_rows=True)
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
    job = create_job(api, list_id, sample.path, jobs_dir, sources)
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


def test_bisection_stops_at_the_cap_per_chunk_and_says_so(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 200, bad_every=0)
    # every part is refused and no refusal names a row: unbounded bisection would cost ~400 requests
    sandbox.control(
        {"faults": [{"kind": "status", "count": 10_000, "status": 400, "path": CONTACTS, "method": "POST"}]}
    )
    job = create_job(api, list_id, sample.path, jobs_dir, sources)
    try:
        result = job.run()
    finally:
        job.close()
    sandbox.control({"faults": []})
    assert result.status is JobStatus.REJECTED
    assert len(requests_to(sandbox, "POST", "/contacts")) == MAX_REFUSALS_PER_CHUNK
    assert result.sent == 0
    assert result.rejected == len(sample.expected)
    assert "bisection capped per chunk" in result.message
    unsent = [r for r in result.rejections if "cap per chunk" in r.message]
    assert unsent
    assert all(r.code == "bad.request" and "malformed syntax" in r.message for r in unsent)
