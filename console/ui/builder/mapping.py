"""The builder's form ↔ wire mapping, as pure functions (no Qt).

:class:`FormState` is what the builder's widgets hold, as plain values: text as typed
(numbers stay text until sent, so a half-typed value is never dropped), the rows of the row
editors with the wire keys they have no editor for, and the wire keys no widget edits (``id``,
``version``, keys a newer server sends). :func:`form_to_body` turns it into the ContactList
JSON plus the findings only the form can know (text that is not a number);
:func:`definition_to_form` is the way back. Loading a list and sending it unchanged gives the
same JSON (table test: ``tests/ui/builder/test_mapping.py``).

Genesys datetimes go out as ISO-8601 UTC with milliseconds and ``Z``
(``2024-05-01T12:00:00.000Z``, genesys-api.md §2). Pydantic writes ``…:00Z`` (no
milliseconds) for :class:`~console.api.models.ContactList`, so the builder sends a
:class:`BuilderContactList`, which only changes how ``dateExpiration`` is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import field_serializer

from console.api.errors import ApiStatusError
from console.api.models import ContactList
from console.contacts.listcheck import ListFinding

EDITED = (
    "name",
    "division",
    "attemptLimits",
    "columnNames",
    "phoneColumns",
    "emailColumns",
    "whatsAppColumns",
    "previewModeColumnName",
    "previewModeAcceptedValues",
    "automaticTimeZoneMapping",
    "zipCodeColumnName",
    "columnDataTypeSpecifications",
    "trimWhitespace",
    "retentionType",
    "retentionDays",
    "dateExpiration",
    "timeZone",
)
"""Top-level wire keys the builder has a widget for; every other key is kept as loaded."""
MEDIA_EDITED = {
    "phoneColumns": ("columnName", "type", "callableTimeColumn", "callableTimeColumnName"),
    "emailColumns": ("columnName", "type", "contactableTimeColumn", "contactableTimeColumnName"),
    "whatsAppColumns": ("columnName", "type", "contactableTimeColumn", "contactableTimeColumnName"),
}
"""Per media kind: the row editor's fields; every other key of an entry is kept as loaded."""
SPEC_EDITED = ("columnName", "columnDataType", "min", "max", "maxLength")
"""The data-type row editor's fields."""
DATA_TYPES = ("TEXT", "NUMERIC", "TIMESTAMP", "DATETIME")
"""The ``columnDataType`` values."""
_PATH = re.compile(r"^([A-Za-z]+)(?:\[(\d+)\])?(?:\.([A-Za-z]+))?")


def wire_datetime(value: datetime) -> str:
    """``value`` as ISO-8601 UTC with milliseconds and ``Z``; a naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class BuilderContactList(ContactList):
    """The definition the builder edits and sends: a ContactList whose expiry has milliseconds."""

    @field_serializer("date_expiration", when_used="json-unless-none")
    def _expiration_on_the_wire(self, value: datetime) -> str:
        return wire_datetime(value)


@dataclass
class FormRow:
    """One row of a row editor (a phone column, a data type...)."""

    values: dict[str, str]
    """The edited fields, as typed (every key of the editor, ``""`` when empty)."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Wire keys of the entry the editor has no field for, sent back as loaded."""


@dataclass
class EntityRef:
    """A division or attempt-limits pick."""

    id: str = ""
    """The entity id; ``""`` for none (home division, no limits)."""
    name: str | None = None
    """The name shown (None: not known; the id is shown)."""


