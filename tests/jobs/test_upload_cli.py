"""``outbound-console upload`` as a subprocess against the in-process sandbox: kill -9 part-way, resume.

The sandbox lives in the test process, so it survives the client's death and keeps serving the
request the client was waiting for when it was killed (the "sent but never confirmed" case).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest
from pydantic import SecretStr

from console.api import GenesysClient
from tests.conftest import MemoryKeyring
from tests.jobs.jobs_helpers import SampleCsv, fetch_all, journal_rows, list_contents, requests_to, write_csv

CONTACTS = r"/contactlists/[^/]+/contacts$"
SUMMARY = re.compile(r"^sent=(\d+) skipped=(\d+) rejected=(\d+) seconds=([\d.]+) job=(\S+)$")

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = dict(os.environ)  # carries the temp XDG_* dirs set by tmp_home
    env["GENESYS_CLIENT_SECRET"] = "sandbox-secret"
    env.pop("COVERAGE_PROCESS_START", None)
    return env


def _cmd(sandbox: Any, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "console.cli",
        "upload",
        *args,
        "--base-url",
        sandbox.url,
        "--client-id",
        "sandbox-client",
    ]


def _start(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, env=env or _env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _wait_for(cond: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the upload ended (exit {proc.returncode}) before {what}:\n{err}\n{out}")
        time.sleep(0.02)
    proc.kill()
    proc.communicate()
    pytest.fail(f"timed out waiting for {what}")


def _journal(jobs_dir: Path) -> Path:
    found = list(jobs_dir.glob("*.sqlite"))
    assert len(found) == 1, found
    return found[0]


def _summary(out: str) -> tuple[int, int, int, str]:
    last = out.strip().splitlines()[-1]
    m = SUMMARY.match(last)
    assert m is not None, out
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(5)


def _kill9(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def _assert_exact(api: GenesysClient, sandbox: Any, list_id: str, sample: SampleCsv) -> None:
    """Every valid row is in the list exactly once with the right data, and nothing else is."""
    assert fetch_all(api, list_id, list(sample.expected)) == sample.expected
    size = api.get_contact_list(list_id, include_size=True).size
    assert size == len(sample.expected)
    ids = [c["id"] for c in list_contents(sandbox, list_id)]
    assert len(ids) == len(set(ids)) == len(sample.expected)


def test_upsert_killed_mid_job_then_resumed(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path
) -> None:
    sample = write_csv(tmp_path / "c.csv", 3000)
    sandbox.control(
        {
            "faults": [
                {"kind": "429", "count": 2, "retry_after": 1, "path": CONTACTS, "method": "POST"},
                {"kind": "drop", "count": 1, "path": CONTACTS, "method": "POST"},
                {"kind": "delay", "count": 50, "seconds": 0.6, "path": CONTACTS, "method": "POST"},
            ]
        }
    )
    proc = _start(_cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId"))
    _wait_for(lambda: len(list_contents(sandbox, list_id)) >= 1000, 40, "the first chunk", proc)
    posts = len(requests_to(sandbox, "POST", "/contacts"))
    _wait_for(
        lambda: len(requests_to(sandbox, "POST", "/contacts")) > posts, 10, "the next chunk's request", proc
    )
    _kill9(proc)  # while the server sits on that request (delay fault)
    journal = _journal(jobs_dir)
    states = [s for (s,) in journal_rows(journal, "SELECT state FROM chunks ORDER BY seq")]
    assert states[0] == "done"
    assert "sent" in states  # the request in flight: never confirmed
    assert "planned" in states
    assert len(list_contents(sandbox, list_id)) < len(sample.expected)

    code, out, err = _finish(
        _start([sys.executable, "-m", "console.cli", "upload", "--resume", journal.stem])
    )
    assert code == 0, err
    sent, skipped, rejected, job = _summary(out)
    assert (sent, rejected, job) == (len(sample.expected), 0, journal.stem)
    assert skipped == sample.rows - len(sample.expected)
    _assert_exact(api, sandbox, list_id, sample)
    assert "sandbox-secret" not in err + out


def test_import_with_ids_killed_while_importing_then_resumed(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path
) -> None:
    sample = write_csv(tmp_path / "c.csv", 2500)
    status_path = r"/importstatus$"
    sandbox.control(
        {
            "import_delay": 2.5,
            "faults": [
                {"kind": "429", "count": 2, "retry_after": 1, "path": status_path},
                {"kind": "drop", "count": 1, "path": status_path},
            ],
        }
    )
    cmd = _cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId", "--mode", "import")
    proc = _start([*cmd, "--poll", "0.2"])
    _wait_for(lambda: jobs_dir.is_dir() and any(jobs_dir.glob("*.sqlite")), 20, "the journal", proc)
    journal = _journal(jobs_dir)
    _wait_for(
        lambda: journal_rows(journal, "SELECT state FROM imports") == [("uploaded",)], 20, "the upload", proc
    )
    _kill9(proc)
    assert len(list_contents(sandbox, list_id)) < len(sample.expected)  # the import is still running

    code, out, err = _finish(_start([*_cmd(sandbox, "--resume", journal.stem), "--poll", "0.2"]))
    assert code == 0, err
    sent, _, rejected, _ = _summary(out)
    assert (sent, rejected) == (len(sample.expected), 0)
    assert len(requests_to(sandbox, "POST", "/uploads/v2/contactlist")) == 1  # checked, not re-sent
    assert journal_rows(journal, "SELECT state FROM imports") == [("confirmed",)]
    _assert_exact(api, sandbox, list_id, sample)


def test_import_without_ids_killed_during_the_upload_request_is_not_doubled(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path
) -> None:
    sample = write_csv(tmp_path / "c.csv", 1200)
    n = len(sample.expected) + sample.valid_no_id
    sandbox.control(
        {
            "import_delay": 0.3,
            "faults": [{"kind": "delay", "count": 1, "seconds": 1.5, "path": "^/uploads/", "method": "POST"}],
        }
    )
    cmd = _cmd(sandbox, str(sample.path), "--list", list_id, "--mode", "import")
    proc = _start([*cmd, "--poll", "0.2"])
    _wait_for(
        lambda: bool(requests_to(sandbox, "POST", "/uploads/v2/contactlist")), 20, "the upload request", proc
    )
    _kill9(proc)  # the server still holds the request and will import the file after the delay
    journal = _journal(jobs_dir)
    assert journal_rows(journal, "SELECT state FROM imports") == [("uploading",)]

    resume = [*_cmd(sandbox, "--resume", journal.stem), "--poll", "0.2", "--settle", "3"]
    code, out, err = _finish(_start(resume))
    assert code == 0, err
    sent, _, rejected, _ = _summary(out)
    assert (sent, rejected) == (n, 0)
    assert len(requests_to(sandbox, "POST", "/uploads/v2/contactlist")) == 1
    contacts = list_contents(sandbox, list_id)
    assert len(contacts) == n  # not 2 n
    got = sorted(tuple(sorted(c["data"].items())) for c in contacts)
    want = sorted(tuple(sorted(d.items())) for d in sample.expected.values())
    assert len(got) == n
    assert set(want) <= set(got)  # plus the one valid row without an id

    # a second, new job with the same file is refused (exit 2): importing it again would double the list
    code, out, err = _finish(_start([*cmd, "--poll", "0.2"]))
    assert code == 2, err
    assert "already imported" in err
    assert len(list_contents(sandbox, list_id)) == n


def test_interrupt_exits_3_and_says_how_to_resume(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path
) -> None:
    sample = write_csv(tmp_path / "c.csv", 2000, bad_every=0)
    sandbox.control(
        {"faults": [{"kind": "delay", "count": 50, "seconds": 0.4, "path": CONTACTS, "method": "POST"}]}
    )
    proc = _start(_cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId"))
    _wait_for(lambda: len(list_contents(sandbox, list_id)) >= 1000, 30, "the first chunk", proc)
    proc.send_signal(signal.SIGINT)
    code, out, err = _finish(proc)
    assert code == 3, err
    sent, _, _, job = _summary(out)
    assert 1000 <= sent < len(sample.expected)
    assert f"--resume {job}" in err
    code, out, err = _finish(_start([sys.executable, "-m", "console.cli", "upload", "--resume", job]))
    assert code == 0, err
    _assert_exact(api, sandbox, list_id, sample)


def test_cannot_run_without_a_secret_in_the_environment(sandbox: Any, list_id: str, tmp_path: Path) -> None:
    sample = write_csv(tmp_path / "c.csv", 3)
    env = _env()
    del env["GENESYS_CLIENT_SECRET"]
    code, out, err = _finish(
        _start(_cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId"), env)
    )
    assert code == 2
    assert "GENESYS_CLIENT_SECRET" in err
    assert out.strip().splitlines()[-1].endswith("job=-")


def test_upsert_without_id_column_cannot_run(sandbox: Any, list_id: str, tmp_path: Path) -> None:
    sample = write_csv(tmp_path / "c.csv", 3)
    code, _, err = _finish(_start(_cmd(sandbox, str(sample.path), "--list", list_id)))
    assert code == 2
    assert "--id-column" in err


def test_profile_secret_comes_from_the_keyring(
    api: GenesysClient,
    sandbox: Any,
    list_id: str,
    jobs_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process (the keyring backend is this process's): --profile NAME, no secret anywhere else."""
    from console.cli import main
    from console.credentials import CUSTOM_REGION, KeyringSecretStore, Profile, ProfileStore

    sample = write_csv(tmp_path / "c.csv", 300)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        profile = Profile(
            name="Sandbox", region=CUSTOM_REGION, custom_url=sandbox.url, client_id="sandbox-client"
        )
        ProfileStore().upsert(profile)
        KeyringSecretStore().set(profile.id, SecretStr("sandbox-secret"))
        code = main(
            [
                "upload",
                str(sample.path),
                "--list",
                list_id,
                "--id-column",
                "ContactId",
                "--profile",
                "Sandbox",
            ]
        )
    finally:
        keyring.set_keyring(previous)
    out, err = capsys.readouterr()
    assert code == 0, err
    sent, _, _, job = _summary(out)
    assert sent == len(sample.expected)
    [(stored,)] = journal_rows(jobs_dir / f"{job}.sqlite", "SELECT value FROM meta WHERE key='connection'")
    # the profile's name, plus its region and client id for the activity log (issue 19); no secret
    assert json.loads(stored) == {"profile": "Sandbox", "region": sandbox.url, "client_id": "sandbox-client"}
    _assert_exact(api, sandbox, list_id, sample)


