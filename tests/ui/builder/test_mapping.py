"""The builder's form ↔ wire mapping (pure: no Qt, no widgets)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from console.api.models import ContactList
from console.ui.builder.mapping import (
    EntityRef,
    FormRow,
    FormState,
    definition_to_form,
    form_to_body,
    form_to_definition,
    parse_path,
    renamed_column,
    wire_datetime,
)


def phone(name: str, kind: str = "cell", zone: str = "", window: str = "", **extras: Any) -> FormRow:
    values = {"columnName": name, "type": kind, "callableTimeColumn": zone, "callableTimeColumnName": window}
    return FormRow(values, extras)


def email(name: str, kind: str = "work", zone: str = "", window: str = "", **extras: Any) -> FormRow:
    values = {
        "columnName": name,
        "type": kind,
        "contactableTimeColumn": zone,
        "contactableTimeColumnName": window,
    }
    return FormRow(values, extras)


def spec(
    name: str, data_type: str = "", lo: str = "", hi: str = "", length: str = "", **extras: Any
) -> FormRow:
    values = {"columnName": name, "columnDataType": data_type, "min": lo, "max": hi, "maxLength": length}
    return FormRow(values, extras)


BASE = {"name": "", "columnNames": [], "automaticTimeZoneMapping": False, "trimWhitespace": True}
"""The body of an empty form: the keys always sent."""

# (id, form state fields, body keys expected besides BASE, findings as {path: code})
FORM_TO_BODY: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str]]] = [
    ("empty", {}, {}, {}),
    (
        "name and columns in order",
        {"name": "Spring", "columns": ["B", "A"]},
        {"name": "Spring", "columnNames": ["B", "A"]},
        {},
    ),
    (
        "phone: empty time columns left out",
        {"phones": [phone("Mobile")]},
        {"phoneColumns": [{"columnName": "Mobile", "type": "cell"}]},
        {},
    ),
    (
        "phone: callable-time columns",
        {"phones": [phone("Mobile", zone="Zone", window="Window")]},
        {
            "phoneColumns": [
                {
                    "columnName": "Mobile",
                    "type": "cell",
                    "callableTimeColumn": "Zone",
                    "callableTimeColumnName": "Window",
                }
            ]
        },
        {},
    ),
    (
        "phones keep the dial order and their types",
        {"phones": [phone("Home", "home"), phone("Mobile", "cell")]},
        {"phoneColumns": [{"columnName": "Home", "type": "home"}, {"columnName": "Mobile", "type": "cell"}]},
        {},
    ),
    (
        "email: contactable-time column name",
        {"emails": [email("Email", window="Window")]},
        {"emailColumns": [{"columnName": "Email", "type": "work", "contactableTimeColumnName": "Window"}]},
        {},
    ),
    (
        "whatsapp: contactable-time column",
        {"whatsapp": [email("WhatsApp", "cell", zone="Zone")]},
        {"whatsAppColumns": [{"columnName": "WhatsApp", "type": "cell", "contactableTimeColumn": "Zone"}]},
        {},
    ),
    (
        "a row keeps the keys it has no editor for",
        {"emails": [email("Email", futureEmailSetting=7)]},
        {"emailColumns": [{"futureEmailSetting": 7, "columnName": "Email", "type": "work"}]},
        {},
    ),
    (
        "an emptied editor removes its key, even when loaded",
        {"phones": [phone("Mobile", callableTimeColumn="Zone")]},
        {"phoneColumns": [{"columnName": "Mobile", "type": "cell"}]},
        {},
    ),
    (
        "data type with numbers",
        {"types": [spec("Score", "NUMERIC", "1", " 9 ")]},
        {
            "columnDataTypeSpecifications": [
                {"columnName": "Score", "columnDataType": "NUMERIC", "min": 1, "max": 9}
            ]
        },
        {},
    ),
    (
        "data type TEXT with a max length",
        {"types": [spec("Notes", "TEXT", length="200")]},
        {
            "columnDataTypeSpecifications": [
                {"columnName": "Notes", "columnDataType": "TEXT", "maxLength": 200}
            ]
        },
        {},
    ),
    (
        "data type not chosen yet",
        {"types": [spec("Score")]},
        {"columnDataTypeSpecifications": [{"columnName": "Score"}]},
        {},
    ),
    (
        "a data type that is not one of the four",
        {"types": [spec("Score", "NUMBER")]},
        {"columnDataTypeSpecifications": [{"columnName": "Score"}]},
        {"columnDataTypeSpecifications[0].columnDataType": "value.invalid"},
    ),
    (
        "a bound that is not a number",
        {"types": [spec("Score", "NUMERIC", hi="nine")]},
        {"columnDataTypeSpecifications": [{"columnName": "Score", "columnDataType": "NUMERIC"}]},
        {"columnDataTypeSpecifications[0].max": "value.not_integer"},
    ),
    (
        "a data-type row keeps unknown keys",
        {"types": [spec("Score", "NUMERIC", futureSpec="x")]},
        {
            "columnDataTypeSpecifications": [
                {"futureSpec": "x", "columnName": "Score", "columnDataType": "NUMERIC"}
            ]
        },
        {},
    ),
    (
        "division and attempt limits picked",
        {"division": EntityRef("div-1", "Outbound Team"), "attempt_limits": EntityRef("lim-1", "Default")},
        {
            "division": {"id": "div-1", "name": "Outbound Team"},
            "attemptLimits": {"id": "lim-1", "name": "Default"},
        },
        {},
    ),
    ("home division: no key", {"division": EntityRef("", "(home division)")}, {}, {}),
    (
        "preview mode: column and typed values",
        {"preview_column": "Tier", "preview_values": " VIP, Callback ,, "},
        {"previewModeColumnName": "Tier", "previewModeAcceptedValues": ["VIP", "Callback"]},
        {},
    ),
    (
        "preview values as loaded go back exactly",
        {
            "preview_values": "Yes, call,  VIP ",
            "preview_loaded": ("Yes, call,  VIP ", ["Yes, call", " VIP "]),
        },
        {"previewModeAcceptedValues": ["Yes, call", " VIP "]},
        {},
    ),
    (
        "preview values edited after loading are split again",
        {"preview_values": "Yes, VIP", "preview_loaded": ("Yes, call", ["Yes, call"])},
        {"previewModeAcceptedValues": ["Yes", "VIP"]},
        {},
    ),
    (
        "automatic time zones with a zip column",
        {"auto_time_zone": True, "zip_column": "Zip"},
        {"automaticTimeZoneMapping": True, "zipCodeColumnName": "Zip"},
        {},
    ),
    ("trim whitespace off", {"trim_whitespace": False}, {"trimWhitespace": False}, {}),
    (
        "retention days",
        {"retention_type": "RetentionDays", "retention_days": "30"},
        {"retentionType": "RetentionDays", "retentionDays": 30},
        {},
    ),
    ("retention days not a number", {"retention_days": "3o"}, {}, {"retentionDays": "value.not_integer"}),
    ("list time zone", {"time_zone": "Europe/London"}, {"timeZone": "Europe/London"}, {}),
    (
        "expiry",
        {"expiry": datetime(2031, 3, 4, 5, 6, 7, 89000, UTC)},
        {"dateExpiration": datetime(2031, 3, 4, 5, 6, 7, 89000, UTC)},
        {},
    ),
    (
        "keys no widget edits are kept (update)",
        {"others": {"id": "L1", "version": 3, "futureListSetting": {"mode": "strict"}}},
        {"id": "L1", "version": 3, "futureListSetting": {"mode": "strict"}},
        {},
    ),
    (
        "an edited key in others does not win over the widget",
        {"name": "New", "others": {"name": "Old"}},
        {"name": "New"},
        {},
    ),
]


@pytest.mark.parametrize(
    ("fields", "expected", "findings"),
    [row[1:] for row in FORM_TO_BODY],
    ids=[row[0] for row in FORM_TO_BODY],
)
def test_form_to_body(fields: dict[str, Any], expected: dict[str, Any], findings: dict[str, str]) -> None:
    body, found = form_to_body(FormState(**fields))
    assert body == BASE | expected
    assert {f.path: f.code for f in found} == findings


WINTER: dict[str, Any] = {
    "id": "L1",
    "version": 4,
    "name": "Winter",
    "columnNames": [
        "ContactId",
        "Mobile",
        "Home",
        "Email",
        "WhatsApp",
        "Zone",
        "Window",
        "Score",
        "Tier",
        "Zip",
    ],
    "phoneColumns": [
        {
            "columnName": "Mobile",
            "type": "cell",
            "callableTimeColumn": "Zone",
            "callableTimeColumnName": "Window",
            "futurePhoneSetting": {"keep": True},
        },
        {"columnName": "Home", "type": "home", "callableTimeColumnName": "Window"},
    ],
    "emailColumns": [
        {
            "columnName": "Email",
            "type": "work",
            "contactableTimeColumn": "Zone",
            "contactableTimeColumnName": "Window",
            "futureEmailSetting": 7,
        }
    ],
    "whatsAppColumns": [{"columnName": "WhatsApp", "type": "cell", "contactableTimeColumnName": "Window"}],
    "columnDataTypeSpecifications": [
        {"columnName": "Score", "columnDataType": "NUMERIC", "min": 1, "max": 9, "futureSpec": "x"},
        {"columnName": "Tier", "columnDataType": "TEXT", "maxLength": 20},
    ],
    "previewModeColumnName": "Tier",
    "previewModeAcceptedValues": ["Yes, call", " VIP "],
    "division": {"id": "div-1", "name": "Outbound Team"},
    "attemptLimits": {"id": "lim-1"},
    "automaticTimeZoneMapping": True,
    "zipCodeColumnName": "Zip",
    "trimWhitespace": False,
    "retentionType": "RetentionDays",
    "retentionDays": 30,
    "dateExpiration": "2031-03-04T05:06:07.089Z",
    "timeZone": "Europe/London",
    "futureListSetting": {"mode": "strict"},
}

ROUND_TRIPS = [
    ("every field, unknown keys at every level", WINTER),
    ("minimal", {"name": "Min", "columnNames": ["A"], "phoneColumns": [{"columnName": "A", "type": "cell"}]}),
    (
        "email only",
        {"name": "Mail", "columnNames": ["E"], "emailColumns": [{"columnName": "E", "type": "work"}]},
    ),
]
WRITTEN_OUT = {"automaticTimeZoneMapping": False, "trimWhitespace": True}
"""Booleans the form always sends: a list without them gets the platform's defaults, written out."""