@dataclass
class FormState:
    """Everything the builder's widgets hold, as plain values."""

    name: str = ""
    """List name."""
    columns: list[str] = field(default_factory=list)
    """``columnNames``, in order."""
    phones: list[FormRow] = field(default_factory=list)
    """``phoneColumns`` rows (fields: :data:`MEDIA_EDITED`)."""
    emails: list[FormRow] = field(default_factory=list)
    """``emailColumns`` rows."""
    whatsapp: list[FormRow] = field(default_factory=list)
    """``whatsAppColumns`` rows."""
    types: list[FormRow] = field(default_factory=list)
    """``columnDataTypeSpecifications`` rows (fields: :data:`SPEC_EDITED`)."""
    division: EntityRef = field(default_factory=EntityRef)
    """The division picked."""
    attempt_limits: EntityRef = field(default_factory=EntityRef)
    """The attempt limits picked."""
    preview_column: str = ""
    """``previewModeColumnName``."""
    preview_values: str = ""
    """``previewModeAcceptedValues`` as the comma-separated text shown."""
    preview_loaded: tuple[str, list[str]] = ("", [])
    """The accepted values as loaded and the text they were shown as: while the text is unchanged
    the loaded values go back exactly (a value holding a comma or spaces survives the text field)."""
    auto_time_zone: bool = False
    """``automaticTimeZoneMapping``."""
    zip_column: str = ""
    """``zipCodeColumnName``."""
    trim_whitespace: bool = True
    """``trimWhitespace``."""
    retention_type: str = ""
    """``retentionType`` (``""``: the platform default)."""
    retention_days: str = ""
    """``retentionDays`` as typed."""
    time_zone: str = ""
    """``timeZone``."""
    expiry: datetime | None = None
    """``dateExpiration``; None for no expiry."""
    others: dict[str, Any] = field(default_factory=dict)
    """Top-level wire keys no widget edits (``id``, ``version``, unknown keys), kept as loaded."""

    def media(self) -> tuple[tuple[str, list[FormRow]], ...]:
        """The media row lists with their wire keys."""
        return (
            ("phoneColumns", self.phones),
            ("emailColumns", self.emails),
            ("whatsAppColumns", self.whatsapp),
        )


def _int_field(text: str, path: str, out: list[ListFinding]) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        out.append(
            ListFinding(
                path,
                "value.not_integer",
                f"{path} [{text}] is not a whole number.",
                "Type digits only, e.g. 100.",
            )
        )
        return None


def _media_entries(key: str, rows: list[FormRow]) -> list[dict[str, Any]]:
    entries = []
    for row in rows:
        # keys this page has no editor for go back as loaded; an emptied editor removes its key
        entry = {k: v for k, v in row.extras.items() if k not in MEDIA_EDITED[key]}
        entry.update(columnName=row.values["columnName"], type=row.values["type"])
        for time_key in MEDIA_EDITED[key][2:]:
            if row.values[time_key]:
                entry[time_key] = row.values[time_key]
        entries.append(entry)
    return entries


def _spec(i: int, row: FormRow, out: list[ListFinding]) -> dict[str, Any]:
    r = row.values
    spec: dict[str, Any] = {k: v for k, v in row.extras.items() if k not in SPEC_EDITED}
    spec["columnName"] = r["columnName"]
    if r["columnDataType"] in DATA_TYPES:
        spec["columnDataType"] = r["columnDataType"]
    elif r["columnDataType"]:
        path = f"columnDataTypeSpecifications[{i}].columnDataType"
        out.append(
            ListFinding(
                path,
                "value.invalid",
                f"{path} [{r['columnDataType']}] is not TEXT, NUMERIC, TIMESTAMP or DATETIME.",
                "Pick one of the four.",
            )
        )
    for key in ("min", "max", "maxLength"):
        value = _int_field(r[key], f"columnDataTypeSpecifications[{i}].{key}", out)
        if value is not None:
            spec[key] = value
    return spec


def _preview_values(state: FormState) -> list[str]:
    if state.preview_values == state.preview_loaded[0]:
        return list(state.preview_loaded[1])
    return [v.strip() for v in state.preview_values.split(",") if v.strip()]


def form_to_body(state: FormState) -> tuple[dict[str, Any], list[ListFinding]]:
    """The ContactList JSON the form describes, and the findings only the form can know.

    Empty optional fields are left out; text that is not a whole number (or not a data type)
    is left out of the body and reported as a finding at its wire path.
    """
    found: list[ListFinding] = []
    body: dict[str, Any] = {k: v for k, v in state.others.items() if k not in EDITED}
    body["name"] = state.name
    body["columnNames"] = list(state.columns)
    for key, ref in (("division", state.division), ("attemptLimits", state.attempt_limits)):
        if ref.id:
            body[key] = {"id": ref.id, "name": ref.name}
    for key, rows in state.media():
        if rows:
            body[key] = _media_entries(key, rows)
    if state.types:
        body["columnDataTypeSpecifications"] = [_spec(i, row, found) for i, row in enumerate(state.types)]
    optional_text = (
        ("previewModeColumnName", state.preview_column),
        ("zipCodeColumnName", state.zip_column),
        ("retentionType", state.retention_type),
        ("timeZone", state.time_zone),
    )
    body.update({key: value for key, value in optional_text if value})
    values = _preview_values(state)
    if values:
        body["previewModeAcceptedValues"] = values
    body["automaticTimeZoneMapping"] = state.auto_time_zone
    body["trimWhitespace"] = state.trim_whitespace
    days = _int_field(state.retention_days, "retentionDays", found)
    if days is not None:
        body["retentionDays"] = days
    if state.expiry is not None:
        body["dateExpiration"] = state.expiry
    return body, found


