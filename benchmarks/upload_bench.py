"""Upload benchmark: 100,000 rows upserted to an in-process sandbox whose rate limit binds.

The sandbox allows ``RATE_LIMIT`` requests per fixed 60-second window per token (the
``inin-ratelimit-*`` budget). 100,000 rows are 100 ``POST .../contacts`` of 1,000, plus the
list lookups, so the job needs two windows: it can spend the first window's budget in a few
seconds and must then wait for the reset. What pacing controls is how much of each window's
budget turns into rows, so the figure is measured over the budget-bound span: from the
window's start (the first metered request) to the first request of the last window, rows
confirmed in that span per second, against the budget's rows/s
(``RATE_LIMIT / 60 * 1000``). Every other metered request (the list lookups) counts against
the job. A pacer that kept 5 requests in reserve would score about 90 %; one that bounced off
429s would lose the Retry-After waits.

Run: ``.venv/bin/python benchmarks/upload_bench.py`` (about 65 s). The last line is
``upload 100000 rows: X rows/s, budget Y rows/s (R %)``.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

from console.api import Endpoint, GenesysClient
from console.api.models import ContactList, ContactPhoneNumberColumn
from console.contacts.reader import open_csv
from console.contacts.validate import ValidationOptions, validate
from console.jobs import JobProgress, JobStatus, UploadJob, UploadMode, UploadOptions, Verify
from console.sandbox import Sandbox, SandboxConfig

ROWS = 100_000
RATE_LIMIT = 52  # requests/min: 1 lookup + 51 POSTs, then 49 POSTs + 1 lookup: exactly two windows
WINDOW = 60.0
CHUNK = 1000
AREAS = (212, 305, 312, 415, 512, 617, 646, 702, 713, 917)


def write_rows(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("ContactId,FirstName,LastName,Phone\r\n")
        for i in range(n):
            phone = f"+1{rng.choice(AREAS)}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
            fh.write(f"B{i:07d},First{i % 977},Last{i % 1301},{phone}\r\n")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    os.environ["XDG_DATA_HOME"] = str(tmp / "data")  # journals go to a scratch dir
    csv_path = tmp / "contacts.csv"
    write_rows(csv_path, ROWS)
    with Sandbox(SandboxConfig(rate_limit=RATE_LIMIT)) as sb:
        api = GenesysClient.with_client_credentials(
            Endpoint.custom(sb.url), "sandbox-client", "sandbox-secret"
        )
        created = api.create_contact_list(
            ContactList(
                name="upload benchmark",
                column_names=["ContactId", "FirstName", "LastName", "Phone"],
                phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
            )
        )
        assert created.id
        with sb.state.lock:  # the list creation is set-up, not part of the job's budget
            sb.state.windows.clear()
            sb.state.log.clear()
        source = open_csv(csv_path)
        definition = api.get_contact_list(created.id)
        result = validate(source, definition, options=ValidationOptions(id_column="ContactId"))
        assert result.valid_rows == ROWS, result.counts_by_rule()
        job = UploadJob.create(
            api,
            source=source,
            definition=definition,
            list_id=created.id,
            options=UploadOptions(mode=UploadMode.UPSERT, id_column="ContactId", verify=Verify.SIZE),
            validation=result,
        )
        last_print = [0.0]

        def progress(p: JobProgress) -> None:
            now = time.monotonic()
            if now - last_print[0] >= 5:
                last_print[0] = now
                eta = f"{p.eta_s:.0f} s" if p.eta_s is not None else "?"
                print(f"  {p.phase.value}: {p.rows_done}/{p.rows_total} rows, ETA {eta}", file=sys.stderr)

        t0 = time.monotonic()
        outcome = job.run(progress)
        wall = time.monotonic() - t0
        job.close()
        source.close()
        size = api.get_contact_list(created.id, include_size=True).size
        with sb.state.lock:
            log = [r for r in sb.state.log if r["path"].startswith("/api/v2/")]
        api.close()
    if outcome.status is not JobStatus.DONE or outcome.sent != ROWS or size != ROWS:
        print(f"FAILED: {outcome.status} sent={outcome.sent} list size={size}: {outcome.message}")
        return 1
    times = sorted(r["time"] for r in log)
    start = times[0]
    posts = sorted(r["time"] for r in log if r["method"] == "POST" and r["path"].endswith("/contacts"))
    windows = int((times[-1] - start) // WINDOW) + 1
    last_window = start + (windows - 1) * WINDOW
    last_window_first = min(t for t in times if t >= last_window)
    rows_before = sum(CHUNK for t in posts if t < last_window)
    span = last_window_first - start
    achieved = rows_before / span
    budget = RATE_LIMIT / WINDOW * CHUNK
    print(f"job {outcome.job_id}: {outcome.sent} rows in {wall:.1f} s over {windows} rate-limit windows")
    print(f"metered requests: {len(log)} ({len(posts)} POST .../contacts); budget {RATE_LIMIT}/min")
    print(f"budget-bound span: {rows_before} rows in {span:.1f} s (first request to the last window's first)")
    ratio = 100 * achieved / budget
    print(f"upload {ROWS} rows: {achieved:.0f} rows/s, budget {budget:.0f} rows/s ({ratio:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
