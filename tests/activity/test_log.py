"""The activity log file: one durable line per record, rotation, torn lines, the lock, no secrets."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console import activity
from console.activity import Action, ActivityContext, ActivityLog, ActivityRecord, Result, mask_number, scrub


def test_record_writes_one_line_with_every_field(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "activity.jsonl")
    ctx = ActivityContext(profile="Prod", org_id="o-1", org_name="Acme", region="us-east-1", actor="client-1")
    entry = activity.record(
        Action.LIST_CREATED,
        target={"kind": "list", "id": "L1", "name": "Spring"},
        counts={"columns": 3},
        correlation_ids=["c-1", None],
        context=ctx,
        log=log,
    )
    assert entry is not None
    lines = (tmp_path / "activity.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    body = json.loads(lines[0])
    assert body["version"] == activity.VERSION
    assert body["at"].endswith("Z")
    assert len(body["at"]) == len("2026-05-01T09:30:00.123Z")
    assert {k: body[k] for k in ("profile", "org_id", "org_name", "region", "actor")} == {
        "profile": "Prod", "org_id": "o-1", "org_name": "Acme", "region": "us-east-1", "actor": "client-1",
    }
    assert body["action"] == "list.created"
    assert body["target"] == {"kind": "list", "id": "L1", "name": "Spring"}
    assert body["result"] == "ok"
    assert body["counts"] == {"columns": 3}
    assert body["correlation_ids"] == ["c-1"]
    assert body["job_id"] is None
    assert set(body) >= {"message", "details"}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_the_log_is_private(tmp_home: Path) -> None:
    activity.record(Action.UPLOAD_STARTED)
    path = activity.default_log().path
    assert path.parent.name == "outbound-console"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.with_name("activity.lock").stat().st_mode) == 0o600


def test_a_torn_last_line_is_skipped_reported_and_repaired(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "activity.jsonl")
    activity.record(Action.LIST_UPDATED, log=log)
    full = ActivityRecord(action="list.deleted").line()
    with log.path.open("ab") as fh:  # a power cut half way through a write
        fh.write(full[: len(full) // 2])
    read = log.read()
    assert [r.action for r in read.records] == ["list.updated"]
    assert len(read.problems) == 1
    assert "torn last line" in str(read.problems[0])
    assert list(log.raw_lines()) == [log.path.read_text().splitlines()[0]]
    # the next append starts on a line of its own: both complete records read back
    activity.record(Action.TEMPLATE_PUSHED, log=log)
    again = log.read()
    assert [r.action for r in again.records] == ["list.updated", "template.pushed"]
    assert [p.reason for p in again.problems] == ["not JSON"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[1, 2]\n", "not JSON"),
        (b'{"version": 99, "action": "x"}\n', "unknown version 99"),
        (b'{"version": 1}\n', "not a record (1 errors)"),
    ],
)
def test_damaged_lines_are_reported_not_fatal(tmp_path: Path, line: bytes, reason: str) -> None:
    log = ActivityLog(tmp_path / "activity.jsonl")
    log.path.write_bytes(line + ActivityRecord(action="call.placed").line())
    read = log.read()
    assert [r.action for r in read.records] == ["call.placed"]
    assert [p.reason for p in read.problems] == [reason]


def test_rotation_by_size_keeps_every_record_in_order(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "activity.jsonl", max_bytes=600, keep=3)
    for n in range(12):
        activity.record(Action.CALL_ENDED, counts={"n": n}, log=log)
    names = [p.name for p in log.files()]
    assert names == ["activity.jsonl.3", "activity.jsonl.2", "activity.jsonl.1", "activity.jsonl"]
    assert all(p.stat().st_size <= 600 for p in log.files())
    numbers = [r.counts["n"] for r in log.read().records]
    assert numbers == sorted(numbers)
    assert numbers[-1] == 11
    assert len(numbers) < 12  # the oldest rotated file was dropped


def test_read_filters_by_time_and_action(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "activity.jsonl")
    log.append(ActivityRecord(action="upload.started", at="2026-01-01T00:00:00.000Z"))
    log.append(ActivityRecord(action="upload.finished", at="2026-02-01T00:00:00.000Z"))
    log.append(ActivityRecord(action="list.created", at="2026-03-01T00:00:00.000Z"))
    since = datetime(2026, 1, 15, tzinfo=UTC)
    assert [r.action for r in log.read(since=since).records] == ["upload.finished", "list.created"]
    assert [r.action for r in log.read(actions=["upload"]).records] == ["upload.started", "upload.finished"]
    assert [r.action for r in log.read(actions=["list.created"]).records] == ["list.created"]


def test_a_write_that_fails_is_logged_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert activity.record(Action.LIST_CREATED, log=ActivityLog(blocker / "activity.jsonl")) is None


def _append_many(path: str, tag: str) -> None:
    log = ActivityLog(Path(path), max_bytes=4000, keep=50)
    for n in range(40):
        activity.record(Action.UPLOAD_PAUSED, counts={"n": n}, message=tag * 50, log=log)


def test_processes_writing_at_once_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "activity.jsonl"
    spawn = multiprocessing.get_context("spawn")
    children = [spawn.Process(target=_append_many, args=(str(path), tag)) for tag in "ab"]
    for child in children:
        child.start()
    _append_many(str(path), "c")
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    read = ActivityLog(path, max_bytes=4000, keep=50).read()
    assert read.problems == []
    assert len(read.records) == 120
    for tag in "abc":
        mine = [r.counts["n"] for r in read.records if r.message.startswith(tag)]
        assert mine == list(range(40))


@pytest.mark.parametrize(
    ("number", "masked"),
    [("+1 555 010 0123", "***0123"), ("0612345678", "***5678"), ("", ""), (None, "")],
)
def test_mask_number(number: str | None, masked: str) -> None:
    assert mask_number(number) == masked


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("401 Bearer eyJhbGciOi.abc-def", "401 Bearer [redacted]"),
        ("client_secret=s3cr3t! refused", "client_secret=[redacted] refused"),
        ("row +1 (555) 010-0123 refused", "row ***0123 refused"),
        ("since 2026-05-01, 1000 rows", "since 2026-05-01, 1000 rows"),
        ("x" * 600, "x" * 500),
    ],
)
def test_scrub(text: str, clean: str) -> None:
    assert scrub(text) == clean


def test_the_context_round_trips_through_journal_labels() -> None:
    ctx = ActivityContext(profile="P", org_id="o", org_name="Acme", region="eu-west-1", actor="ann")
    assert ActivityContext.from_labels(ctx.labels()) == ctx
    assert ActivityContext.from_labels({"base_url": "http://x", "client_id": "c"}) == ActivityContext(
        region="http://x", actor="c"
    )


def test_result_values_are_stable() -> None:
    assert [r.value for r in Result] == ["ok", "failed", "cancelled"]


def test_every_record_has_its_own_id(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "activity.jsonl")
    for _ in range(3):
        activity.record(Action.CALL_PLACED, log=log)
    ids = [r.id for r in log.read().records]
    assert len(set(ids)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def _record_with_its_own_data_folder(data_home: str, log: ActivityLog) -> None:
    # a spawned child that resolves another data folder (its main module set XDG_DATA_HOME at import)
    os.environ["XDG_DATA_HOME"] = data_home
    with activity.writing_to(log):
        activity.record(Action.UPLOAD_STARTED, job_id="J1")


def _run_child(log: ActivityLog, data_home: Path) -> None:
    child = multiprocessing.get_context("spawn").Process(
        target=_record_with_its_own_data_folder, args=(str(data_home), log)
    )
    child.start()
    child.join(60)
    assert child.exitcode == 0


def test_a_child_writes_into_the_pinned_log_of_its_parent(tmp_home: Path, tmp_path: Path) -> None:
    parents = activity.default_log().pinned()
    assert parents.path == activity.default_log().path
    elsewhere = tmp_path / "child-data"
    _run_child(parents, elsewhere)
    assert [(r.action, r.job_id) for r in activity.default_log().read().records] == [("upload.started", "J1")]
    assert list(elsewhere.rglob(activity.LOG_NAME)) == []
    # the default log unpinned resolves its folder in the child: the record lands there, unseen
    _run_child(activity.default_log(), elsewhere)
    assert len(list(elsewhere.rglob(activity.LOG_NAME))) == 1
    assert len(activity.default_log().read().records) == 1


def test_writing_to_is_undone_after_the_block_and_none_keeps_the_default(
    tmp_home: Path, tmp_path: Path
) -> None:
    default = activity.default_log()
    other = ActivityLog(tmp_path / "other.jsonl")
    with activity.writing_to(other) as inside:
        assert inside is other
        assert activity.default_log() is other
        activity.record(Action.LIST_DELETED)
    assert activity.default_log() is default
    with activity.writing_to(None) as kept:
        assert kept is default
    assert [r.action for r in other.read().records] == ["list.deleted"]
    assert not default.path.exists()
