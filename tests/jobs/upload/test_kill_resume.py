"""kill -9 of ``outbound-console upload`` while it waits for the import's evidence, then resume.

The sandbox lags (``import_lag``) or never updates ``importstatus``, as a real org can
(genesys-api.md §6.3): the killed job left an "uploaded, not confirmed" attempt, and the resumed
job must confirm it from this import's evidence, never by uploading the file again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.api import GenesysClient
from tests.jobs.jobs_helpers import journal_rows, list_contents, requests_to, write_csv
from tests.jobs.test_upload_cli import _cmd, _finish, _journal, _kill9, _start, _summary, _wait_for

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "switches",
    [{"import_lag": "4"}, {"import_lag": "3", "import_status_updates": "never"}],
    ids=["lag", "never"],
)
def test_import_without_ids_killed_while_confirming_is_resumed_once(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, switches: dict[str, str]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 300)
    n = len(sample.expected) + sample.valid_no_id
    sandbox.control({"import_delay": 0.5, "switches": switches})
    cmd = _cmd(sandbox, str(sample.path), "--list", list_id, "--mode", "import")
    proc = _start([*cmd, "--poll", "0.2"])
    _wait_for(lambda: jobs_dir.is_dir() and any(jobs_dir.glob("*.sqlite")), 20, "the journal", proc)
    journal = _journal(jobs_dir)
    _wait_for(
        lambda: journal_rows(journal, "SELECT state FROM imports") == [("uploaded",)], 20, "the upload", proc
    )
    _kill9(proc)  # in the confirmation phase: accepted, not confirmed
    assert len(list_contents(sandbox, list_id)) < n  # the import has not landed yet

    code, out, err = _finish(_start([*_cmd(sandbox, "--resume", journal.stem), "--poll", "0.2"]))
    assert code == 0, err
    sent, _, rejected, _ = _summary(out)
    assert (sent, rejected) == (n, 0)
    assert len(requests_to(sandbox, "POST", "/uploads/v2/contactlist")) == 1  # waited, not re-sent
    assert journal_rows(journal, "SELECT state FROM imports") == [("confirmed",)]
    contacts = list_contents(sandbox, list_id)
    assert len(contacts) == n  # every contact exactly once
    got = {tuple(sorted(c["data"].items())) for c in contacts}
    assert {tuple(sorted(d.items())) for d in sample.expected.values()} <= got
