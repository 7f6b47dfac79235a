"""Suggest a contact-list definition from a CSV's header and sampled values (no Qt).

Runs on a worker thread (``FunctionWorker``): opens the file with :mod:`console.contacts`,
samples the first rows, and proposes phone, email, ZIP and time-zone columns from the
column names and from what the values look like (phones via phonenumbers, emails, 5-digit
ZIP codes, IANA time-zone names).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from console.api.models import ContactList
from console.contacts.listcheck import is_time_zone
from console.contacts.reader import open_csv

SAMPLE_ROWS = 200
"""Rows sampled per file."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
_PHONE_NAMES = {
    "phone": "phone",
    "mobile": "cell",
    "cell": "cell",
    "cellphone": "cell",
    "mobilephone": "cell",
    "home": "home",
    "homephone": "home",
    "work": "work",
    "workphone": "work",
    "tel": "phone",
    "telephone": "phone",
    "landline": "home",
}


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


@dataclass
class CsvSuggestion:
    """What the builder proposes for a CSV.

    Attributes:
        path: The CSV file.
        definition: The proposed list (name from the file name, every header column).
        reasons: Column name to why it was given its role (shown as a tooltip).
        samples: Column name to up to 50 distinct sampled values (offered as preview values).
        rows_sampled: How many data rows were looked at.
    """

    path: Path
    definition: ContactList
    reasons: dict[str, str] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)
    rows_sampled: int = 0


def _share(values: list[str], test: Callable[[str], bool]) -> float:
    filled = [v for v in values if v.strip()]
    if not filled:
        return 0.0
    return sum(1 for v in filled if test(v.strip())) / len(filled)


def _is_zip(value: str) -> bool:
    return _ZIP.match(value) is not None


def _is_email(value: str) -> bool:
    return _EMAIL.match(value) is not None


def _is_phone(value: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


def suggest_from_csv(
    path: Path,
    *,
    region: str = "US",
    cancel: threading.Event | None = None,
    progress: Callable[[object], None] | None = None,
) -> CsvSuggestion:
    """Propose a definition for ``path``.

    Args:
        path: The CSV file.
        region: Default region for phone numbers written without ``+``.
        cancel: Stops the sampling when set.
        progress: Called with a short status text.

    Raises:
        CsvReadError: The file cannot be read as CSV.
    """
    with open_csv(path) as src:
        header = [h for h in src.header]
        rows = src.records(0, SAMPLE_ROWS)
    if progress is not None:
        progress(f"Sampled {len(rows)} rows of {path.name}")
    columns: dict[str, list[str]] = {h: [] for h in header}
    for row in rows:
        if cancel is not None and cancel.is_set():
            break
        for i, name in enumerate(header):
            columns[name].append(row[i] if i < len(row) else "")
    phones: list[tuple[str, str]] = []
    emails: list[str] = []
    zip_col: str | None = None
    tz_col: str | None = None
    reasons: dict[str, str] = {}
    for name, values in columns.items():
        key = _squash(name)
        filled = sum(1 for v in values if v.strip())
        phone_share = _share(values, lambda v: _is_phone(v, region))
        by_name = _PHONE_NAMES.get(key) or next(
            (t for k, t in sorted(_PHONE_NAMES.items(), key=lambda kv: -len(kv[0])) if key.endswith(k)), None
        )
        zip_share = _share(values, _is_zip)
        zip_named = "zip" in key or "postcode" in key or "postal" in key
        if zip_col is None and (
            (zip_named and (zip_share > 0.8 or not filled)) or (filled and zip_share > 0.9)
        ):
            zip_col = name
            reasons[name] = f"ZIP column: {zip_share:.0%} of {filled} sampled values are ZIP codes"
            continue
        if (filled and phone_share >= 0.8) or (by_name and (not filled or phone_share >= 0.5)):
            phones.append((name, by_name or "cell"))
            reasons[name] = f"Phone column: {phone_share:.0%} of {filled} sampled values are valid numbers"
        elif "email" in key or (filled and _share(values, _is_email) >= 0.8):
            emails.append(name)
            reasons[name] = (
                f"Email column: {_share(values, _is_email):.0%} of {filled} sampled values are emails"
            )
        elif (
            "timezone" in key or key == "tz" or (filled and _share(values, is_time_zone) >= 0.8)
        ) and tz_col is None:
            tz_col = name
            reasons[name] = (
                f"Time-zone column: {_share(values, is_time_zone):.0%} of {filled} values are IANA names"
            )
    body: dict[str, object] = {
        "name": path.stem,
        "columnNames": header,
        "phoneColumns": [
            {"columnName": n, "type": t, **({"callableTimeColumn": tz_col} if tz_col else {})}
            for n, t in phones
        ],
        "emailColumns": [
            {"columnName": n, "type": "personal", **({"contactableTimeColumn": tz_col} if tz_col else {})}
            for n in emails
        ],
        "trimWhitespace": True,
    }
    if zip_col and not tz_col:
        body["automaticTimeZoneMapping"] = True
        body["zipCodeColumnName"] = zip_col
    samples = {
        name: list(dict.fromkeys(v.strip() for v in values if v.strip()))[:50]
        for name, values in columns.items()
    }
    return CsvSuggestion(path, ContactList.model_validate(body), reasons, samples, len(rows))
