"""The upsert sender: ``POST .../contacts`` in journaled chunks, every contact carrying its id.

A chunk goes planned → sent → done in the journal; a ``sent`` chunk (its answer never
confirmed) is resent on resume, minus rows already rejected. Resending is safe because every
contact carries its id: the server updates the same contacts instead of adding new ones.

A refusal is mapped to a row: the contact the server names (``[3].data.Phone``) is rejected and
the rest resent; a refusal that names none is bisected down to the row, at most
:data:`MAX_REFUSALS_PER_CHUNK` refused requests per chunk (a refusal that every part earns would
otherwise cost about two requests per row). Past the cap the rows still in question are rejected
unsent with the last refusal's reason, and the result says so. Every rejected row carries the
platform's code and message (with the field it named) in the per-row report.
"""

from __future__ import annotations

import re

from console.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from console.api.models import DialerContact, WritableDialerContact
from console.jobs.journal import ChunkState, RowState
from console.jobs.progress import Phase
from console.jobs.rows import PreparedRow
from console.jobs.upload.context import FatalError, JobContext, error_code

__all__ = ["MAX_REFUSALS_PER_CHUNK", "UpsertSender", "item_index"]

#: Refused requests one chunk may cost while the sender looks for the rows to blame; enough to
#: bisect a 1,000-row chunk down to a few bad rows (log2(1000) ≈ 10 per bad row).
MAX_REFUSALS_PER_CHUNK = 32

_ITEM = re.compile(r"^\s*\[(\d+)\]")


def item_index(exc: ApiStatusError) -> int | None:
    """The position of the offending contact in a refused POST body (``[3].data.Phone``), if named."""
    body = exc.body
    candidates: list[str] = []
    if body is not None:
        for detail in body.details or []:
            if detail.field_name:
                candidates.append(detail.field_name)
        candidates.append(body.rendered_message())
        if body.message:
            candidates.append(body.message)
    for text in candidates:
        m = _ITEM.match(text)
        if m is not None:
            return int(m.group(1))
    return None


def _stops_the_job(exc: ApiStatusError) -> bool:
    """A refusal no row is to blame for: credentials, permissions, the list, the server, the budget."""
    if isinstance(exc, AuthenticationError | PermissionDeniedError | NotFoundError | RateLimitError):
        return True
    return exc.status_code >= 500 or exc.status_code in (408, 409)