# -- issue 21: outputs checked before sending, damaged journals on --resume ---------------------


def test_report_that_is_the_contact_file_is_refused_before_sending(
    sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path
) -> None:
    sample = write_csv(tmp_path / "c.csv", 20)
    before = sample.path.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(sample.path)
    for report in (sample.path, link):
        cmd = _cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId")
        code, _, err = _finish(_start([*cmd, "--report", str(report)]))
        assert code == 2, err
        assert "writing it would destroy the contact file" in err
        assert "Traceback" not in err
    assert sample.path.read_bytes() == before
    assert not requests_to(sandbox, "POST", "/contacts")


@pytest.mark.parametrize("where", ["missing folder", "a file as folder", "read-only folder"])
def test_report_that_cannot_be_written_is_refused_before_sending(
    sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, where: str
) -> None:
    sample = write_csv(tmp_path / "c.csv", 20)
    if where == "missing folder":
        report = tmp_path / "nowhere" / "r.csv"
    elif where == "a file as folder":
        report = sample.path / "r.csv"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders (the other cases cover the check)")
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        report = folder / "r.csv"
    cmd = _cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId")
    code, out, err = _finish(_start([*cmd, "--report", str(report)]))
    assert code == 2, err
    assert "cannot write" in err
    assert "Traceback" not in err
    assert not requests_to(sandbox, "POST", "/contacts")  # nothing was sent
    assert out.strip().splitlines()[-1].endswith("job=-")


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for s in statements:
            conn.execute(s)
    finally:
        conn.close()


