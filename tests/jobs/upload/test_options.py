"""Options survive the journal; results say how a run ended (pure, no sandbox)."""

from __future__ import annotations

import json

import pytest

from console.jobs.upload import (
    ImportFlow,
    JobStatus,
    Reconciliation,
    UploadMode,
    UploadOptions,
    UploadResult,
    Verify,
)


@pytest.mark.parametrize(
    "options",
    [
        UploadOptions(),
        UploadOptions(
            mode=UploadMode.IMPORT,
            id_column=None,
            all_rows=True,
            import_flow=ImportFlow.PRESIGNED,
            chunk_size=10,
            region="GB",
            regions={"Phone": "DE"},
            mapping={"Phone": 3, "City": "Town"},
            verify=Verify.SIZE,
            reserve=5,
            allow_reimport=True,
        ),
    ],
)
def test_options_round_trip_through_the_journal(options: UploadOptions) -> None:
    meta = json.loads(json.dumps(options.to_meta()))
    assert UploadOptions.from_meta(meta) == options


def test_from_meta_overrides_only_what_is_given() -> None:
    meta = UploadOptions(settle_seconds=30.0, poll_interval=1.0).to_meta()
    again = UploadOptions.from_meta(meta, settle_seconds=0.5, poll_interval=None)
    assert (again.settle_seconds, again.poll_interval) == (0.5, 1.0)


@pytest.mark.parametrize(
    ("recon", "ok"),
    [
        (Reconciliation(10, 10, exact=True), True),
        (Reconciliation(11, 10, exact=True), False),
        (Reconciliation(11, 10, exact=False), True),
        (Reconciliation(9, 10, exact=False), False),
        (Reconciliation(None, None, exact=False), True),
        (Reconciliation(10, 10, exact=False, missing=("A1",)), False),
        (Reconciliation(10, 10, exact=False, mismatched=("A1",)), False),
    ],
)
def test_reconciliation_ok(recon: Reconciliation, ok: bool) -> None:
    assert recon.ok is ok


@pytest.mark.parametrize(
    ("status", "code"),
    [(JobStatus.DONE, 0), (JobStatus.REJECTED, 1), (JobStatus.FAILED, 2), (JobStatus.INTERRUPTED, 3)],
)
def test_exit_codes(status: JobStatus, code: int) -> None:
    result = UploadResult("j", status, sent=3, skipped=1, rejected=0, seconds=1.25, message="")
    assert result.exit_code == code
    assert result.summary_line() == "sent=3 skipped=1 rejected=0 seconds=1.2 job=j"
