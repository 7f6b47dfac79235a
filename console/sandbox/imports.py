"""CSV import (genesys-api.md §6).

Legacy multipart upload and presigned upload, then an asynchronous import visible through
``importstatus``.

Timing (genesys-api.md §6.3, [L]): after an upload is accepted, ``importstatus`` keeps answering
the *previous* import's status for ``import_lag`` seconds (switch, default 2); a presigned
import starts only when the PUT lands. With ``import_status_updates=never`` the status never
changes while the list still fills (Terraform's small-file case).

Failure reasons are only codes of the outbound event code enum (``SDK models/event_message.py``
``code``), each also logged to ``GET /api/v2/outbound/events`` (console/sandbox/events.py):

- ``CONTACT_COLUMNS_LIMIT_EXCEEDED``: more than 50 columns (enum; TF PR #1898 saw it as a reason);
- ``IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST``: the header lacks a list column (enum; which of the two
  column codes the platform picks for this case is [U]);
- ``IMPORT_MISSING_CUSTOM_ID``: the contact-id column is absent, or a record has no id (enum);
- ``IMPORT_FAILED_TO_READ_HEADERS``: no header row, or the bytes are not UTF-8 (enum);
- ``IMPORT_COULD_NOT_PARSE_AN_ENTRY``: the CSV does not parse (enum).
"""

from __future__ import annotations

import csv
import email.parser
import email.policy
import hmac
import io
import secrets
import threading
import urllib.parse
from typing import Any

from console.sandbox.contacts import contact_uri
from console.sandbox.errors import ApiError, bad_request
from console.sandbox.events import log_event
from console.sandbox.lists import MAX_COLUMNS, get_list, import_status
from console.sandbox.store import ORG_ID, ImportJob, SandboxState
from console.sandbox.wire import Request, Response, Route, iso, new_id