class UpsertSender:
    """Sends the journal's pending chunks.

    Args:
        ctx: The running job.
    """

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def send(self) -> None:
        """Send every pending chunk; rows the server refuses are recorded as rejected.

        Raises:
            ApiStatusError: A refusal that stops the job (see ``_stops_the_job``).
            FatalError: The list refused more contacts (its size limit).
        """
        ctx = self.ctx
        pending = ctx.journal.chunks(pending_only=True)
        total_chunks = len(ctx.journal.chunks())
        rejected = ctx.journal.outcome_rows(RowState.REJECTED)
        ctx.report(Phase.SENDING, f"{len(pending)} chunks to send")
        for chunk in pending:
            ctx.checkpoint()
            todo = [r for r in chunk.rows if r not in rejected]
            if chunk.state is ChunkState.SENT:
                ctx.journal.event(
                    "resend", f"chunk {chunk.seq}: answer never confirmed; resending {len(todo)} rows"
                )
            parts: list[list[PreparedRow]] = [ctx.rows.rows(todo)] if todo else []
            refusals = 0
            while parts:
                part = parts.pop(0)
                ctx.checkpoint()
                ctx.journal.mark_sent(chunk.seq)
                try:
                    stored = self._post_with_rounds(chunk.seq, part)
                except ApiStatusError as exc:
                    if _stops_the_job(exc):
                        raise
                    if exc.body is not None and exc.body.limit is not None:
                        raise FatalError(f"the list refused more contacts: {exc.detail}") from exc
                    ctx.journal.note_chunk_error(chunk.seq, str(exc))
                    refusals += 1
                    if refusals >= MAX_REFUSALS_PER_CHUNK and item_index(exc) is None:
                        self._give_up(chunk.seq, [part, *parts], exc)
                        parts = []
                        continue
                    parts[0:0] = self._split_rejected(part, exc)
                    ctx.report(message=f"chunk {chunk.seq}: server refused a row ({error_code(exc)})")
                    continue
                self._confirm(part, stored)
                ctx.report(message=f"chunk {chunk.seq + 1} of {total_chunks}")
            ctx.journal.mark_done(chunk.seq)

    def _confirm(self, part: list[PreparedRow], stored: list[DialerContact]) -> None:
        ids = [c.id for c in stored]
        self.ctx.journal.record_rows(
            RowState.CONFIRMED,
            [
                (p.row, p.source_id, ids[k] if k < len(ids) and ids[k] else p.source_id)
                for k, p in enumerate(part)
            ],
        )

    def _post_with_rounds(self, seq: int, part: list[PreparedRow]) -> list[DialerContact]:
        """POST one part, with job-level rounds after the client's own retries give out.

        On a connection/5xx/429 failure it waits and tries again ``transient_rounds`` times.
        Safe: every contact carries its id (an upsert).
        """
        ctx = self.ctx
        contacts = [
            WritableDialerContact(id=p.source_id, contact_list_id=ctx.list_id, data=p.data) for p in part
        ]
        rounds = 0
        while True:
            try:
                return ctx.api.add_contacts(ctx.list_id, contacts)
            except (ApiConnectionError, ServerError, RateLimitError) as exc:
                if rounds >= ctx.options.transient_rounds:
                    ctx.journal.note_chunk_error(seq, str(exc))
                    raise
                rounds += 1
                wait = min(2.0**rounds, 30.0)
                ctx.journal.event("transient", f"chunk {seq}: {exc}; round {rounds} in {wait:g} s")
                ctx.report(message=f"server trouble; trying chunk {seq + 1} again in {wait:g} s")
                ctx.sleep(wait)
                ctx.checkpoint()

    def _split_rejected(self, part: list[PreparedRow], exc: ApiStatusError) -> list[list[PreparedRow]]:
        """Map a refusal to a row: the named item is rejected and the rest resent; else bisect."""
        idx = item_index(exc)
        if idx is not None and 0 <= idx < len(part):
            self._reject(part[idx], exc)
            rest = part[:idx] + part[idx + 1 :]
            return [rest] if rest else []
        if len(part) == 1:
            self._reject(part[0], exc)
            return []
        half = len(part) // 2
        return [part[:half], part[half:]]

    def _give_up(self, seq: int, parts: list[list[PreparedRow]], exc: ApiStatusError) -> None:
        """The cap is reached: reject the rows still in question, unsent, and say so."""
        rows = [p for part in parts for p in part]
        note = (
            f"not sent: chunk {seq + 1} was refused {MAX_REFUSALS_PER_CHUNK} times without the server "
            f"naming a row (the cap per chunk); last refusal: {reason_of(exc)}"
        )
        self.ctx.journal.record_rows(
            RowState.REJECTED, [(p.row, p.source_id, None) for p in rows], code=error_code(exc), message=note
        )
        capped = list(self.ctx.journal.meta().get("bisection_capped") or [])
        capped.append({"chunk": seq + 1, "rows": len(rows), "cap": MAX_REFUSALS_PER_CHUNK})
        self.ctx.journal.set_meta({"bisection_capped": capped})
        self.ctx.journal.event("bisection-cap", note)

    def _reject(self, bad: PreparedRow, exc: ApiStatusError) -> None:
        self.ctx.journal.record_rows(
            RowState.REJECTED, [(bad.row, bad.source_id, None)], code=error_code(exc), message=reason_of(exc)
        )


def reason_of(exc: ApiStatusError) -> str:
    """The platform's reason for a refused row: its message, and the field it named when not in it."""
    message = exc.detail
    fields = [d.field_name for d in (exc.body.details or [])] if exc.body is not None else []
    named = [f for f in fields if f and f not in message]
    return f"{message} (field {', '.join(named)})" if named else message
