"""The import sender: the clean UTF-8 CSV of the selected rows as one file import, then ``importstatus``.

The file goes through the legacy multipart upload or the presigned upload (genesys-api.md §6).
Every attempt is journaled (planned → uploading → uploaded → confirmed/failed/superseded)
before and after the request, so an attempt whose answer was lost is settled before anything
is sent again:

- *With an id column* the import upserts by id, so a repeat is harmless; still, the sender waits
  for ``importstatus``, bulk-gets the ids and re-uploads only the rows missing or different.
- *Without an id column* every import adds contacts. The journal holds the file's SHA-256 and
  the list size before the upload; after an unknown outcome the sender waits for any running
  import (and ``settle_seconds`` for a request still on its way) and compares the size: grown by
  exactly the file's rows → confirmed; unchanged → re-uploaded; anything else → the job stops
  and asks a human. A file any journal saw confirmed for the list is refused unless
  ``allow_reimport``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from console.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from console.api.models import ContactListUploadUrlRequest, ImportStatus
from console.jobs.journal import ImportAttempt, ImportState, RowState, confirmed_imports
from console.jobs.progress import Phase
from console.jobs.upload.context import FatalError, JobContext, StalledError, error_code
from console.jobs.upload.options import ImportFlow, UploadError
from console.jobs.upload.reconcile import missing_or_different

__all__ = ["ImportSender"]


def _import_finished(status: ImportStatus) -> bool:
    if status.state != "IN_PROGRESS" or status.is_done:
        return True
    total = status.total_records
    # some orgs keep IN_PROGRESS at 100 % (TF compares counts instead)
    return status.percent_complete == 100 and total is not None and status.completed_records == total


class ImportSender:
    """Imports the rows not confirmed yet, settling an earlier attempt's unknown outcome first.

    Args:
        ctx: The running job.
    """

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def send(self) -> None:
        """Import until every selected row is confirmed or rejected.

        Raises:
            UploadError: The same file (no id column) was imported before.
            FatalError: The list changed in a way nobody can explain; a human must look.
            StalledError: An import did not finish within ``import_timeout``.
        """
        ctx = self.ctx
        attempts = ctx.journal.imports()
        last = attempts[-1] if attempts else None
        confirmed = ctx.journal.outcome_rows(RowState.CONFIRMED)
        todo: list[int] | None = [r for r in self._selected_rows() if r not in confirmed]
        if last is not None:
            if last.state in (ImportState.CONFIRMED, ImportState.FAILED):
                return
            if last.state in (ImportState.UPLOADING, ImportState.UPLOADED):
                todo = self._settle_unknown(last)
            elif last.state is ImportState.PLANNED:
                ctx.journal.set_import_state(last.attempt, ImportState.SUPERSEDED, "never sent")
                todo = list(last.rows)
        while todo:
            todo = self._import_once(todo)

    def _selected_rows(self) -> list[int]:
        skipped = self.ctx.journal.outcome_rows(RowState.SKIPPED)
        total = int(self.ctx.journal.meta()["rows_in_file"])
        return [r for r in range(total) if r not in skipped]

    def _wait_idle_import(self, phase: Phase) -> ImportStatus:
        """Poll importstatus until no import runs (ours or another); returns the last status."""
        ctx = self.ctx
        deadline = time.monotonic() + ctx.options.import_timeout
        while True:
            ctx.checkpoint()
            status = ctx.api.get_import_status(ctx.list_id)
            if _import_finished(status):
                return status
            done = status.completed_records or 0
            base = ctx.journal.counts()[RowState.CONFIRMED] if phase is Phase.IMPORTING else None
            ctx.report(
                phase,
                f"import running: {status.percent_complete or 0} %",
                rows_done=None if base is None else base + done,
            )
            if time.monotonic() >= deadline:
                raise StalledError(
                    f"the import into list {ctx.list_id} did not finish within "
                    f"{ctx.options.import_timeout:g} s "
                    f"({done} records done); resume with: {ctx.resume_hint}"
                )
            ctx.sleep(ctx.options.poll_interval)

    def _refuse_a_repeat(self, digest: str) -> None:
        ctx = self.ctx
        if ctx.options.id_column is not None or ctx.options.allow_reimport:
            return
        seen = confirmed_imports(ctx.list_id, digest, directory=ctx.journal.path.parent, exclude=ctx.job_id)
        if seen:
            raise UploadError(
                f"this exact file was already imported into list {ctx.list_id} by job {seen[0]}; "
                "without a contact id column a second import would duplicate every row. "
                "Use --allow-reimport to do it anyway."
            )

    def _import_once(self, rows: list[int]) -> list[int] | None:
        """One attempt: returns rows still to send (after an unknown outcome), or None when settled."""
        ctx = self.ctx
        ctx.checkpoint()
        ctx.report(Phase.UPLOADING, f"building the file of {len(rows)} rows")
        data = ctx.rows.clean_csv(rows)
        digest = hashlib.sha256(data).hexdigest()
        self._refuse_a_repeat(digest)
        self._wait_idle_import(Phase.UPLOADING)
        size_before = ctx.list_size()
        attempt = ctx.journal.add_import(digest, rows, size_before)
        ctx.checkpoint()
        ctx.journal.set_import_state(attempt, ImportState.UPLOADING)
        ctx.report(Phase.UPLOADING, f"uploading {len(data)} bytes ({len(rows)} rows)")
        try:
            self._upload(data)
        except ApiConnectionError as exc:
            ctx.journal.event("unknown", f"import attempt {attempt}: no answer to the upload ({exc})")
            return self._settle_unknown(self._attempt(attempt))
        except ApiStatusError as exc:
            if exc.status_code >= 500 or isinstance(
                exc, AuthenticationError | PermissionDeniedError | NotFoundError | RateLimitError
            ):
                ctx.journal.set_import_state(attempt, ImportState.SUPERSEDED, f"refused: {exc}")
                raise
            ctx.journal.set_import_state(attempt, ImportState.FAILED, exc.detail)
            self._reject_all(rows, error_code(exc), f"the upload was refused: {exc.detail}")
            return None
        ctx.journal.set_import_state(attempt, ImportState.UPLOADED)
        self._finish_import(self._attempt(attempt))
        return None

    def _attempt(self, number: int) -> ImportAttempt:
        return next(a for a in self.ctx.journal.imports() if a.attempt == number)

    def _upload(self, data: bytes) -> None:
        ctx = self.ctx
        name = f"{ctx.job_id}.csv"
        id_name = ctx.options.id_column
        if ctx.options.import_flow is ImportFlow.MULTIPART:
            # Only 429 (not processed) is retried for this POST (console.api.retry).
            ctx.api.upload_contacts_csv(ctx.list_id, data, id_name or "", filename=name)
            return
        upload = ctx.api.request_upload_url(
            ContactListUploadUrlRequest(content_type="text/csv", id=ctx.list_id, contact_id_name=id_name)
        )
        if id_name:
            ctx.api.put_presigned(upload, data)  # a repeated PUT re-imports by id: harmless
            return
        # Without ids a retried PUT after a lost answer could import the file twice: send it
        # once and let the journal's size check settle an unknown outcome.
        if not upload.url:
            raise FatalError("the upload answer has no url")
        ctx.api.put_presigned_once(upload, data)

    def _finish_import(self, attempt: ImportAttempt) -> None:
        """After an accepted upload: wait for the import, then confirm or fail the attempt."""
        ctx = self.ctx
        status = self._wait_idle_import(Phase.IMPORTING)
        if status.is_failed:
            reason = status.failure_reason or "FAILED"
            ctx.journal.set_import_state(attempt.attempt, ImportState.FAILED, reason)
            self._reject_all(list(attempt.rows), reason, f"the import failed: {reason}")
            return
        detail = ""
        if ctx.options.id_column is None and attempt.size_before is not None:
            grown = ctx.list_size() - attempt.size_before
            detail = f"list grew by {grown} for {len(attempt.rows)} rows"
        self._confirm_import(attempt, detail)

    def _confirm_import(self, attempt: ImportAttempt, detail: str) -> None:
        ctx = self.ctx
        prepared = ctx.rows.rows(list(attempt.rows)) if ctx.options.id_column else []
        if prepared:
            ctx.journal.record_rows(RowState.CONFIRMED, [(p.row, p.source_id, p.source_id) for p in prepared])
        else:
            ctx.journal.record_rows(RowState.CONFIRMED, [(r, None, None) for r in attempt.rows])
        ctx.journal.set_import_state(attempt.attempt, ImportState.CONFIRMED, detail)
        ctx.report(Phase.IMPORTING, "import confirmed")

    def _reject_all(self, rows: Sequence[int], code: str, message: str) -> None:
        ctx = self.ctx
        prepared = ctx.rows.rows(list(rows)) if ctx.options.id_column else []
        triples = [(p.row, p.source_id, None) for p in prepared] or [(r, None, None) for r in rows]
        ctx.journal.record_rows(RowState.REJECTED, triples, code=code, message=message)

    def _settle_unknown(self, attempt: ImportAttempt) -> list[int] | None:
        """An upload whose outcome is unknown: find out before sending anything again.

        Returns the rows still to send, or None when the attempt is settled (confirmed).
        """
        self.ctx.report(
            Phase.CHECKING, f"checking whether import attempt {attempt.attempt} reached the server"
        )
        status = self._wait_idle_import(Phase.CHECKING)
        if self.ctx.options.id_column is not None:
            return self._settle_by_ids(attempt)
        return self._settle_by_size(attempt, status)

    def _settle_by_ids(self, attempt: ImportAttempt) -> list[int] | None:
        ctx = self.ctx
        rows = list(attempt.rows)
        missing = set(missing_or_different(ctx, rows))
        if not missing:
            self._confirm_import(attempt, "found in the list after an unknown outcome")
            return None
        landed = [r for r in rows if r not in missing]
        if landed:
            ctx.journal.record_rows(
                RowState.CONFIRMED, [(p.row, p.source_id, p.source_id) for p in ctx.rows.rows(landed)]
            )
        ctx.journal.set_import_state(
            attempt.attempt, ImportState.SUPERSEDED, f"{len(missing)} of {len(rows)} rows not in the list"
        )
        return sorted(missing)

    def _settle_by_size(self, attempt: ImportAttempt, status: ImportStatus) -> list[int] | None:
        """Without ids: the list grew by the file's rows (landed), by nothing (resend), or else (stop).

        Raises:
            FatalError: The list changed in a way that neither "imported" nor "not imported" explains.
        """
        ctx = self.ctx
        if attempt.size_before is None:
            raise FatalError(
                f"import attempt {attempt.attempt} has no recorded list size; cannot tell whether it landed"
            )
        rows = list(attempt.rows)
        n = len(rows)
        grown = ctx.list_size() - attempt.size_before
        if grown == 0 and attempt.state is ImportState.UPLOADING:
            # The request may still be on its way to (or queued in) the server: give it time.
            ctx.report(Phase.CHECKING, f"waiting {ctx.options.settle_seconds:g} s for a late upload")
            ctx.sleep(ctx.options.settle_seconds)
            status = self._wait_idle_import(Phase.CHECKING)
            grown = ctx.list_size() - attempt.size_before
        if grown == n and not status.is_failed:
            self._confirm_import(attempt, f"list grew by {n} (checked after an unknown outcome)")
            return None
        if grown == 0:
            ctx.journal.set_import_state(attempt.attempt, ImportState.SUPERSEDED, "the list did not grow")
            return rows
        raise FatalError(
            f"cannot tell whether import attempt {attempt.attempt} of job {ctx.job_id} landed: "
            f"list {ctx.list_id} grew by {grown} contacts, but the file has {n} rows "
            f"(0 or {n} were expected). Nothing was re-sent, "
            "to avoid duplicates; check the list by hand."
        )
