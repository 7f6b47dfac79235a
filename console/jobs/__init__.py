"""jobs layer (see STYLE.md): long operations built on api + contacts. No Qt.

Each job keeps a journal, reports through a plain progress callback and honours a cancel flag.

The upload job, as the preview window's worker uses it::

    from console.jobs import UploadJob, UploadOptions, UploadMode

    job = UploadJob.create(api, source=src, definition=contact_list, list_id=list_id,
                           options=UploadOptions(mode=UploadMode.UPSERT, id_column="ContactId"),
                           validation=result)
    result = job.run(on_progress)      # on the worker thread; job.cancel()/pause() from any thread
    job.close()

and after a crash: ``UploadJob.reopen(api, job_id).run(...)``.
"""

from console.jobs.journal import Journal, JournalError, jobs_dir
from console.jobs.progress import JobProgress, Phase, ProgressCallback
from console.jobs.upload import (
    ImportFlow,
    JobStatus,
    Reconciliation,
    RowRejection,
    UploadError,
    UploadJob,
    UploadMode,
    UploadOptions,
    UploadResult,
    Verify,
)

__all__ = [
    "ImportFlow",
    "JobProgress",
    "JobStatus",
    "Journal",
    "JournalError",
    "Phase",
    "ProgressCallback",
    "Reconciliation",
    "RowRejection",
    "UploadError",
    "UploadJob",
    "UploadMode",
    "UploadOptions",
    "UploadResult",
    "Verify",
    "jobs_dir",
]