def form_to_definition(state: FormState) -> tuple[BuilderContactList, list[ListFinding]]:
    """:func:`form_to_body`, validated into the definition the builder sends."""
    body, found = form_to_body(state)
    return BuilderContactList.model_validate(body), found


def _ref(entity: Any) -> EntityRef:
    if entity is None:
        return EntityRef()
    return EntityRef(entity.id or "", entity.name)


def _spec_row(spec: dict[str, Any]) -> FormRow:
    values = {k: "" if spec.get(k) is None else str(spec[k]) for k in SPEC_EDITED}
    return FormRow(values, {k: v for k, v in spec.items() if k not in SPEC_EDITED})


def definition_to_form(definition: ContactList) -> FormState:
    """What the widgets show for ``definition`` (the inverse of :func:`form_to_body`)."""
    base = definition.model_dump(by_alias=True, exclude_none=True, mode="json")

    def media(key: str) -> list[FormRow]:
        edited = MEDIA_EDITED[key]
        return [
            FormRow({k: str(e.get(k) or "") for k in edited}, {k: v for k, v in e.items() if k not in edited})
            for e in base.get(key) or []
        ]

    accepted = list(definition.preview_mode_accepted_values or [])
    shown = ", ".join(accepted)
    return FormState(
        name=definition.name or "",
        columns=list(definition.column_names),
        phones=media("phoneColumns"),
        emails=media("emailColumns"),
        whatsapp=media("whatsAppColumns"),
        types=[_spec_row(spec) for spec in base.get("columnDataTypeSpecifications") or []],
        division=_ref(definition.division),
        attempt_limits=_ref(definition.attempt_limits),
        preview_column=definition.preview_mode_column_name or "",
        preview_values=shown,
        preview_loaded=(shown, accepted),
        auto_time_zone=bool(definition.automatic_time_zone_mapping),
        zip_column=definition.zip_code_column_name or "",
        trim_whitespace=definition.trim_whitespace is not False,
        retention_type=str(definition.retention_type or ""),
        retention_days="" if definition.retention_days is None else str(definition.retention_days),
        time_zone=definition.time_zone or "",
        expiry=definition.date_expiration,
        others={k: v for k, v in base.items() if k not in EDITED},
    )


def renamed_column(old: list[str], new: list[str]) -> tuple[str, str] | None:
    """``(was, now)`` when ``new`` is ``old`` with exactly one named column renamed, else None.

    The builder then renames every reference to it (phone columns, data types, preview, ZIP).
    """
    if len(new) != len(old):
        return None
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if len(changed) != 1 or not old[changed[0]]:
        return None
    return old[changed[0]], new[changed[0]]


def parse_path(path: str) -> tuple[str, int | None, str | None] | None:
    """A wire path as key, row index and field: ``phoneColumns[0].type`` → ``("phoneColumns", 0, "type")``."""
    m = _PATH.match(path)
    if m is None:
        return None
    return m.group(1), None if m.group(2) is None else int(m.group(2)), m.group(3)


def server_finding(exc: ApiStatusError) -> ListFinding:
    """A server rejection as a finding pinned to the field it names (``details[].fieldName`` or message)."""
    path = ""
    if exc.body is not None:
        path = next((d.field_name for d in exc.body.details or [] if d.field_name), "") or ""
    if not path:
        m = _PATH.match(exc.detail)
        path = m.group(0) if m and m.group(1) in (*EDITED, "version") else ""
    # only a refused value is fixed in the form; a 403, 409, 429 or 5xx gets the catalog's advice
    fix = "Correct the field and send again."
    if exc.status_code not in (400, 422) or not path:
        from console.api.explain import explain

        fix = explain(exc).fix
    return ListFinding(
        path or "(request)",
        exc.code or f"http.{exc.status_code}",
        f"Server ({exc.status_code} {exc.code or ''}): {exc.detail}".replace(" )", ")"),
        fix,
    )
