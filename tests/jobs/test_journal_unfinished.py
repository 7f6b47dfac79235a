"""Listing the jobs that did not finish (the preview's resume offer), read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from console.jobs.journal import Journal, unfinished_jobs


def _job(directory: Path, status: str, created: float, confirmed: int = 0) -> str:
    journal = Journal.create(
        {"status": status, "list_id": "L1", "source_path": "/data/x.csv", "rows_total": 10},
        directory=directory,
    )
    journal.set_meta({"status": status, "created": created})
    job_id = journal.path.stem
    journal.close()
    with sqlite3.connect(directory / f"{job_id}.sqlite") as conn:
        for row in range(confirmed):
            conn.execute("INSERT INTO outcomes(row, state) VALUES(?, 'confirmed')", (row,))
    return job_id


def test_unfinished_jobs_newest_first_finished_ones_left_out(tmp_path: Path) -> None:
    old = _job(tmp_path, "interrupted", 100.0, confirmed=3)
    new = _job(tmp_path, "running", 200.0)
    _job(tmp_path, "done", 300.0)
    (tmp_path / "broken.sqlite").write_bytes(b"not a database")
    jobs = unfinished_jobs(tmp_path)
    assert [j.job_id for j in jobs] == [new, old]
    first = jobs[1]
    assert (first.status, first.confirmed, first.rows_total, first.list_id) == ("interrupted", 3, 10, "L1")
    assert jobs[1].original_path is None


def test_a_job_running_in_another_process_is_not_offered(tmp_path: Path) -> None:
    job_id = _job(tmp_path, "running", 1.0)
    held = Journal.open(job_id, directory=tmp_path)  # holds the job's OS lock, as the running process does
    try:
        assert unfinished_jobs(tmp_path) == []
    finally:
        held.close()
    assert [j.job_id for j in unfinished_jobs(tmp_path)] == [job_id]


def test_no_directory_no_jobs(tmp_path: Path) -> None:
    assert unfinished_jobs(tmp_path / "missing") == []
