"""``outbound-console activity`` and the records ``outbound-console upload`` writes, run as a user would."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from console import activity
from console.activity import Action, ActivityRecord
from console.cli import main
from tests.jobs.jobs_helpers import make_list, write_csv


@pytest.fixture
def written(tmp_home: Path) -> list[ActivityRecord]:
    log = activity.default_log()
    records = [
        ActivityRecord(
            action="list.created", at="2026-01-01T08:00:00.000Z", org_name="Acme", target={"name": "A"}
        ),
        ActivityRecord(action="upload.started", at="2026-02-01T08:00:00.000Z", job_id="260201-abc123"),
        ActivityRecord(action="upload.finished", at="2026-03-01T08:00:00.000Z", counts={"sent": 5}),
    ]
    for r in records:
        log.append(r)
    return records


def test_activity_prints_every_record(
    written: list[ActivityRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["activity"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert out[0].startswith("2026-01-01T08:00:00.000Z  list.created  ok  Acme  A")
    assert "sent=5" in out[2]


def test_activity_json_prints_the_raw_lines(
    written: list[ActivityRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["activity", "--json"]) == 0
    out = capsys.readouterr().out
    assert out == activity.default_log().path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "actions"),
    [
        (["--since", "2026-01-15"], ["upload.started", "upload.finished"]),
        (["--since", "2026-02-01T08:00:00.000Z"], ["upload.started", "upload.finished"]),
        (["--action", "upload"], ["upload.started", "upload.finished"]),
        (["--action", "upload.finished"], ["upload.finished"]),
        (["--action", "list.created", "--action", "upload.finished"], ["list.created", "upload.finished"]),
        (["--since", "2026-02-15", "--action", "list"], []),
    ],
)
def test_activity_filters(
    written: list[ActivityRecord], capsys: pytest.CaptureFixture[str], args: list[str], actions: list[str]
) -> None:
    assert main(["activity", "--json", *args]) == 0
    assert [json.loads(line)["action"] for line in capsys.readouterr().out.splitlines()] == actions


def test_activity_refuses_a_bad_since(
    written: list[ActivityRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["activity", "--since", "last tuesday"]) == 2
    assert "not an ISO 8601" in capsys.readouterr().err


def test_a_torn_last_line_is_reported_not_fatal(
    written: list[ActivityRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    with activity.default_log().path.open("ab") as fh:
        fh.write(b'{"version":1,"action":"list.upd')
    assert main(["activity"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3
    assert "torn last line" in captured.err
    assert main(["activity", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_the_cli_upload_writes_exactly_its_records_and_no_secret(
    sandbox: Any, api: Any, tmp_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    list_id = make_list(api, "Spring campaign")
    sample = write_csv(tmp_path / "spring.csv", 30, bad_every=10)
    monkeypatch.setenv("GENESYS_CLIENT_SECRET", "sandbox-secret")
    code = main(
        [
            "upload", str(sample.path), "--list", list_id, "--id-column", "ContactId",
            "--base-url", sandbox.url, "--client-id", "sandbox-client",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    read = activity.default_log().read()
    assert read.problems == []
    assert [r.action for r in read.records] == [Action.UPLOAD_STARTED, Action.UPLOAD_FINISHED]
    finished = read.records[1]
    assert finished.result == "ok"
    assert str(finished.region).startswith(sandbox.url)
    assert finished.actor == "sandbox-client"
    assert finished.target.name == "Spring campaign"
    assert finished.counts == {"rows_total": 27, "sent": 27, "skipped": 5, "refused": 0}
    assert finished.job_id
    # nothing secret or personal in the file: the client secret, any token issued, any phone number sent
    blob = activity.default_log().path.read_text(encoding="utf-8")
    with sandbox.state.lock:
        tokens = list(sandbox.state.tokens)
    assert tokens
    assert "sandbox-secret" not in blob
    for token in tokens:
        assert token not in blob
    digits = re.sub(r"\D", "", blob)
    for contact in sample.expected.values():
        assert contact["Phone"] not in blob
        assert contact["Phone"][-10:] not in digits
