"""The upload job: one Qt-free implementation for the preview window and ``outbound-console upload``.

A job sends the selected rows of a validated CSV (valid rows by default) to one contact list,
either as **upserts** (``POST .../contacts`` in chunks of at most 1,000, every contact carrying
its ``id`` = the id column's value) or as a **file import** (the clean UTF-8 CSV of the selected
rows, through the legacy multipart upload or the presigned upload, then ``importstatus``).

Every step goes through a :class:`~console.jobs.journal.Journal` written before and after each
request, so that after a crash or ``kill -9`` :meth:`UploadJob.reopen` + :meth:`UploadJob.run`
sends what was not confirmed, loses no row and creates no duplicate.

Duplicate prevention (the full argument is in docs/upload-journal.md):

- *Upsert*: a row is never sent without an id, so resending a chunk whose answer was lost
  updates the same contacts instead of adding new ones. Chunk states: planned → sent →
  done; a ``sent`` chunk is resent on resume (minus rows already rejected).
- *Import with an id column*: the import upserts by ``contact-id-name``/``contactIdName``, so a
  repeat is harmless; still, after an unknown outcome the job waits for ``importstatus``, then
  bulk-gets the ids and re-uploads only the rows that are missing or differ.
- *Import without an id column* (every import adds new contacts): the journal records the
  clean file's SHA-256, the list size before the upload, and ``uploading`` before the request.
  After an unknown outcome (kill, dropped connection) the job waits for any running import,
  waits ``settle_seconds`` for a request that may still be on its way, and compares the list
  size: grown by exactly the file's rows → confirmed, not re-sent; unchanged → re-uploaded;
  anything else → the job stops and asks a human (it never guesses). A new job refuses a file
  whose hash any journal saw confirmed for the same list, unless ``allow_reimport``.

Pacing: the client's :class:`~console.api.ratelimit.Pacer` (installed for the run when the
client has none) spends the ``inin-ratelimit-*`` budget fully before waiting for the window
to reset; retries follow the client's policy (``POST .../contacts`` with ids is idempotent).
Cancel and pause are plain flags (:class:`Flag`, anything with ``is_set()``) checked between
requests; cancel also interrupts the client's waits. A cancelled or interrupted job is resumable.

The rooms (each imports only those above it)::

    options.py    UploadOptions, the modes, UploadError       what to send and how
    results.py    UploadResult, RowRejection, Reconciliation  how it ended
    context.py    JobContext, Flag                            what the parts share: flags, progress
    upsert.py     UpsertSender                                POST .../contacts in chunks
    imports.py    ImportSender                                one file import; settles unknown outcomes
    reconcile.py  reconcile, missing_or_different             the list against the file
    planning.py   plan_job, reopen_job                        the journal before the first request
    run.py        run_job                                     the run loop: where a job decides it is done
    job.py        UploadJob                                   the facade
"""

from console.jobs.upload.context import Flag
from console.jobs.upload.job import UploadJob
from console.jobs.upload.options import MAX_CHUNK, ImportFlow, UploadError, UploadMode, UploadOptions, Verify
from console.jobs.upload.results import JobStatus, Reconciliation, RowRejection, UploadResult

__all__ = [
    "MAX_CHUNK",
    "Flag",
    "ImportFlow",
    "JobStatus",
    "Reconciliation",
    "RowRejection",
    "UploadError",
    "UploadJob",
    "UploadMode",
    "UploadOptions",
    "UploadResult",
    "Verify",
]
