"""Shared helpers for the upload-job tests: a deterministic contact CSV and its expected contents."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.api import GenesysClient
from console.api.models import ContactList, ContactPhoneNumberColumn

COLUMNS = ["ContactId", "FirstName", "City", "Phone"]
AREAS = (212, 415, 617, 305)
NAMES = ("Zoë", "José", "O'Neil", "Smith, Jr.", 'Ann "Nan"', "Brûlé", "Li")


@dataclass
class SampleCsv:
    """A generated file and what the list must hold after uploading its valid rows."""

    path: Path
    rows: int
    expected: dict[str, dict[str, str]] = field(default_factory=dict)
    """Contact id → data, for every valid row."""
    invalid_ids: set[str] = field(default_factory=set)
    """Ids of rows the validation rejects (never sent by default)."""
    valid_no_id: int = 0
    """Rows that are valid apart from having no id (sent only when the import has no id column)."""


def write_csv(path: Path, n: int, *, bad_every: int = 97, with_blank: bool = True) -> SampleCsv:
    """Write ``n`` data rows: quoted commas and quotes, non-ASCII, padded values, national phones.

    Every ``bad_every``-th row has an invalid phone; one row has no id; one blank line.
    """
    sample = SampleCsv(path, 0)
    lines = [",".join(COLUMNS)]
    for i in range(n):
        cid = f"C{i:06d}"
        area = AREAS[i % len(AREAS)]
        exch, line = 200 + (i * 7) % 700, i % 10000
        name = f"{NAMES[i % len(NAMES)]} {i}"
        city = "  New York  " if i % 5 == 0 else "Boston"
        if bad_every and i % bad_every == bad_every - 1:
            phone, ok = "call me", False
        else:
            phone, ok = f"({area}) {exch}-{line:04d}", True
        quoted = '"' + name.replace('"', '""') + '"' if any(c in name for c in ',"') else name
        lines.append(f"{cid},{quoted},{city},{phone}")
        if ok:
            sample.expected[cid] = {
                "ContactId": cid,
                "FirstName": name,
                "City": city.strip(),
                "Phone": f"+1{area}{exch}{line:04d}",
            }
        else:
            sample.invalid_ids.add(cid)
    lines.append(",No Id,Boston,(212) 555-0100")
    sample.valid_no_id = 1
    if with_blank:
        lines.append("")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    sample.rows = n + 1 + (1 if with_blank else 0)
    return sample


def make_list(api: GenesysClient, name: str) -> str:
    """Create a list with :data:`COLUMNS` (Phone is a phone column); returns its id."""
    created = api.create_contact_list(
        ContactList(
            name=name,
            column_names=COLUMNS,
            phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
        )
    )
    assert created.id
    return created.id


def list_contents(sandbox: Any, list_id: str) -> list[dict[str, Any]]:
    """Every contact the sandbox holds for the list (test-side view of the server's store)."""
    with sandbox.state.lock:
        return [dict(c) for c in sandbox.state.contacts.get(list_id, {}).values()]


def fetch_all(api: GenesysClient, list_id: str, ids: list[str]) -> dict[str, dict[str, str]]:
    """Contact id → data, through the API's bulk get (1,000 per request)."""
    out: dict[str, dict[str, str]] = {}
    for k in range(0, len(ids), 1000):
        for c in api.get_contacts_bulk(list_id, ids[k : k + 1000]):
            assert c.id is not None
            out[c.id] = dict(c.data)
    return out


def requests_to(sandbox: Any, method: str, path_suffix: str) -> list[dict[str, Any]]:
    """Requests the sandbox received whose path ends with ``path_suffix``."""
    with sandbox.state.lock:
        log = list(sandbox.state.log)
    return [r for r in log if r["method"] == method and r["path"].endswith(path_suffix)]


def journal_rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Read a journal read-only (works while the job holds it)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.execute(sql, args))
    finally:
        conn.close()
