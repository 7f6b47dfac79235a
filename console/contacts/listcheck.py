"""Local check of a ContactList definition against the platform's rules (genesys-api.md §4.2-§4.4).

Written from the contract, independently of the sandbox (which enforces the same rules on its
side), so one shared misreading cannot make the console and the emulator agree. Findings are
data: a wire path such as ``phoneColumns[0].columnName``, a code, a message naming the field,
and a fix. :func:`check_definition` checks a definition before a POST/PUT;
:func:`immutable_changes` lists what a PUT may not change.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from console.api.models import ContactList

MAX_COLUMNS = 50
"""Most columns a contact list can have (help page "Create a new contact list")."""
MAX_COLUMN_NAME = 128
"""Longest column (header) name."""

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ListFinding:
    """One problem of a definition.

    Attributes:
        path: Wire path of the offending field, e.g. ``phoneColumns[0].columnName``.
        code: Stable machine code, e.g. ``column.unknown``.
        message: What is wrong, naming the field.
        fix: What to do about it.
        severity: ``error`` (the platform refuses it) or ``warning`` (allowed, probably unintended).
    """

    path: str
    code: str
    message: str
    fix: str
    severity: Severity = "error"


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    """True for an IANA time-zone name such as ``Europe/London``."""
    return name in _time_zones()


def _check_columns(columns: list[str], out: list[ListFinding]) -> None:
    if not columns:
        out.append(
            ListFinding(
                "columnNames",
                "columns.empty",
                "columnNames: the list has no columns.",
                "Add at least the contact id and one phone or email column.",
            )
        )
        return
    if len(columns) > MAX_COLUMNS:
        out.append(
            ListFinding(
                "columnNames",
                "columns.too_many",
                f"columnNames: {len(columns)} columns; a contact list can have at most {MAX_COLUMNS}.",
                f"Delete {len(columns) - MAX_COLUMNS} column(s).",
            )
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(columns):
        where = f"columnNames[{i}]"
        if not name.strip():
            out.append(ListFinding(where, "column.blank", f"{where}: the column name is blank.", "Name it."))
            continue
        if len(name) > MAX_COLUMN_NAME:
            out.append(
                ListFinding(
                    where,
                    "column.too_long",
                    f"{where}: the name is {len(name)} characters; at most {MAX_COLUMN_NAME} are allowed.",
                    f"Shorten it to {MAX_COLUMN_NAME} characters or fewer.",
                )
            )
        if "\\" in name:
            out.append(
                ListFinding(
                    where,
                    "column.bad_character",
                    f"{where} [{name}] contains a backslash, which column names may not contain.",
                    "Remove the backslash.",
                )
            )
        if name != name.strip():
            out.append(
                ListFinding(
                    where,
                    "column.spaces",
                    f"{where} [{name}] starts or ends with spaces.",
                    "Remove the leading/trailing spaces; CSV headers are matched by name.",
                    "warning",
                )
            )
        key = name.strip().casefold()
        if key in seen:
            out.append(
                ListFinding(
                    where,
                    "column.duplicate",
                    f"{where} [{name}] duplicates columnNames[{seen[key]}] (names are compared "
                    "case-insensitively).",
                    "Rename or delete one of them.",
                )
            )
        else:
            seen[key] = i


def check_definition(definition: ContactList) -> list[ListFinding]:
    """Check a definition as the platform would on POST or PUT (§4.4), plus a few warnings.

    Args:
        definition: The list being built.

    Returns:
        Findings in field order; empty when the platform should accept it.
    """
    out: list[ListFinding] = []
    name = definition.name or ""
    if not name.strip():
        out.append(
            ListFinding("name", "name.required", "name: the list needs a name.", "Type a unique name.")
        )
    columns = list(definition.column_names)
    _check_columns(columns, out)
    known = set(columns)

    def need(value: str | None, where: str, what: str) -> None:
        if value is None or value == "":
            out.append(
                ListFinding(where, "column.required", f"{where}: choose the {what}.", "Pick a column.")
            )
        elif value not in known:
            out.append(
                ListFinding(
                    where,
                    "column.unknown",
                    f"{where} [{value}] is not one of the columnNames.",
                    f"Add a column named {value}, or pick an existing column (case-sensitive).",
                )
            )

    auto_tz = bool(definition.automatic_time_zone_mapping)
    media: list[tuple[str, list[tuple[str, str, str | None, str | None]], str]] = [
        (
            "phoneColumns",
            [
                (c.column_name, c.type, c.callable_time_column, c.callable_time_column_name)
                for c in definition.phone_columns or []
            ],
            "callableTimeColumn",
        ),
        (
            "emailColumns",
            [
                (c.column_name, c.type, c.contactable_time_column, c.contactable_time_column_name)
                for c in definition.email_columns or []
            ],
            "contactableTimeColumn",
        ),
        (
            "whatsAppColumns",
            [
                (c.column_name, c.type, c.contactable_time_column, c.contactable_time_column_name)
                for c in definition.whats_app_columns or []
            ],
            "contactableTimeColumn",
        ),
    ]
    if not any(entries for _, entries, _ in media):
        out.append(
            ListFinding(
                "phoneColumns",
                "media.required",
                "phoneColumns: a list needs at least one phone, email or WhatsApp column.",
                "Mark a column as a phone (or email / WhatsApp) column.",
            )
        )
    for key, entries, time_key in media:
        used: dict[str, int] = {}
        for i, (col, kind, time_col, time_col_name) in enumerate(entries):
            where = f"{key}[{i}]"
            need(col, f"{where}.columnName", "column")
            if not (kind or "").strip():
                out.append(
                    ListFinding(
                        f"{where}.type",
                        "media.type_required",
                        f"{where}.type: the type is required.",
                        "Type a label such as cell, home or work (email: work or personal).",
                    )
                )
            if col and col in used:
                out.append(
                    ListFinding(
                        f"{where}.columnName",
                        "media.duplicate",
                        f"{where}.columnName [{col}] is already {key}[{used[col]}].",
                        "Remove the duplicate entry.",
                        "warning",
                    )
                )
            elif col:
                used[col] = i
            for tk, value in ((time_key, time_col), (time_key + "Name", time_col_name)):
                if value is None:
                    continue
                need(value, f"{where}.{tk}", "time-zone column")
                if auto_tz and key == "phoneColumns":
                    out.append(
                        ListFinding(
                            f"{where}.{tk}",
                            "timezone.conflict",
                            f"{where}.{tk} is not allowed when automaticTimeZoneMapping is true.",
                            "Clear the callable-time column, or turn automatic time-zone mapping off.",
                        )
                    )
    if definition.preview_mode_column_name:
        need(definition.preview_mode_column_name, "previewModeColumnName", "preview-mode column")
        if not definition.preview_mode_accepted_values:
            out.append(
                ListFinding(
                    "previewModeAcceptedValues",
                    "preview.no_values",
                    "previewModeAcceptedValues: no values, so no contact will be previewed.",
                    "Add the values of the preview column that force preview dialing.",
                    "warning",
                )
            )
    elif definition.preview_mode_accepted_values:
        out.append(
            ListFinding(
                "previewModeAcceptedValues",
                "preview.no_column",
                "previewModeAcceptedValues are set but previewModeColumnName is not.",
                "Choose the preview-mode column, or clear the values.",
                "warning",
            )
        )
    if definition.zip_code_column_name:
        if not auto_tz:
            out.append(
                ListFinding(
                    "zipCodeColumnName",
                    "zip.needs_auto_tz",
                    "zipCodeColumnName is only allowed when automaticTimeZoneMapping is true.",
                    "Turn automatic time-zone mapping on, or clear the ZIP column.",
                )
            )
        need(definition.zip_code_column_name, "zipCodeColumnName", "ZIP column")
    for i, spec in enumerate(definition.column_data_type_specifications or []):
        where = f"columnDataTypeSpecifications[{i}]"
        need(spec.column_name, f"{where}.columnName", "column")
        dtype = spec.column_data_type
        if dtype is None:
            out.append(
                ListFinding(
                    f"{where}.columnDataType",
                    "datatype.required",
                    f"{where}.columnDataType: choose TEXT, NUMERIC, TIMESTAMP or DATETIME.",
                    "Pick a data type.",
                )
            )
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            out.append(
                ListFinding(
                    f"{where}.min",
                    "datatype.min_gt_max",
                    f"{where}.min ({spec.min}) is greater than max ({spec.max}).",
                    "Swap them or correct one.",
                )
            )
        if spec.max_length is not None and spec.max_length < 1:
            out.append(
                ListFinding(
                    f"{where}.maxLength",
                    "datatype.max_length",
                    f"{where}.maxLength must be at least 1; got {spec.max_length}.",
                    "Use a positive length (values are at most 512 characters).",
                )
            )
        if dtype is not None and dtype != "NUMERIC" and (spec.min is not None or spec.max is not None):
            out.append(
                ListFinding(
                    f"{where}.min" if spec.min is not None else f"{where}.max",
                    "datatype.min_max_not_numeric",
                    f"{where}: min/max only apply to NUMERIC columns; this one is {dtype}.",
                    "Clear min/max, or make the column NUMERIC.",
                    "warning",
                )
            )
        if dtype is not None and dtype != "TEXT" and spec.max_length is not None:
            out.append(
                ListFinding(
                    f"{where}.maxLength",
                    "datatype.max_length_not_text",
                    f"{where}: maxLength only applies to TEXT columns; this one is {dtype}.",
                    "Clear maxLength, or make the column TEXT.",
                    "warning",
                )
            )
    retention = definition.retention_type
    days = definition.retention_days
    if retention == "RetentionDays":
        if days is None or days < 1:
            out.append(
                ListFinding(
                    "retentionDays",
                    "retention.days_required",
                    "retentionDays: a positive number of days is needed with retentionType RetentionDays.",
                    "Enter the number of days to keep contacts.",
                )
            )
    elif days is not None:
        out.append(
            ListFinding(
                "retentionDays",
                "retention.days_unused",
                "retentionDays is only allowed when retentionType is RetentionDays.",
                "Clear the days, or set retentionType to RetentionDays.",
            )
        )
    if definition.time_zone and not is_time_zone(definition.time_zone):
        out.append(
            ListFinding(
                "timeZone",
                "timezone.unknown",
                f"timeZone [{definition.time_zone}] is not an IANA time-zone name.",
                "Use a name such as America/New_York or Europe/London.",
            )
        )
    if definition.division is not None and not definition.division.id:
        out.append(
            ListFinding("division.id", "division.required", "division.id is empty.", "Pick a division.")
        )
    return out


BLOCKING_CODES = frozenset(
    {
        "columns.too_many",
        "column.blank",
        "column.duplicate",
        "column.unknown",
        "datatype.min_gt_max",
        "datatype.max_length",
    }
)
"""Findings of :func:`check_definition` that make a definition unusable for checking a file
(``outbound-console validate`` refuses it); the others (a missing name, retention...) only matter
when the list is saved."""


def blocking_findings(definition: ContactList) -> list[ListFinding]:
    """The builder's errors that make ``definition`` unusable as the yardstick of a file check.

    A phone, ZIP, time-zone or data-type column missing from ``columnNames``, duplicate or blank
    column names, more than :data:`MAX_COLUMNS` columns, min > max: the platform refuses such a list,
    so a file "valid" against it means nothing.
    """
    return [f for f in check_definition(definition) if f.severity == "error" and f.code in BLOCKING_CODES]


_FIXED: tuple[tuple[str, str, str, Severity], ...] = (
    ("columnNames", "cannot.update.column.names", "column names", "error"),
    ("phoneColumns", "cannot.update.phone.columns", "phone columns", "error"),
    ("emailColumns", "fixed.email.columns", "email columns", "warning"),
    ("whatsAppColumns", "fixed.whatsapp.columns", "WhatsApp columns", "warning"),
    ("automaticTimeZoneMapping", "fixed.auto_tz", "automatic time-zone mapping", "warning"),
    ("zipCodeColumnName", "fixed.zip", "the ZIP column", "warning"),
    ("columnDataTypeSpecifications", "fixed.data_types", "column data types", "warning"),
)


def _norm(value: object) -> object:
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in sorted(value.items()) if v is not None}
    return value


def immutable_changes(original: ContactList, edited: ContactList) -> list[ListFinding]:
    """What a PUT of ``edited`` over ``original`` changes that the platform will not let change.

    ``columnNames`` and ``phoneColumns`` are refused by the platform (§4.4, ``cannot.update.*``:
    errors); the others are treated as fixed after create by Terraform (warnings).
    """
    before = original.create_body()
    after = edited.create_body()
    out: list[ListFinding] = []
    for key, code, what, severity in _FIXED:
        old, new = _norm(before.get(key)), _norm(after.get(key))
        if key in ("emailColumns", "whatsAppColumns", "phoneColumns", "columnDataTypeSpecifications"):
            old, new = old or [], new or []
        if key == "automaticTimeZoneMapping":
            old, new = bool(old), bool(new)
        if old != new:
            out.append(
                ListFinding(
                    key,
                    code,
                    f"{key}: the {what} of an existing list cannot be changed by an update"
                    + (" (the platform refuses it)." if severity == "error" else " (may be refused)."),
                    "Save as a new list instead, or undo the change.",
                    severity,
                )
            )
    return out
