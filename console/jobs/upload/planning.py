"""A job's beginning: plan a new one (check the request, select the rows, write the journal), or reopen one.

Nothing is sent here; :mod:`console.jobs.upload.run` does the sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.api.models import ContactList
from console.contacts.reader import CsvReadError, CsvSource
from console.contacts.result import Severity, ValidationResult
from console.jobs.journal import Journal, JournalError, RowState
from console.jobs.rows import RowSelection, SourceRows, file_sha256
from console.jobs.upload.options import MAX_CHUNK, UploadError, UploadMode, UploadOptions

__all__ = ["Planned", "plan_job", "reopen_job", "reupload_warning"]

NO_ID_WARNING = (
    "No contact id column: every import adds the file's rows as new contacts, so uploading this file "
    "again (or another file with the same people) adds them again as duplicates. Choose an id column "
    "to update contacts instead."
)
"""What an import without an id column means for re-uploads (said before anything is sent)."""

_SKIP_REASONS = {
    "row.invalid": "the row has validation errors (send it with --all-rows)",
    "row.blank": "blank line",
    "row.unchecked": "validation stopped before this row",
    "id.missing": "no contact id: the server would mint one, and a resend would duplicate the row",
}

_SECRET_KEYS = ("api_key", "secret", "client_secret", "token", "password")


@dataclass(frozen=True)
class Planned:
    """A job ready to run.

    Attributes:
        journal: Its journal (open and locked).
        rows: Its rows.
        options: What to send and how.
        list_id: Target list.
        owns_source: True when the CSV was opened here (the job closes it).
    """

    journal: Journal
    rows: SourceRows
    options: UploadOptions
    list_id: str
    owns_source: bool = False

    @property
    def warning(self) -> str | None:
        """What to say before sending (see :func:`reupload_warning`), or None."""
        return reupload_warning(self.options.mode, self.options.id_column)


def reupload_warning(mode: UploadMode, id_column: str | None) -> str | None:
    """The warning to say before sending, or None: an import without an id column duplicates on re-upload.

    ``POST .../contacts`` (upsert) always has ids; an import without ``contact-id-name`` mints new
    contact ids for every row (genesys-api.md §6.1), so a second upload adds every row again.
    """
    if mode is UploadMode.IMPORT and not id_column:
        return NO_ID_WARNING
    return None


def _source_rows(source: CsvSource, definition: ContactList, options: UploadOptions) -> SourceRows:
    return SourceRows(
        source,
        definition,
        id_column=options.id_column,
        region=options.region,
        regions=options.regions,
        mapping=options.mapping,
    )


def _check_request(
    options: UploadOptions, validation: ValidationResult | None, connection: Mapping[str, str] | None
) -> None:
    if options.mode is UploadMode.UPSERT and not options.id_column:
        raise UploadError(
            "Upsert mode needs a contact id column (--id-column): without ids a resend after a "
            "crash would create duplicates."
        )
    if not 1 <= options.chunk_size <= MAX_CHUNK:
        raise UploadError(f"chunk_size must be between 1 and {MAX_CHUNK}.")
    if validation is not None and validation.file_errors:
        first = next(i for i in validation.header_issues if i.severity >= Severity.ERROR)
        raise UploadError(f"The file cannot be uploaded: {first.message}")
    for key in _SECRET_KEYS:
        if connection and key in connection:
            raise UploadError(f"connection settings must not carry secrets ({key}).")


def _write_plan(journal: Journal, selection: RowSelection, options: UploadOptions) -> None:
    by_code: dict[str, list[int]] = {}
    for r, code in selection.skipped.items():
        by_code.setdefault(code, []).append(r)
    for code, skipped in by_code.items():
        journal.record_rows(
            RowState.SKIPPED, [(r, None, None) for r in skipped], code=code, message=_SKIP_REASONS.get(code)
        )
    if options.mode is UploadMode.UPSERT:
        size = options.chunk_size
        journal.plan_chunks(selection.rows[k : k + size] for k in range(0, len(selection.rows), size))
    journal.event("created", f"{len(selection.rows)} rows to send, {len(selection.skipped)} skipped")
    warning = reupload_warning(options.mode, options.id_column)
    if warning:
        journal.event("warning", warning)


def plan_job(
    *,
    source: CsvSource,
    definition: ContactList,
    list_id: str,
    options: UploadOptions,
    validation: ValidationResult | None,
    connection: Mapping[str, str] | None,
    jobs_dir: Path | None,
) -> Planned:
    """Check the request, select the rows and write the new job's journal (see ``UploadJob.create``).

    Raises:
        UploadError: The file cannot be uploaded as asked (the message says why).
    """
    _check_request(options, validation, connection)
    try:
        rows = _source_rows(source, definition, options)
    except ValueError as exc:
        raise UploadError(str(exc)) from exc
    if options.mode is UploadMode.IMPORT and rows.missing_columns:
        raise UploadError(f"An import must contain every list column; the file lacks {rows.missing_columns}.")
    selection = rows.select(validation, all_rows=options.all_rows, require_id=options.id_column is not None)
    path = Path(source.path)
    meta: dict[str, Any] = {
        **options.to_meta(),
        "list_id": list_id,
        "definition": definition.model_dump(mode="json", by_alias=True, exclude_none=True),
        "source_path": str(path.resolve()),
        "source_sha256": file_sha256(path),
        "source_size": path.stat().st_size,
        "encoding": source.encoding,
        "delimiter": source.delimiter,
        "rows_total": len(selection.rows),
        "rows_in_file": len(selection.rows) + len(selection.skipped),
        "connection": dict(connection or {}),
        "status": "planned",
    }
    journal = Journal.create(meta, directory=jobs_dir)
    try:
        _write_plan(journal, selection, options)
    except BaseException:
        journal.close()
        raise
    return Planned(journal, rows, options, list_id)


def _open_source(meta: Mapping[str, Any], job_id: str, source: CsvSource | None) -> CsvSource:
    """``source``, or the job's file opened again; either way the file must be unchanged."""
    path = Path(meta["source_path"])
    if not path.is_file():
        raise UploadError(f"The job's file {path} is gone; it is needed to resume.")
    if file_sha256(path) != meta["source_sha256"]:
        raise UploadError(
            f"{path} changed since job {job_id} began; resuming would send other data. "
            "Start a new job for the new file."
        )
    if source is not None:
        return source
    try:
        return CsvSource(path, encoding=meta["encoding"], delimiter=meta["delimiter"])
    except CsvReadError as exc:
        raise UploadError(str(exc)) from exc


def reopen_job(
    job_id: str,
    *,
    source: CsvSource | None,
    jobs_dir: Path | None,
    settle_seconds: float | None,
    poll_interval: float | None,
) -> Planned:
    """Open an interrupted job's journal and rows (see ``UploadJob.reopen``).

    Raises:
        UploadError: Unknown or locked job, or the source file changed since the job began.
    """
    try:
        journal = Journal.open(job_id, directory=jobs_dir)
    except JournalError as exc:
        raise UploadError(str(exc)) from exc
    try:
        meta = journal.meta()
        opened = _open_source(meta, job_id, source)
        options = UploadOptions.from_meta(meta, settle_seconds=settle_seconds, poll_interval=poll_interval)
        rows = _source_rows(opened, ContactList.model_validate(meta["definition"]), options)
        journal.event("reopened", "resuming")
    except BaseException:
        journal.close()
        raise
    return Planned(journal, rows, options, meta["list_id"], owns_source=source is None)
