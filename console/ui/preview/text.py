"""The preview page's wording: pure functions from plain data to the text the page shows (no Qt)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from console.api.explain import import_failure_reason
from console.contacts.result import RULES, Severity, ValidationResult
from console.jobs import JobProgress, JobStatus, Phase, UploadResult
from console.jobs.journal import UnfinishedJob
from console.jobs.upload.options import UploadMode
from console.jobs.upload.planning import reupload_warning
from console.ui.words import plural

if TYPE_CHECKING:
    from console.contacts.fixes import PhoneNormalization
    from console.ui.preview.edited import Tally

__all__ = [
    "DELIMITERS",
    "ENCODINGS",
    "MODES",
    "MODE_TEXT",
    "check_progress_text",
    "choose_list_text",
    "delimiter_name",
    "describe_unfinished",
    "detected_text",
    "file_done_text",
    "file_progress_text",
    "fmt_eta",
    "normalize_text",
    "outcome_lines",
    "plural",
    "progress_line",
    "rule_heading",
    "rule_title",
    "send_text",
    "status_text",
    "summary_text",
    "upload_confirm_text",
    "upload_warning_text",
]

ENCODINGS = ["Auto", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]
"""The encoding picker's items (Auto shows what was detected)."""

DELIMITERS = [("Auto", None), ("Comma ,", ","), ("Semicolon ;", ";"), ("Tab", "\t"), ("Pipe |", "|")]
"""The delimiter picker's (text, delimiter) items."""

MODES = ("upsert", "multipart", "presigned")
"""Upload modes, in the order of the Upload tab's buttons."""

MODE_TEXT = {
    "upsert": "Add or update by contact id — POST …/contacts. Each row is sent as a contact whose id is "
    "the id column's value, at most 1,000 per request, paced by the org's rate-limit budget. Sending a row "
    "again updates the same contact, so an interrupted upload resumes without duplicates. Rows without an "
    "id are not sent.",
    "multipart": "File import (upload) — the rows are sent as one clean UTF-8 file; Genesys Cloud imports "
    "it in the background and the console follows the import status. With an id column, contacts with "
    "the same id are updated; without one every row is added as a new contact. A failed import rejects "
    "every row, with the reason.",
    "presigned": "File import (signed storage URL) — as the file import, but the file goes to the signed "
    "upload URL Genesys Cloud hands out (…/contactlists/uploads), then the import status is followed.",
}
"""What each upload mode does, shown under its button."""

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def delimiter_name(delimiter: str) -> str:
    """``comma``, ``semicolon``, ``tab``, ``pipe``, or the delimiter quoted."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def detected_text(encoding: str, delimiter: str) -> str:
    """The file bar's "Detected: …" line."""
    return f"Detected: {encoding}, {delimiter_name(delimiter)}"


