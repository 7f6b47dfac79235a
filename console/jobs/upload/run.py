"""The run loop: send with the mode's sender, reconcile, and turn how it ended into an :class:`UploadResult`.

This is where an upload decides it is done: every exception the senders let through maps to
a :class:`JobStatus` here (cancel and server trouble → INTERRUPTED, resumable; permissions, an
unknown list, a refused re-import → FAILED), and rejected rows or a failed reconciliation turn
DONE into REJECTED.
"""

from __future__ import annotations

import time

from console import activity
from console.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from console.api.ratelimit import Pacer
from console.errors import Cancelled
from console.jobs.journal import RowState
from console.jobs.progress import Phase, ProgressCallback
from console.jobs.upload.context import FatalError, JobContext, StalledError
from console.jobs.upload.imports import ImportSender
from console.jobs.upload.options import UploadError, UploadMode
from console.jobs.upload.reconcile import reconcile
from console.jobs.upload.results import JobStatus, Reconciliation, UploadResult, capped_note
from console.jobs.upload.upsert import UpsertSender

__all__ = ["run_job"]


def _send_and_check(ctx: JobContext) -> tuple[JobStatus, str, Reconciliation | None, str | None]:
    """Send, then reconcile; an exception that ends the run early: (status, message, None, correlation id)."""
    hint = ctx.resume_hint
    try:
        ctx.report(Phase.PREPARING, "starting")
        if ctx.options.mode is UploadMode.UPSERT:
            UpsertSender(ctx).send()
        else:
            ImportSender(ctx).send()
        ctx.checkpoint()
        return JobStatus.DONE, "", reconcile(ctx), None
    # the client still raises its own cancel class until it moves onto console.errors.Cancelled
    except Cancelled:
        return JobStatus.INTERRUPTED, f"cancelled; resume with: {hint}", None, None
    except (ApiConnectionError, ServerError, RateLimitError) as exc:
        return JobStatus.INTERRUPTED, f"interrupted ({exc}); resume with: {hint}", None, _correlation(exc)
    except StalledError as exc:
        return JobStatus.INTERRUPTED, str(exc), None, _correlation(exc)
    except (AuthenticationError, PermissionDeniedError, NotFoundError) as exc:
        message = f"could not run: {exc}. Fix it, then resume with: {hint}"
        return JobStatus.FAILED, message, None, _correlation(exc)
    except ApiStatusError as exc:
        return JobStatus.FAILED, f"stopped by the server: {exc}. Resume with: {hint}", None, _correlation(exc)
    except (FatalError, UploadError) as exc:
        return JobStatus.FAILED, str(exc), None, _correlation(exc)


def _correlation(exc: BaseException) -> str | None:
    return getattr(exc, "correlation_id", None)


def _done_message(rejected: int, recon: Reconciliation | None) -> tuple[JobStatus, str]:
    if not rejected and (recon is None or recon.ok):
        return JobStatus.DONE, "all rows sent" + (f"; {recon.summary()}" if recon is not None else "")
    parts = []
    if rejected:
        parts.append(f"{rejected} rows rejected by the server")
    if recon is not None and not recon.ok:
        parts.append(f"reconciliation: {recon.summary()}")
    return JobStatus.REJECTED, "; ".join(parts)


def run_job(ctx: JobContext, on_progress: ProgressCallback | None) -> UploadResult:
    """Send what is not confirmed yet, then reconcile (see ``UploadJob.run``)."""
    ctx.progress = on_progress
    started = time.monotonic()
    api = ctx.api
    saved = (api.pacer, api.cancel)
    if api.pacer is None:
        api.pacer = Pacer(reserve=ctx.options.reserve)
    if api.cancel is None:
        api.cancel = ctx.cancel_event
    ctx.journal.set_meta({"status": "running"})
    ctx.journal.event("run", "started")
    ctx.activity(activity.Action.UPLOAD_STARTED, counts=ctx.counts())
    counts = ctx.journal.counts()
    ctx.meter.start(counts[RowState.CONFIRMED] + counts[RowState.REJECTED])
    try:
        status, message, recon, correlation = _send_and_check(ctx)
    except BaseException as exc:  # a journal I/O error: recorded, then up to the caller
        ctx.activity(activity.Action.UPLOAD_FAILED, result=activity.Result.FAILED, message=str(exc))
        raise
    finally:
        api.pacer, api.cancel = saved
    counts = ctx.journal.counts()
    rejected = counts[RowState.REJECTED]
    if status is JobStatus.DONE:
        status, message = _done_message(rejected, recon)
        message += capped_note(ctx.journal.meta().get("bisection_capped"))
    ctx.journal.set_meta({"status": status.value, "message": message})
    ctx.journal.event(status.value, message)
    ctx.report(Phase.FINISHED, message)
    _record_end(ctx, status, message, recon, correlation)
    return UploadResult(
        job_id=ctx.job_id,
        status=status,
        sent=counts[RowState.CONFIRMED],
        skipped=counts[RowState.SKIPPED],
        rejected=rejected,
        seconds=time.monotonic() - started,
        message=message,
        rejections=tuple(ctx.rejections()),
        reconciliation=recon,
        id_map=ctx.journal.id_map(),
        journal_path=ctx.journal.path,
    )


def _record_end(
    ctx: JobContext, status: JobStatus, message: str, recon: Reconciliation | None, correlation: str | None
) -> None:
    """One activity record for how the run ended (docs/activity-log.md: upload.finished / upload.failed)."""
    action, result = activity.Action.UPLOAD_FINISHED, activity.Result.OK
    if status is JobStatus.REJECTED:
        result = activity.Result.FAILED
    elif status is JobStatus.INTERRUPTED and ctx.cancel_event.is_set():
        result = activity.Result.CANCELLED
    elif status in (JobStatus.INTERRUPTED, JobStatus.FAILED):
        action, result = activity.Action.UPLOAD_FAILED, activity.Result.FAILED
    details: dict[str, str | bool | None] = {"status": status.value}
    if recon is not None:
        details.update(reconciliation=recon.summary(), reconciled=recon.ok)
    ctx.activity(
        action,
        result=result,
        counts=ctx.counts(),
        message=message,
        correlation_ids=[correlation],
        details=details,
    )
