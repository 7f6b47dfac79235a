"""Reconciliation: the list against the source, by size and (with an id column) contact by contact.

:func:`missing_or_different` also settles an import whose outcome is unknown: the rows it
yields are the ones still to send.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from console.api.models import DialerContact
from console.jobs.journal import ImportState, RowState
from console.jobs.progress import Phase
from console.jobs.rows import PreparedRow
from console.jobs.upload.context import JobContext
from console.jobs.upload.options import MAX_CHUNK, Verify
from console.jobs.upload.results import Reconciliation

__all__ = ["missing_or_different", "reconcile"]


def _differs(contact: DialerContact, row: PreparedRow) -> bool:
    return any(contact.data.get(c) != v for c, v in row.data.items())


def _fetch(ctx: JobContext, ids: list[str]) -> dict[str | None, DialerContact]:
    """Bulk-get ``ids`` from the list (one request for at most :data:`MAX_CHUNK`)."""
    return {c.id: c for c in ctx.api.get_contacts_bulk(ctx.list_id, ids)} if ids else {}


def missing_or_different(ctx: JobContext, rows: Sequence[int]) -> Iterable[int]:
    """Rows whose contact is absent from the list or holds other data (bulk get by id)."""
    for k in range(0, len(rows), MAX_CHUNK):
        ctx.checkpoint()
        prepared = ctx.rows.rows(list(rows[k : k + MAX_CHUNK]))
        found = _fetch(ctx, [p.source_id for p in prepared if p.source_id])
        for p in prepared:
            contact = found.get(p.source_id)
            if contact is None or _differs(contact, p):
                yield p.row


def reconcile(ctx: JobContext) -> Reconciliation | None:
    """Check the list after the upload, as deep as ``options.verify`` asks (None: no check)."""
    verify = ctx.options.verify
    if verify is Verify.NONE:
        return None
    ctx.report(Phase.VERIFYING, "reconciling the list with the file")
    size = ctx.list_size()
    if ctx.options.id_column is None:
        attempts = [a for a in ctx.journal.imports() if a.state is ImportState.CONFIRMED]
        if len(attempts) == 1 and attempts[0].size_before is not None:
            return Reconciliation(size, attempts[0].size_before + len(attempts[0].rows), exact=True)
        return Reconciliation(size, None, exact=False)
    confirmed = sorted(ctx.journal.outcome_rows(RowState.CONFIRMED))
    outcomes = {o.row: o for o in ctx.journal.outcomes(RowState.CONFIRMED)}
    distinct = len({outcomes[r].source_id for r in confirmed})
    if verify is Verify.SIZE:
        return Reconciliation(size, distinct, exact=False)
    last_row: dict[str, int] = {}
    for chunk in ctx.rows.iter_chunks(confirmed, MAX_CHUNK):
        for q in chunk:
            if q.source_id:
                last_row[q.source_id] = q.row  # a repeated id: the later row wins
    missing: list[str] = []
    mismatched: list[str] = []
    checked = 0
    for k in range(0, len(confirmed), MAX_CHUNK):
        ctx.checkpoint()
        prepared = [
            q
            for q in ctx.rows.rows(confirmed[k : k + MAX_CHUNK])
            if q.source_id and last_row.get(q.source_id) == q.row
        ]
        ids = [q.source_id for q in prepared if q.source_id]
        found = _fetch(ctx, ids)
        checked += len(ids)
        for q in prepared:
            sid = q.source_id or ""
            contact = found.get(outcomes[q.row].contact_id or sid)
            if contact is None:
                missing.append(sid)
            elif _differs(contact, q):
                mismatched.append(sid)
        ctx.report(Phase.VERIFYING, f"{checked} ids checked")
    return Reconciliation(
        size,
        distinct,
        exact=False,
        keys_checked=checked,
        missing=tuple(missing),
        mismatched=tuple(mismatched),
    )