def fmt_eta(seconds: float | None) -> str:
    """``ETA m:ss`` (``ETA h:mm:ss`` from an hour on), ``ETA -`` when unknown."""
    if seconds is None:
        return "ETA -"
    s = int(seconds)
    return f"ETA {s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"ETA {s // 60}:{s % 60:02d}"


def progress_line(p: JobProgress) -> str:
    """The Upload tab's status line for a progress report."""
    if p.phase is Phase.PAUSED:
        return f"Paused · {p.rows_done:,} / {p.rows_total:,} rows"
    phase = p.phase.value.capitalize()
    if p.rows_total:
        line = (
            f"{phase} · {p.rows_done:,} / {p.rows_total:,} rows · "
            f"{p.rows_per_s:,.0f} rows/s · {fmt_eta(p.eta_s)}"
        )
    else:
        line = phase
    if p.rows_rejected:
        line += f" · {p.rows_rejected:,} rejected"
    if p.message:
        line += f"\n{p.message}"
    return line


def outcome_lines(result: UploadResult, rejected_codes: Iterable[str]) -> list[str]:
    """The Upload tab's result (rich text lines) for a finished run.

    Args:
        result: The job's result.
        rejected_codes: The codes of the rows the server refused (an import's failure reason is
            upper case, e.g. ``IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST``).
    """
    text = [
        f"<b>{result.status.value.capitalize()}</b>: {result.sent:,} sent, {result.skipped:,} skipped, "
        f"{result.rejected:,} rejected "
        f"({result.seconds:.1f} s, job {result.job_id})."
    ]
    reasons = sorted(set(rejected_codes))
    for code in reasons:
        if code.isupper():
            text.append(f"Import failed: <b>{code}</b> — {import_failure_reason(code)}")
    if result.rejections and not any(c.isupper() for c in reasons):
        first = result.rejections[0]
        text.append(
            "Rejected rows show in the grid (status “Rejected”); "
            f"first: line {first.line}: {first.message}"
        )
    if result.status is JobStatus.INTERRUPTED or result.status is JobStatus.FAILED:
        text.append(
            result.message.replace(
                "outbound-console upload --resume",
                "resume from this page or with outbound-console upload --resume",
            )
        )
    if result.reconciliation is not None:
        rec = result.reconciliation
        text.append(f"Reconciliation: {'OK' if rec.ok else 'DIFFERENT'} — {rec.summary()}.")
    return text


def send_text(total: int, errors_left: int, removed: int, *, all_rows: bool) -> str:
    """What an upload would send: ``total`` rows shown, ``errors_left`` of them with errors."""
    if all_rows:
        text = f"Will send up to {total:,} rows, including {errors_left:,} with errors."
    else:
        text = f"Will send up to {total - errors_left:,} valid rows; {errors_left:,} with errors are skipped."
    if removed:
        text += f" {removed:,} removed rows are left out."
    return text


def upload_warning_text(mode: str, id_column: str | None) -> str:
    """The upload panel's warning before sending (empty when there is none).

    ``mode`` is one of :data:`MODES`; a file import (``multipart``/``presigned``) without an id
    column says that every re-upload adds the contacts again (the CLI prints the same sentence).
    """
    upload_mode = UploadMode.UPSERT if mode == "upsert" else UploadMode.IMPORT
    warning = reupload_warning(upload_mode, id_column)
    return f"Warning: {warning}" if warning else ""


def summary_text(
    result: ValidationResult | Tally, removed: int, indexed_rows: int, index_complete: bool
) -> str:
    """The check's one-line summary (rich text) above the grid (``result``: the check or its edited tally)."""
    contacts = result.contact_rows
    rows = f"<b>{contacts:,}</b> row{'' if contacts == 1 else 's'}"
    if result.cancelled:
        known = f"{indexed_rows:,}{'' if index_complete else '+'}"
        rows = f"<b>{result.rows_done:,}</b> of {known} rows checked"
    blank = result.blank_rows
    if blank:  # blank lines are not contacts (the upload skips them)
        rows += f" ({blank:,} blank line{'' if blank == 1 else 's'} skipped)"
    parts = [
        rows,
        f"<span style='color:#137333'>{result.valid_rows:,} valid</span>",
        f"<span style='color:#a50e0e'>{result.invalid_rows:,} with errors</span>",
        f"{result.issue_count:,} findings",
    ]
    if removed:
        parts.append(f"{removed:,} removed")
    if result.cancelled:
        parts.append("<i>check stopped: rows below show “…”</i>")
    return " · ".join(parts)


def choose_list_text(indexed_rows: int, index_complete: bool) -> str:
    """The summary while no target list is chosen."""
    plus = "" if index_complete else "+"
    return f"{indexed_rows:,}{plus} rows. Choose a target list to check them."


def check_progress_text(done: int, total: int) -> str:
    """The check's progress bar text."""
    return f"checked {done:,} of {total:,}"


def file_progress_text(job: str, done: int, total: int) -> str:
    """Progress of a file job (``trim`` and ``normalize`` scan; ``export``, ``report``, ``idmap`` write)."""
    return f"{'Scanning' if job in ('trim', 'normalize') else 'Writing'}… {done:,} of {total:,} rows"


def file_done_text(job: str, path: Path, count: int) -> str:
    """A written file: ``count`` rows (export), ids (id map) or findings (error report)."""
    noun = {"export": "rows", "idmap": "ids"}.get(job, "findings")
    return f"Wrote {count:,} {noun} to {path}"


def rule_title(code: str) -> str:
    """The rule's title, or the code."""
    rule = RULES.get(code)
    return rule.title if rule is not None else code


def rule_heading(code: str) -> tuple[Severity, str, str]:
    """(severity, heading, tooltip) of a rule's entry in the findings tree (``Error: Invalid phone``)."""
    rule = RULES.get(code)
    severity = rule.severity if rule is not None else Severity.INFO
    heading = f"{str(severity).capitalize()}: {rule_title(code)}"
    return severity, heading, f"{code}\nFix: {rule.fix if rule else ''}"


def describe_unfinished(job: UnfinishedJob, more: int = 0) -> str:
    """The resume banner's line for an unfinished job (``more``: other unfinished jobs)."""
    name = Path(job.original_path or job.source_path).name
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created))
    state = "was cut off" if job.status == "running" else "was interrupted"
    text = (
        f"The upload of {name} (job {job.job_id}, started {when}) {state}: "
        f"{job.confirmed:,} of {job.rows_total:,} rows confirmed."
    )
    return text + (f" ({more} more unfinished)" if more else "")