@pytest.mark.parametrize("wire", [row[1] for row in ROUND_TRIPS], ids=[row[0] for row in ROUND_TRIPS])
def test_loaded_and_sent_unchanged_is_the_same_json(wire: dict[str, Any]) -> None:
    loaded = ContactList.model_validate(wire)
    definition, found = form_to_definition(definition_to_form(loaded))
    assert found == []
    assert definition.update_body() == WRITTEN_OUT | loaded.update_body()
    assert definition.model_dump(
        by_alias=True, exclude_none=True, mode="json"
    ) == WRITTEN_OUT | loaded.model_dump(by_alias=True, exclude_none=True, mode="json")


def test_definition_to_form_shows_text() -> None:
    state = definition_to_form(ContactList.model_validate(WINTER))
    assert state.phones[0] == phone("Mobile", zone="Zone", window="Window", futurePhoneSetting={"keep": True})
    assert state.phones[1].values["callableTimeColumn"] == ""
    assert state.types[0] == spec("Score", "NUMERIC", "1", "9", futureSpec="x")
    assert state.attempt_limits == EntityRef("lim-1", None)
    assert state.preview_values == "Yes, call,  VIP "
    assert (state.trim_whitespace, state.auto_time_zone) == (False, True)
    assert (state.retention_type, state.retention_days) == ("RetentionDays", "30")
    assert state.others == {"id": "L1", "version": 4, "futureListSetting": {"mode": "strict"}}
    blank = definition_to_form(ContactList.model_validate({"name": "", "columnNames": []}))
    assert blank.trim_whitespace is True  # the platform trims unless told not to
    assert blank.division == EntityRef()