def _corrupt(journal: Path, case: str) -> None:
    lock = journal.with_suffix(".lock")
    if case == "garbage file":
        journal.write_bytes(os.urandom(8192))
    elif case == "garbage inside":
        data = bytearray(journal.read_bytes())
        data[100:] = os.urandom(len(data) - 100)
        journal.write_bytes(bytes(data))
    elif case == "truncated":
        journal.write_bytes(journal.read_bytes()[:1500])
    elif case == "empty file":
        journal.write_bytes(b"")
    elif case == "a folder in its place":
        journal.unlink()
        journal.mkdir()
    elif case == "meta value not JSON":
        _sql(journal, "UPDATE meta SET value='{not json' WHERE key='definition'")
    elif case == "schema not JSON":
        _sql(journal, "UPDATE meta SET value='{' WHERE key='schema'")
    elif case == "meta key missing":
        _sql(journal, "DELETE FROM meta WHERE key='source_path'")
    elif case == "meta value wrong type":
        _sql(journal, "UPDATE meta SET value='[1, 2]' WHERE key='definition'")
    elif case == "bad chunk state":
        _sql(journal, "UPDATE chunks SET state='bogus'")
    elif case == "bad outcome state":
        _sql(journal, "UPDATE outcomes SET state='bogus'")
    elif case == "chunk rows not a blob":
        _sql(journal, "UPDATE chunks SET rows='xyz', state='planned'")
    elif case == "meta table missing":
        _sql(journal, "DROP TABLE meta")
    elif case == "chunks table missing":
        _sql(journal, "DROP TABLE chunks")
    elif case == "outcomes table missing":
        _sql(journal, "DROP TABLE outcomes")
    elif case == "lock file is a folder":
        lock.unlink(missing_ok=True)
        lock.mkdir()
    elif case == "permissions 0000":
        journal.chmod(0o000)
    elif case == "permissions 0400":
        journal.chmod(0o400)
    elif case == "lock file read-only":
        lock.touch()
        lock.chmod(0o400)
    else:  # pragma: no cover
        raise AssertionError(case)


