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

An import is asynchronous (genesys-api.md §6.3): right after the upload answers, ``importstatus``
may still show the *previous* import (even an old FAILED), and for small files it may never
change. So an attempt is judged only on evidence that belongs to *this* import: the status
changed from the one read just before the upload (kept in the journal), or the list shows the
rows landed (grown by the file's rows without ids; every row present with ids), checked at
Terraform's pace (:data:`COUNT_PACE`), or a new entry for the list in the outbound event log
(``GET /api/v2/outbound/events``) says it failed. Without evidence within ``import_timeout`` the
job stops and says what it knows; an accepted upload is never sent again without evidence that
it failed.

Live (issue 17): when the job has a ``live_factory``, the wait listens to the list's
``v2.outbound.contactlists.{id}.importstatus`` topic (:class:`ImportWatch`): once the topic is live the
status is read once (anything earlier is caught up) and then taken from the events, with no polling
of ``importstatus``; the same evidence rule judges each status, and the count and event-log checks
still run at :data:`COUNT_PACE`. While the topic is not live (no channel, refused) the wait polls as
before.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.activity import Action
from console.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from console.api.models import ContactListUploadUrlRequest, ImportStatus, ImportStatusEvent, NotificationEvent
from console.api.notifications import LiveChannel, TopicStatus, import_topic
from console.jobs.journal import ImportAttempt, ImportState, RowState, confirmed_imports
from console.jobs.progress import Phase
from console.jobs.upload.context import FatalError, JobContext, StalledError, error_code
from console.jobs.upload.options import MAX_CHUNK, ImportFlow, UploadError
from console.jobs.upload.planning import reupload_warning
from console.jobs.upload.reconcile import missing_or_different

__all__ = ["COUNT_PACE", "LIVE_WAIT", "ImportEvent", "ImportSender", "ImportWatch", "contact_id_name"]

#: Seconds between checks of the list while waiting for evidence of an import: Terraform's pace.
#: TF ``genesyscloud/outbound_contact_list/resource_genesyscloud_outbound_contact_list.go``
#: ``uploadOutboundContactListBulkContacts`` re-checks importstatus and then the contact count
#: ("Sometimes the Import Status doesn't get updated because the contacts are immediately uploaded
#: (small number of contacts) so check the count") inside ``util.WithRetries`` for up to 300 s;
#: genesys-api.md §6.3 puts those checks 5 s apart.
COUNT_PACE = 5.0
_EVENTS = "/api/v2/outbound/events?pageSize=100&category=IMPORT_ERROR"
#: Seconds the wait gives the importstatus topic to go live before it starts polling.
LIVE_WAIT = 5.0


class ImportWatch:
    """The list's importstatus topic while an import is awaited (a listener of :class:`LiveChannel`).

    Args:
        factory: Makes the channel's REST client (``session.new_client``).
        list_id: The list.
    """

    def __init__(self, factory: Any, list_id: str) -> None:
        self.topic = import_topic(list_id)
        self._statuses: queue.Queue[ImportStatus] = queue.Queue()
        self._live = threading.Event()
        self._told = threading.Event()
        self.went_live = 0
        """How often the topic became live (each time the status must be read once)."""
        self.reason: str | None = None
        """Why the topic is not live, when it is not."""
        self.channel = LiveChannel(factory)
        self.channel.subscribe(self.topic, self)

    @property
    def live(self) -> bool:
        """Events flow now."""
        return self._live.is_set()

    def wait_told(self, seconds: float, cancel: threading.Event) -> None:
        """Wait until the channel said live or not (at most ``seconds``; returns early on cancel)."""
        deadline = time.monotonic() + seconds
        while not self._told.wait(0.05):
            if cancel.is_set() or time.monotonic() >= deadline:
                return

    def next_status(self, seconds: float, cancel: threading.Event) -> ImportStatus | None:
        """The next status from an event within ``seconds`` (None: none came, or cancel)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                return self._statuses.get(timeout=0.05)
            except queue.Empty:
                if cancel.is_set() or time.monotonic() >= deadline or not self.live:
                    return None

    def on_event(self, event: NotificationEvent) -> None:
        """An importstatus event: queued as a REST-shaped status."""
        self._statuses.put(ImportStatusEvent.model_validate(event.event_body).to_status())

    def on_status(self, status: TopicStatus) -> None:
        """The topic went live or stopped."""
        if status.live:
            self.went_live += 1
            self._live.set()
        else:
            self.reason = status.reason
            self._live.clear()
        self._told.set()

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()


def contact_id_name(columns: Sequence[str], id_column: str | None) -> str:
    """The ``contact-id-name``/``contactIdName`` to send: the list's own spelling of the id column.

    The import matches the name against the file's header (the console writes the list's column
    names), so a name the list lacks fails the whole import with ``IMPORT_MISSING_CUSTOM_ID``
    (genesys-api.md §6.1, SDK models/event_message.py). Without an id column the name is empty:
    naming some other list column would make the import take its values as contact ids (merging
    rows that share a value, failing rows where it is empty), which a file without ids does not mean.

    Raises:
        UploadError: ``id_column`` is not a column of the list (checked before anything is sent).
    """
    if id_column is None or not id_column.strip():
        return ""
    for name in columns:
        if name == id_column:
            return name
    for name in columns:
        if name.lower() == id_column.lower():
            return name  # list column names match without case (genesys-api.md §6.4)
    raise UploadError(
        f"The contact id column {id_column!r} is not a column of the list ({', '.join(columns)}); "
        "the import would fail on every row. Choose one of the list's columns as the id column."
    )


def _clock() -> float:
    """Monotonic seconds for the import waits (the time seam of this module)."""
    return time.monotonic()


def _status_key(status: ImportStatus) -> str:
    """A comparable fingerprint of an ImportStatus (every field the server sent)."""
    return json.dumps(status.model_dump(by_alias=True, exclude_none=True), sort_keys=True, default=str)


@dataclass(frozen=True)
class ImportEvent:
    """An outbound event-log entry about an import (SDK ``EventLog``, genesys-api.md §6.3).

    Attributes:
        id: The entry's id.
        code: ``eventMessage.code`` (the outbound event code, e.g. ``IMPORT_MISSING_CUSTOM_ID``).
        message: ``eventMessage.message``.
        correlation_id: ``correlationId`` (give it to Genesys support).
        timestamp: ``timestamp`` as sent.
    """

    id: str
    code: str
    message: str
    correlation_id: str
    timestamp: str

    @classmethod
    def from_wire(cls, entry: dict[str, Any]) -> ImportEvent:
        """Decode what is there; missing fields become empty strings."""
        message = entry.get("eventMessage") if isinstance(entry.get("eventMessage"), dict) else {}
        assert isinstance(message, dict)
        return cls(
            id=str(entry.get("id") or ""),
            code=str(message.get("code") or entry.get("name") or ""),
            message=str(message.get("message") or ""),
            correlation_id=str(entry.get("correlationId") or ""),
            timestamp=str(entry.get("timestamp") or ""),
        )

    def describe(self) -> str:
        """One line for the per-row report and the journal."""
        text = f"event log {self.timestamp}: {self.code}"
        if self.message:
            text += f" ({self.message})"
        return f"{text}; correlation id {self.correlation_id or 'none'}"


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
        self._id_name = ""

    def send(self) -> None:
        """Import until every selected row is confirmed or rejected.

        Raises:
            UploadError: The same file (no id column) was imported before.
            FatalError: The list changed in a way nobody can explain; a human must look.
            StalledError: An import did not finish within ``import_timeout``.
        """
        ctx = self.ctx
        self._id_name = contact_id_name(ctx.rows.definition.column_names, ctx.options.id_column)
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
        warning = reupload_warning(ctx.options.mode, ctx.options.id_column)
        building = f"building the file of {len(rows)} rows"
        ctx.report(Phase.UPLOADING, f"{building}; warning: {warning}" if warning else building)
        data = ctx.rows.clean_csv(rows)
        digest = hashlib.sha256(data).hexdigest()
        self._refuse_a_repeat(digest)
        baseline = self._wait_idle_import(Phase.UPLOADING)
        size_before = ctx.list_size()
        attempt = ctx.journal.add_import(digest, rows, size_before)
        ctx.journal.set_meta(
            {
                f"import_{attempt}_status_before": _status_key(baseline),
                f"import_{attempt}_events_before": sorted(e.id for e in self._import_events()),
            }
        )
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
            ctx.activity(Action.IMPORT_FAILED, message=exc.detail, counts={"rows": len(rows)})
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
        id_name = self._id_name
        if ctx.options.import_flow is ImportFlow.MULTIPART:
            # Only 429 (not processed) is retried for this POST (console.api.retry).
            ctx.api.upload_contacts_csv(ctx.list_id, data, id_name, filename=name)
            return
        upload = ctx.api.request_upload_url(
            ContactListUploadUrlRequest(
                content_type="text/csv", id=ctx.list_id, contact_id_name=id_name or None
            )
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
        """After an accepted upload: wait for evidence of this import, then confirm or fail it."""
        ctx = self.ctx
        outcome = self._await_evidence(attempt)
        if isinstance(outcome, ImportEvent) or (outcome is not None and outcome.is_failed):
            event = outcome if isinstance(outcome, ImportEvent) else self._new_failure_event(attempt)
            status_reason = outcome.failure_reason if isinstance(outcome, ImportStatus) else None
            reason = status_reason or (event.code if event else "") or "FAILED"
            message = f"the import failed: {reason}"
            if event is not None:
                message += f" [{event.describe()}]"
            ctx.journal.set_import_state(attempt.attempt, ImportState.FAILED, message)
            ctx.activity(Action.IMPORT_FAILED, message=message, counts={"rows": len(attempt.rows)})
            self._reject_all(list(attempt.rows), reason, message)
            return
        detail = ""
        if ctx.options.id_column is None and attempt.size_before is not None:
            grown = ctx.list_size() - attempt.size_before
            detail = f"list grew by {grown} for {len(attempt.rows)} rows"
        self._confirm_import(attempt, detail)

    # -- evidence that a status, a list size or an event belongs to this import ------------------
    def _import_events(self) -> list[ImportEvent]:
        """Import-error entries of the event log about this list (empty when it cannot be read)."""
        ctx = self.ctx
        try:
            body = ctx.api.send_raw("GET", _EVENTS).json()
        except (ApiStatusError, ApiConnectionError, ValueError):
            return []  # no permission (outbound:eventLog:view) or no log: no evidence either way
        entries = body.get("entities") if isinstance(body, dict) else None
        out = []
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            about = entry.get("errorEntity")
            if isinstance(about, dict) and about.get("id") == ctx.list_id:
                out.append(ImportEvent.from_wire(entry))
        return out

    def _new_failure_event(self, attempt: ImportAttempt) -> ImportEvent | None:
        """The newest event-log entry for the list that was not there before the upload."""
        known = self.ctx.journal.meta().get(f"import_{attempt.attempt}_events_before")
        if not isinstance(known, list):
            return None  # a journal from before this check: no baseline, no evidence
        return next((e for e in self._import_events() if e.id not in set(known)), None)

    def _status_changed(self, attempt: ImportAttempt, status: ImportStatus) -> bool:
        before = self.ctx.journal.meta().get(f"import_{attempt.attempt}_status_before")
        return isinstance(before, str) and _status_key(status) != before

    def _landed(self, attempt: ImportAttempt) -> bool:
        """The list itself shows the rows arrived (the count check of Terraform's small-file case)."""
        ctx = self.ctx
        rows = list(attempt.rows)
        if ctx.options.id_column is None:
            return attempt.size_before is not None and ctx.list_size() - attempt.size_before == len(rows)
        # Rows land in file order: look at the last chunk first, then every row.
        if any(True for _ in missing_or_different(ctx, rows[-MAX_CHUNK:])):
            return False
        return not any(True for _ in missing_or_different(ctx, rows))

    def _await_evidence(self, attempt: ImportAttempt) -> ImportStatus | ImportEvent | None:
        """Poll until this import finished (status changed and done), landed, or failed in the event log.

        Returns:
            The finished status once it changed after the upload; None when the list showed the
            rows landed (whatever the status says); or the new event-log entry of a failure.

        Raises:
            StalledError: No evidence within ``import_timeout``; the message says what is known.
        """
        ctx = self.ctx
        watch = ImportWatch(ctx.live_factory, ctx.list_id) if ctx.live_factory is not None else None
        try:
            return self._await(attempt, watch)
        finally:
            if watch is not None:
                watch.close()

    def _await(self, attempt: ImportAttempt, watch: ImportWatch | None) -> ImportStatus | ImportEvent | None:
        ctx = self.ctx
        if watch is not None:  # subscribed before the first read: no end can fall between the two
            watch.wait_told(LIVE_WAIT, ctx.cancel_event)
        caught_up = watch.went_live if watch is not None else 0
        start = _clock()
        deadline = start + ctx.options.import_timeout
        next_check = start
        changed = False
        status = ctx.api.get_import_status(ctx.list_id)
        while True:
            changed = changed or self._status_changed(attempt, status)
            if changed and _import_finished(status):
                return status
            now = _clock()
            if now >= next_check:
                next_check = now + COUNT_PACE
                event = self._new_failure_event(attempt)
                if event is not None:
                    return event
                if self._landed(attempt):
                    return None
            base = ctx.journal.counts()[RowState.CONFIRMED]
            done = (status.completed_records or 0) if changed else 0
            ctx.report(
                Phase.IMPORTING,
                f"import running: {status.percent_complete or 0} %"
                if changed
                else "waiting for the server to start the import",
                rows_done=base + done,
            )
            if now >= deadline:
                raise StalledError(self._no_evidence(attempt, changed))
            if watch is not None and watch.live and watch.went_live == caught_up:
                wait = max(0.0, min(next_check, deadline) - _clock())
                pushed = watch.next_status(wait, ctx.cancel_event)
                ctx.checkpoint()
                if pushed is not None:
                    status = pushed
                continue  # no event: the count and event-log checks are due (or the topic went down)
            ctx.sleep(ctx.options.poll_interval)
            ctx.checkpoint()
            if watch is not None:
                caught_up = watch.went_live  # live again: this read catches up
            status = ctx.api.get_import_status(ctx.list_id)

    def _no_evidence(self, attempt: ImportAttempt, changed: bool) -> str:
        ctx = self.ctx
        n = len(attempt.rows)
        grown = "unknown"
        if attempt.size_before is not None:
            grown = str(ctx.list_size() - attempt.size_before)
        seen = "it changed but did not finish" if changed else "it still shows the previous import"
        return (
            f"import attempt {attempt.attempt} into list {ctx.list_id} was accepted by the server, but "
            f"within {ctx.options.import_timeout:g} s there was no evidence of its outcome: importstatus: "
            f"{seen}; the list grew by {grown} for {n} rows; no event-log entry. Nothing was sent "
            f"again (a second upload could duplicate contacts). Resume later with: {ctx.resume_hint}, "
            "or check the list by hand."
        )

    def _confirm_import(self, attempt: ImportAttempt, detail: str) -> None:
        ctx = self.ctx
        prepared = ctx.rows.rows(list(attempt.rows)) if ctx.options.id_column else []
        if prepared:
            ctx.journal.record_rows(RowState.CONFIRMED, [(p.row, p.source_id, p.source_id) for p in prepared])
        else:
            ctx.journal.record_rows(RowState.CONFIRMED, [(r, None, None) for r in attempt.rows])
        ctx.journal.set_import_state(attempt.attempt, ImportState.CONFIRMED, detail)
        ctx.activity(Action.IMPORT_CONFIRMED, message=detail, counts={"rows": len(attempt.rows)})
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
        ctx = self.ctx
        ctx.report(Phase.CHECKING, f"checking whether import attempt {attempt.attempt} reached the server")
        if attempt.state is ImportState.UPLOADED:
            # Accepted: it runs (or ran) on the server. Wait for its evidence; never re-send blind.
            self._finish_import(attempt)
            return None
        status = self._wait_idle_import(Phase.CHECKING)
        if self._status_changed(attempt, status) or self._new_failure_event(attempt) is not None:
            # The request did reach the server: this is an accepted upload after all.
            ctx.journal.set_import_state(attempt.attempt, ImportState.UPLOADED, "reached the server")
            self._finish_import(self._attempt(attempt.attempt))
            return None
        if ctx.options.id_column is not None:
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