CONTENT_TYPES = (
    "text/csv",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
_SIGNING_KEY = secrets.token_bytes(32)


class ImportFailedError(Exception):
    """The file cannot be imported; ``reason`` becomes ImportStatus.failureReason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def parse_csv(
    data: bytes, columns: list[str], id_column: str | None, trim: bool
) -> list[tuple[str | None, dict[str, str]]]:
    """Parse a contact CSV against the list's columns (§6.4).

    Args:
        data: File bytes (UTF-8, optional BOM).
        columns: The list's ``columnNames``.
        id_column: The file column holding contact ids (``contact-id-name``), if any.
        trim: Trim whitespace around values (the list's ``trimWhitespace``).

    Returns:
        (contact id or None, data) per record, in file order.

    Raises:
        ImportFailedError: With the failure reason the import ends with.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailedError("IMPORT_FAILED_TO_READ_HEADERS", f"the file is not UTF-8: {exc}") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFailedError(
            "IMPORT_COULD_NOT_PARSE_AN_ENTRY", f"the file is not valid CSV: {exc}"
        ) from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportFailedError("IMPORT_FAILED_TO_READ_HEADERS", "the file has no header row")
    header = [h.strip() for h in rows[0]]
    if len(header) > MAX_COLUMNS:
        raise ImportFailedError(
            "CONTACT_COLUMNS_LIMIT_EXCEEDED", f"{len(header)} columns; at most {MAX_COLUMNS}"
        )
    by_lower = {h.lower(): i for i, h in enumerate(header)}
    missing = [c for c in columns if c.lower() not in by_lower]
    if missing:
        raise ImportFailedError(
            "IMPORT_COLUMNS_DO_NOT_EXIST_ON_LIST", f"the file lacks list columns {missing}"
        )
    id_index: int | None = None
    if id_column:
        if id_column.lower() not in by_lower:
            raise ImportFailedError("IMPORT_MISSING_CUSTOM_ID", f"the file has no column [{id_column}]")
        id_index = by_lower[id_column.lower()]
    index = [(c, by_lower[c.lower()]) for c in columns]
    out: list[tuple[str | None, dict[str, str]]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(header) - len(row))
        values = {c: (row[i].strip() if trim else row[i]) for c, i in index}
        cid: str | None = None
        if id_index is not None:
            cid = row[id_index].strip()
            if not cid:
                raise ImportFailedError(
                    "IMPORT_MISSING_CUSTOM_ID", f"record on line {line} has no contact id"
                )
        out.append((cid, values))
    return out


def _now(state: SandboxState) -> float:
    """The sandbox's time for import waits: its movable clock (``{"advance_clock": s}`` skips ahead)."""
    return state.clock.now()


def _wait_until(state: SandboxState, deadline: float) -> None:
    """Block until the sandbox clock reaches ``deadline`` (wakes early when the clock is moved)."""
    state.clock.wait_until(deadline)


def start_import(
    state: SandboxState,
    list_id: str,
    data: bytes,
    id_column: str | None,
    clear_system: bool = False,
    correlation_id: str = "",
) -> None:
    """Begin an asynchronous import; ``importstatus`` shows its progress after ``import_lag``.

    Raises:
        ApiError: 404 for an unknown list, 400 when an import is already running.
    """
    with state.lock:
        contact_list = get_list(state, list_id)
        job = state.imports.get(list_id)
        if job is not None and job.running:
            raise bad_request(f"An import is already in progress for contact list [{list_id}].", field="id")
        columns = list(contact_list["columnNames"])
        list_name = str(contact_list.get("name", ""))
        trim = bool(contact_list.get("trimWhitespace", True))
        delay = float(state.config["import_delay"])
        lag = float(state.switch("import_lag"))
        updates = state.switch("import_status_updates") == "always"
        generation = state.generation
        shape = state.switch("import_success_shape")
        try:
            records: list[tuple[str | None, dict[str, str]]] = parse_csv(data, columns, id_column, trim)
            failure: ImportFailedError | None = None
        except ImportFailedError as exc:
            records, failure = [], exc
        total = len(records)
        # The previous import's status stays visible until the lag has passed (§6.3).
        job = ImportJob(import_status(state, list_id))
        state.imports[list_id] = job
        started = _now(state)

    def show(status: dict[str, Any]) -> None:
        if updates:
            job.status = status

    def run() -> None:
        _wait_until(state, started + lag)
        with state.lock:
            if state.generation != generation or list_id not in state.lists:
                job.running = False
                return
            show({"state": "IN_PROGRESS", "totalRecords": total, "completedRecords": 0, "percentComplete": 0})
        steps = 10 if total else 1
        chunk = max(1, -(-total // steps))
        done = 0
        for step in range(steps):
            _wait_until(state, started + lag + delay * (step + 1) / steps)
            with state.lock:
                if state.generation != generation or list_id not in state.lists:
                    job.running = False
                    return
                if failure is None:
                    batch = records[step * chunk : (step + 1) * chunk]
                    store = state.contacts.setdefault(list_id, {})
                    stamp = iso(_now(state))
                    saved = []
                    for cid, values in batch:
                        cid = cid or new_id()
                        old = store.get(cid)
                        contact = {
                            "id": cid,
                            "contactListId": list_id,
                            "data": values,
                            "callable": True,
                            "dateCreated": old["dateCreated"] if old else stamp,
                            "selfUri": contact_uri(list_id, cid),
                        }
                        if old and old.get("callRecords") and not clear_system:
                            contact["callRecords"] = old["callRecords"]
                        store[cid] = contact
                        saved.append(contact)
                    state.save_contacts(list_id, saved)
                    done += len(batch)
                    if updates:
                        job.status = dict(
                            job.status, completedRecords=done, percentComplete=min(99, 100 * done // total)
                        )
        with state.lock:
            job.running = False
            if failure is not None:
                show(
                    {
                        "state": "FAILED",
                        "totalRecords": total,
                        "completedRecords": 0,
                        "percentComplete": 0,
                        "failureReason": failure.reason,
                    }
                )
                log_event(
                    state,
                    code=failure.reason,
                    message=f"Import into contact list [{list_name}] failed: {failure}",
                    category="IMPORT_ERROR",
                    level="ERROR",
                    list_id=list_id,
                    list_name=list_name,
                    correlation_id=correlation_id or new_id(),
                    at=_now(state),
                )
            elif shape == "no_state":
                show({"totalRecords": total, "completedRecords": total, "percentComplete": 100})
            else:
                show(
                    {
                        "state": "IN_PROGRESS",
                        "totalRecords": total,
                        "completedRecords": total,
                        "percentComplete": 100,
                    }
                )

    threading.Thread(target=run, name=f"sandbox-import-{list_id}", daemon=True).start()


# -- legacy multipart upload --------------------------------------------------------------------
def _multipart(req: Request) -> dict[str, tuple[bytes, str | None]]:
    ctype = req.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data") or "boundary=" not in ctype:
        raise ApiError(
            415, "unsupported.media.type", "The upload must be multipart/form-data with a boundary."
        )
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    msg = parser.parsebytes(b"Content-Type: " + ctype.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + req.body)
    parts: dict[str, tuple[bytes, str | None]] = {}
    if not msg.is_multipart():
        raise bad_request("The multipart body could not be parsed.")
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        parts[name] = (payload if isinstance(payload, bytes) else b"", part.get_filename())
    return parts


def legacy_upload(req: Request) -> Response:
    """``POST /uploads/v2/contactlist`` (multipart: id, file, fileType, contact-id-name)."""
    parts = _multipart(req)
    for required in ("id", "file", "fileType"):
        if required not in parts:
            raise bad_request(f"The multipart field [{required}] is required.", field=required)
    file_type = parts["fileType"][0].decode(errors="replace")
    if file_type != "contactlist":
        raise bad_request(f"fileType [{file_type}] is not supported; use contactlist.", field="fileType")
    list_id = parts["id"][0].decode(errors="replace").strip()
    id_name = parts.get("contact-id-name", (b"", None))[0].decode(errors="replace").strip() or None
    start_import(req.state, list_id, parts["file"][0], id_name, correlation_id=req.correlation_id)
    return Response(200, {})


# -- presigned upload ---------------------------------------------------------------------------
def _sign(key: str, expires: int) -> str:
    return hmac.new(_SIGNING_KEY, f"{key}:{expires}".encode(), "sha256").hexdigest()


def presign(req: Request) -> Response:
    """``POST /api/v2/outbound/contactlists/uploads`` → ``{url, uploadKey, headers}``."""
    body = req.json_object()
    ctype = body.get("contentType")
    if ctype is None:
        raise bad_request("contentType is required.", field="contentType")
    if ctype not in CONTENT_TYPES:
        raise ApiError(
            400,
            "invalid.value",
            f"Value [{ctype}] is not valid for field type [contentType]. Allowable values are: "
            + ", ".join(CONTENT_TYPES),
            field="contentType",
        )
    if ctype != "text/csv":
        raise bad_request(
            f"contentType [{ctype}] is not supported by the sandbox; send text/csv.", field="contentType"
        )
    list_id = body.get("id")
    if not isinstance(list_id, str):
        raise bad_request("id (the contact list id) is required.", field="id")
    timeout = body.get("signedUrlTimeoutSeconds", 600)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= 604800:
        raise bad_request(
            "signedUrlTimeoutSeconds must be between 1 and 604800.", field="signedUrlTimeoutSeconds"
        )
    id_name = body.get("contactIdName")
    if id_name is not None and not isinstance(id_name, str):
        raise bad_request("contactIdName must be a string.", field="contactIdName")
    with req.state.lock:
        get_list(req.state, list_id)
    key = f"contactlists/{ORG_ID}/{list_id}/{new_id()}.csv"
    expires = int(req.now) + timeout
    headers = {
        "Content-Type": ctype,
        "x-amz-meta-organizationid": ORG_ID,
        "x-amz-meta-contactlistid": list_id,
        "x-amz-meta-contactidname": id_name or "",
        "x-amz-meta-clearsystemdata": "true" if body.get("clearSystemData") else "false",
    }
    host = req.headers.get("host", "127.0.0.1")
    query = urllib.parse.urlencode(
        {"X-Amz-Expires": timeout, "X-Amz-Date": expires, "X-Amz-Signature": _sign(key, expires)}
    )
    url = f"http://{host}/sandbox-storage/{urllib.parse.quote(key)}?{query}"
    return Response(200, {"url": url, "uploadKey": key, "headers": headers})


def _s3_error(status: int, code: str, message: str) -> Response:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
        "</Error>"
    ).encode()
    return Response(status, xml, content_type="application/xml")


def storage_put(req: Request) -> Response:
    """``PUT`` to the presigned URL: insists on the signature, expiry and returned headers."""
    key = urllib.parse.unquote(req.params["key"])
    expires_raw = req.q("X-Amz-Date") or ""
    signature = req.q("X-Amz-Signature") or ""
    if not expires_raw.isdigit() or not hmac.compare_digest(_sign(key, int(expires_raw)), signature):
        return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    if int(expires_raw) < req.now:
        return _s3_error(403, "AccessDenied", "Request has expired")
    parts = key.split("/")
    if len(parts) != 4:
        return _s3_error(400, "InvalidRequest", "Malformed upload key")
    list_id = parts[2]
    expected = {
        "content-type": "text/csv",
        "x-amz-meta-organizationid": ORG_ID,
        "x-amz-meta-contactlistid": list_id,
    }
    for name, value in expected.items():
        if req.headers.get(name, "").split(";")[0].strip() != value:
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                f"The request signature we calculated does not match: header {name} is missing or different.",
            )
    for name in ("x-amz-meta-contactidname", "x-amz-meta-clearsystemdata"):
        if name not in req.headers:
            return _s3_error(403, "SignatureDoesNotMatch", f"header {name} is missing.")
    id_name = req.headers["x-amz-meta-contactidname"].strip() or None
    try:
        start_import(
            req.state,
            list_id,
            req.body,
            id_name,
            req.headers["x-amz-meta-clearsystemdata"] == "true",
            correlation_id=req.correlation_id,
        )
    except ApiError as exc:
        return _s3_error(exc.status, "InvalidRequest", exc.message)
    return Response(200, None, headers={"ETag": f'"{secrets.token_hex(16)}"'})


ROUTES = [
    Route("POST", "/api/v2/outbound/contactlists/uploads", presign, "outbound:contactList:upload"),
    Route("POST", "/uploads/v2/contactlist", legacy_upload, "outbound:contact:add"),
    Route("PUT", "/sandbox-storage/(?P<key>.+)", storage_put, auth=False),
]