def normalize_text(found: PhoneNormalization, region: str, line: int | None = None) -> str:
    """What "Normalize phones" did: how many it wrote, and why the others were left.

    Args:
        found: The scan's answer.
        region: The default region national numbers were read in.
        line: Physical line of the first invalid number, if any.
    """
    text = f"{plural(len(found.changes), 'phone number')} written in E.164"
    left = []
    if found.already:
        left.append(f"{found.already:,} already in E.164")
    if found.invalid:
        where = f", first on line {line}" if line is not None else ""
        left.append(
            f"{found.invalid:,} left as {'it is' if found.invalid == 1 else 'they are'}: "
            f"not a valid number for {region}{where}"
        )
    if found.blank:
        left.append(f"{plural(found.blank, 'empty cell')} skipped")
    return text + (" · " + " · ".join(left) if left else "") + "."


_STATUS_WORDS = {Severity.INFO: "Info", Severity.WARNING: "Warning", Severity.ERROR: "Error"}


def status_text(severities: Iterable[Severity]) -> str:
    """A row's status cell: its worst finding, counted, and the lesser ones named apart.

    ``[ERROR, ERROR]`` is ``Error (2)``; ``[ERROR, WARNING]`` is ``Error, 1 warning`` (a warning
    is not counted as an error); no findings is ``OK``.
    """
    counts: dict[Severity, int] = {}
    for severity in severities:
        counts[severity] = counts.get(severity, 0) + 1
    if not counts:
        return "OK"
    worst = max(counts)
    n = counts.pop(worst)
    text = _STATUS_WORDS[worst] + (f" ({n})" if n > 1 else "")
    for severity in sorted(counts, reverse=True):
        word = _STATUS_WORDS[severity].lower()
        text += f", {plural(counts[severity], word, word if severity == Severity.INFO else None)}"
    return text


def upload_confirm_text(
    *,
    org: str | None,
    region: str,
    list_name: str,
    mode: str,
    to_send: int,
    warnings: dict[str, int],
    invalid: int,
    send_invalid: bool,
    removed: int,
) -> str:
    """The upload confirmation (rich text): org, region, list, mode, rows to send, warnings by rule.

    Args:
        org: The org's name as the connection test read it (None: not checked yet).
        region: The region as the status bar names it.
        list_name: The target list.
        mode: One of :data:`MODES`.
        to_send: Rows the upload sends (rows with warnings included).
        warnings: Warning rule code -> rows being sent that carry it (a row may carry two).
        invalid: Rows with errors.
        send_invalid: Whether rows with errors are sent too ("Also send rows with errors").
        removed: Rows removed in the grid (never sent).
    """
    how = "add or update by contact id (upsert)" if mode == "upsert" else "file import"
    org_text = f"<b>{escape(org)}</b>" if org else "<i>not checked yet</i> (File > Test connection)"
    lines = [
        f"Upload <b>{plural(to_send, 'row')}</b> to the list <b>{escape(list_name)}</b>?",
        f"Org: {org_text} · Region: {escape(region)} · Mode: {how}",
    ]
    if warnings:
        lines.append("Rows with warnings, by rule (sent unless you skip them below):")
        lines.extend(
            f"&nbsp;&nbsp;• {plural(n, 'row')}: {escape(rule_title(code))}"
            for code, n in sorted(warnings.items(), key=lambda kv: -kv[1])
        )
    if invalid:
        are = "is" if invalid == 1 else "are"
        if send_invalid:
            sent = f"{plural(invalid, 'row')} with errors {are} sent too"
            lines.append(f"{sent} (the platform may refuse them).")
        else:
            lines.append(f"{plural(invalid, 'invalid row')} {are} skipped.")
    if removed:
        lines.append(f"{plural(removed, 'removed row')} {'is' if removed == 1 else 'are'} left out.")
    return "<br>".join(lines)