def test_expiry_goes_out_with_milliseconds() -> None:
    definition, _ = form_to_definition(FormState(expiry=datetime(2032, 1, 31, 23, 59, 59, 5000, UTC)))
    assert definition.create_body()["dateExpiration"] == "2032-01-31T23:59:59.005Z"
    assert wire_datetime(datetime(2032, 1, 31)) == "2032-01-31T00:00:00.000Z"  # naive is UTC


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("name", ("name", None, None)),
        ("columnNames[7]", ("columnNames", 7, None)),
        ("phoneColumns[1].type", ("phoneColumns", 1, "type")),
        ("(request)", None),
    ],
)
def test_parse_path(path: str, parts: tuple[str, int | None, str | None] | None) -> None:
    assert parse_path(path) == parts


@pytest.mark.parametrize(
    ("old", "new", "renamed"),
    [
        (["A", "B"], ["A", "C"], ("B", "C")),
        (["A", "B"], ["A", "B"], None),
        (["A", "B"], ["C", "D"], None),  # two changed: not a rename
        (["A", "B"], ["B", "A"], None),  # moved
        (["A"], ["A", "B"], None),  # added
        (["A", ""], ["A", "B"], None),  # a new column named for the first time
        (["A", "B"], ["A", ""], ("B", "")),  # cleared: references follow, the check reports them
    ],
)
def test_renamed_column(old: list[str], new: list[str], renamed: tuple[str, str] | None) -> None:
    assert renamed_column(old, new) == renamed


def test_mapping_imports_no_qt() -> None:
    code = "import sys, console.ui.builder.mapping; print('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