_JOURNAL_CASES = [
    "garbage file",
    "garbage inside",
    "truncated",
    "empty file",
    "a folder in its place",
    "meta value not JSON",
    "schema not JSON",
    "meta key missing",
    "meta value wrong type",
    "bad chunk state",
    "bad outcome state",
    "chunk rows not a blob",
    "meta table missing",
    "chunks table missing",
    "outcomes table missing",
    "lock file is a folder",
    "permissions 0000",
    "permissions 0400",
    "lock file read-only",
]
_PERMISSION_CASES = {"permissions 0000", "permissions 0400", "lock file read-only"}


def test_a_damaged_journal_on_resume_is_a_sentence_and_is_never_deleted(
    sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path
) -> None:
    """One real job, then every case on a fresh copy of its journal (the table above)."""
    sample = write_csv(tmp_path / "c.csv", 30)
    code, _, err = _finish(
        _start(_cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId", "--quiet"))
    )
    assert code == 0, err
    journal = _journal(jobs_dir)
    pristine = journal.read_bytes()
    failures = []
    for case in _JOURNAL_CASES:
        if case in _PERMISSION_CASES and os.geteuid() == 0:
            continue  # root reads and writes whatever the mode bits say (the folder/garbage cases cover it)
        for p in (journal, journal.with_suffix(".lock")):
            if p.is_dir():
                p.rmdir()
            elif p.exists():
                p.chmod(0o600)
                p.unlink()
        for extra in jobs_dir.glob(journal.name + "-*"):
            extra.unlink()
        journal.write_bytes(pristine)
        _corrupt(journal, case)
        code, _, err = _finish(
            _start([*_cmd(sandbox, "--resume", journal.stem), "--quiet", "--verify", "none"])
        )
        if code != 2 or "Traceback" in err or "upload: " not in err:
            failures.append(f"{case}: exit {code}\n{err[-800:]}")
            continue
        if not journal.exists():
            failures.append(f"{case}: the journal was deleted")
            continue
        if journal.is_file() and case not in _PERMISSION_CASES:
            try:
                status = journal_rows(journal, "SELECT value FROM meta WHERE key='status'")
            except sqlite3.Error:
                status = []
            if status == [('"running"',)]:
                failures.append(f"{case}: status left 'running'")
    assert not failures, "\n\n".join(failures)


def test_a_file_import_from_the_command_line_ends_through_the_notification_channel(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path
) -> None:
    """Issue 17: ``upload --mode import`` subscribes to the list's importstatus topic and takes the end
    from the event (polling once a minute: only the channel can end it within the test)."""
    sample = write_csv(tmp_path / "c.csv", 300)
    sandbox.control({"import_delay": 0.5})
    cmd = _cmd(sandbox, str(sample.path), "--list", list_id, "--id-column", "ContactId", "--mode", "import")
    code, _out, err = _finish(_start([*cmd, "--poll", "60"]), timeout=50)
    assert code == 0, err
    subscribed = requests_to(sandbox, "PUT", "/subscriptions")
    assert subscribed
    assert any(f"contactlists.{list_id}.importstatus" in str(r) for r in subscribed)
    assert len(requests_to(sandbox, "GET", "/importstatus")) <= 2  # the baseline and the catch-up
    _assert_exact(api, sandbox, list_id, sample)
