"""The support bundle: a zip a supervisor can send to Genesys or IT support.

Contents: ``api-log.jsonl`` (every exchange of the session, as already redacted by the api
layer), ``versions.json`` (app, Python, Qt, PySide6, httpx, pydantic, OS), ``correlation-ids.txt``,
``errors.txt`` (the decoded errors of the session) and ``README.txt`` (what is in it, and whether
contact data was included). Before anything is written, every text is checked against the secrets
and tokens the session knows; a hit is replaced by ``[REDACTED]`` so that even a redaction bug
upstream cannot leak one into the bundle.

Contact data stays out unless the user ticks "Include contact data": the bodies of contact
requests and answers (contact lists' contacts, uploads, external contacts, test calls) are
summarised as counts, column names and hashed ids, contact ids in URLs are hashed, and every
contact value seen in those bodies is blanked wherever else it appears (an error message quoting
a phone number, say).
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

from console import APP_ID, __version__
from console.api.logging import REDACTED
from console.paths import private_file
from console.ui.api_log import LogEntry
from console.ui.errors import DecodedError

CONTACT_VALUE = "[contact value]"
"""What a contact value left out of the bundle is replaced by."""

_CONTACT_PATH = re.compile(
    r"/outbound/contactlists/[^/?]+/(contacts|export)|/uploads/|/externalcontacts|/conversations/calls"
)
_CONTACT_ID_IN_URL = re.compile(r"(/contacts/)(?!bulk\b|search\b)([^/?#]+)")
_IDS_SHOWN = 20


def hash_id(value: str) -> str:
    """A short stable hash of a contact id: equal ids stay recognisable, the id itself does not."""
    return "#" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def is_contact_path(url: str) -> bool:
    """Whether requests to ``url`` carry contact data in their bodies."""
    return bool(_CONTACT_PATH.search(url))


def _contact_records(data: object) -> list[dict[str, object]]:
    """Every contact-shaped object (``{"data": {...}}``, an external contact, a call) in a JSON value."""
    found: list[dict[str, object]] = []
    if isinstance(data, list):
        for item in data:
            found.extend(_contact_records(item))
    elif isinstance(data, dict):
        if isinstance(data.get("data"), dict) or any(
            k in data for k in ("phoneNumber", "firstName", "lastName", "workPhone", "cellPhone", "workEmail")
        ):
            found.append(data)
        else:
            for value in data.values():
                found.extend(_contact_records(value))
    return found


def _values(data: object) -> Iterable[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value)
    elif isinstance(data, str | int | float) and not isinstance(data, bool):
        yield str(data)


def summarize_contact_body(text: str | None) -> tuple[str | None, set[str]]:
    """A contact body as counts, column names and hashed ids; and the values it held.

    Returns:
        The summary (JSON text) and the contact values found, to blank elsewhere.
    """
    if not text:
        return text, set()
    try:
        data = json.loads(text)
    except ValueError:  # a CSV upload, or a body cut short by the log's size limit
        lines = text.count("\n") + 1
        return json.dumps({"contactDataLeftOut": True, "characters": len(text), "lines": lines}), set()
    records = _contact_records(data)
    if not records:
        return text, set()  # e.g. a page of list metadata: no contact in it
    columns: set[str] = set()
    ids: list[str] = []
    values: set[str] = set()
    for record in records:
        fields = record.get("data") if isinstance(record.get("data"), dict) else record
        assert isinstance(fields, dict)
        columns.update(str(k) for k in fields)
        values.update(_values(fields))
        if isinstance(record.get("id"), str):
            ids.append(hash_id(str(record["id"])))
            values.add(str(record["id"]))
    summary: dict[str, object] = {
        "contactDataLeftOut": True,
        "contacts": len(records),
        "columns": sorted(columns),
        "idHashes": ids[:_IDS_SHOWN],
    }
    if len(ids) > _IDS_SHOWN:
        summary["moreIds"] = len(ids) - _IDS_SHOWN
    return json.dumps(summary), values


def without_contact_data(line: dict[str, object]) -> tuple[dict[str, object], set[str]]:
    """A log line (``LogEntry.to_json``) with contact bodies summarised and contact ids in its URL hashed."""
    url = str(line.get("url") or "")
    out = dict(line)
    out["url"] = _CONTACT_ID_IN_URL.sub(lambda m: m.group(1) + hash_id(m.group(2)), url)
    values: set[str] = set()
    if is_contact_path(url):
        for key in ("requestBody", "responseBody"):
            body = line.get(key)
            summary, found = summarize_contact_body(body if isinstance(body, str) else None)
            out[key] = summary
            values |= found
    return out, values


def versions() -> dict[str, str]:
    """App, Python, Qt and library versions, and the platform."""
    from PySide6 import QtCore
    from PySide6 import __version__ as pyside_version

    result = {
        "app": f"{APP_ID} {__version__}",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "qt": QtCore.qVersion(),
        "pyside6": pyside_version,
    }
    for package in ("httpx", "pydantic", "keyring", "platformdirs", "truststore"):
        try:
            result[package] = version(package)
        except PackageNotFoundError:
            result[package] = "not installed"
    return result


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def write_support_bundle(
    path: Path,
    entries: Iterable[LogEntry],
    *,
    errors: Iterable[DecodedError] = (),
    known_secrets: Iterable[str] = (),
    include_contact_data: bool = False,
) -> Path:
    """Write the bundle to ``path`` (a ``.zip``, ``0600``) and return it.

    Args:
        path: Target file.
        entries: The session's log entries.
        errors: Decoded errors of the session.
        known_secrets: Secret values (client secrets, tokens) that must not appear anywhere.
        include_contact_data: Keep contact values (the user chose it); by default they are left out.
    """
    secrets = sorted({s for s in known_secrets if len(s) >= 4}, key=len, reverse=True)
    entries = list(entries)
    lines = [e.to_json() for e in entries]
    contact_values: set[str] = set()
    if not include_contact_data:
        summarized = [without_contact_data(line) for line in lines]
        lines = [line for line, _ in summarized]
        for _, found in summarized:
            contact_values |= found
    log_lines = [json.dumps(line, ensure_ascii=False) for line in lines]
    correlation = [
        f"{e.at.isoformat(timespec='seconds')} {e.record.method} {urlsplit(str(line['url'])).path} "
        f"{e.record.status} {e.record.correlation_id}"
        for e, line in zip(entries, lines, strict=True)
        if e.record.correlation_id
    ]
    choice = (
        "included (the user ticked “Include contact data” when exporting)"
        if include_contact_data
        else "left out (contact bodies summarised as counts, column names and hashed ids; "
        "contact values blanked as “[contact value]”)"
    )
    meta = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "exchanges": len(entries),
        "contactData": "included" if include_contact_data else "left out",
        **versions(),
    }
    readme = (
        "Outbound Console support bundle\n\n"
        f"Contact data: {choice}.\n"
        "Secrets and tokens: never included (checked against every secret the session knew).\n\n"
        "api-log.jsonl: every API exchange of the session; errors.txt: the decoded errors;\n"
        "correlation-ids.txt: ids Genesys Cloud support can trace; versions.json: app and platform.\n"
    )
    files = {
        "README.txt": readme,
        "api-log.jsonl": "\n".join(log_lines) + ("\n" if log_lines else ""),
        "versions.json": json.dumps(meta, indent=2) + "\n",
        "correlation-ids.txt": "\n".join(correlation) + "\n",
        "errors.txt": "\n\n".join(e.text() for e in errors) + "\n",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    blanks = sorted((v for v in contact_values if _blankable(v)), key=len, reverse=True)
    private_file(path)  # 0600 before anything is in it
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            text = _scrub(text, secrets)
            if name in ("api-log.jsonl", "errors.txt", "correlation-ids.txt"):
                text = _blank(text, blanks)
            zf.writestr(name, text)
    return path


def _blankable(value: str) -> bool:
    """Long enough to be a contact's own value, not a word or number of the log's structure."""
    value = value.strip()
    if len(value) < 4:
        return False
    return not value.replace(".", "").isdigit() or len(value) >= 7


def _blank(text: str, values: Sequence[str]) -> str:
    for value in values:
        if value in text:
            text = text.replace(value, CONTACT_VALUE)
    return text
