"""The local ContactList check (genesys-api.md §4.4), table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from console.api.models import ContactList
from console.contacts.listcheck import MAX_COLUMNS, check_definition, immutable_changes

GOOD: dict[str, Any] = {
    "name": "Spring campaign",
    "columnNames": ["ContactId", "FirstName", "Mobile", "Home", "Email", "Zip", "Tz", "Tier"],
    "phoneColumns": [{"columnName": "Mobile", "type": "cell"}, {"columnName": "Home", "type": "home"}],
    "emailColumns": [{"columnName": "Email", "type": "personal"}],
}


def definition(**changes: Any) -> ContactList:
    body = {**GOOD, **changes}
    return ContactList.model_validate({k: v for k, v in body.items() if v is not None})


def test_good_definition_has_no_findings() -> None:
    assert check_definition(definition()) == []


@pytest.mark.parametrize(
    ("changes", "path", "code", "severity"),
    [
        ({"name": ""}, "name", "name.required", "error"),
        ({"name": "   "}, "name", "name.required", "error"),
        ({"columnNames": []}, "columnNames", "columns.empty", "error"),
        (
            {"columnNames": [*GOOD["columnNames"], *(f"C{i}" for i in range(MAX_COLUMNS))]},
            "columnNames",
            "columns.too_many",
            "error",
        ),
        ({"columnNames": [*GOOD["columnNames"], "x" * 129]}, "columnNames[8]", "column.too_long", "error"),
        ({"columnNames": [*GOOD["columnNames"], "a\\b"]}, "columnNames[8]", "column.bad_character", "error"),
        ({"columnNames": [*GOOD["columnNames"], "mobile"]}, "columnNames[8]", "column.duplicate", "error"),
        ({"columnNames": [*GOOD["columnNames"], ""]}, "columnNames[8]", "column.blank", "error"),
        ({"columnNames": [*GOOD["columnNames"], " Notes"]}, "columnNames[8]", "column.spaces", "warning"),
        ({"phoneColumns": None, "emailColumns": None}, "phoneColumns", "media.required", "error"),
        (
            {"phoneColumns": [{"columnName": "Cell", "type": "cell"}]},
            "phoneColumns[0].columnName",
            "column.unknown",
            "error",
        ),
        (
            {"phoneColumns": [{"columnName": "Mobile", "type": ""}]},
            "phoneColumns[0].type",
            "media.type_required",
            "error",
        ),
        (
            {
                "phoneColumns": [
                    {"columnName": "Mobile", "type": "cell"},
                    {"columnName": "Mobile", "type": "x"},
                ]
            },
            "phoneColumns[1].columnName",
            "media.duplicate",
            "warning",
        ),
        (
            {"emailColumns": [{"columnName": "EMAIL", "type": "work"}]},
            "emailColumns[0].columnName",
            "column.unknown",
            "error",
        ),
        (
            {"whatsAppColumns": [{"columnName": "Mobile", "type": "", "contactableTimeColumn": "Nope"}]},
            "whatsAppColumns[0].type",
            "media.type_required",
            "error",
        ),
        (
            {
                "automaticTimeZoneMapping": True,
                "phoneColumns": [{"columnName": "Mobile", "type": "cell", "callableTimeColumn": "Tz"}],
            },
            "phoneColumns[0].callableTimeColumn",
            "timezone.conflict",
            "error",
        ),
        (
            {"phoneColumns": [{"columnName": "Mobile", "type": "cell", "callableTimeColumnName": "Tzz"}]},
            "phoneColumns[0].callableTimeColumnName",
            "column.unknown",
            "error",
        ),
        ({"zipCodeColumnName": "Zip"}, "zipCodeColumnName", "zip.needs_auto_tz", "error"),
        (
            {"zipCodeColumnName": "Postcode", "automaticTimeZoneMapping": True},
            "zipCodeColumnName",
            "column.unknown",
            "error",
        ),
        (
            {"previewModeColumnName": "Level", "previewModeAcceptedValues": ["VIP"]},
            "previewModeColumnName",
            "column.unknown",
            "error",
        ),
        ({"previewModeColumnName": "Tier"}, "previewModeAcceptedValues", "preview.no_values", "warning"),
        ({"previewModeAcceptedValues": ["VIP"]}, "previewModeAcceptedValues", "preview.no_column", "warning"),
        (
            {
                "columnDataTypeSpecifications": [
                    {"columnName": "Tier", "columnDataType": "NUMERIC", "min": 5, "max": 1}
                ]
            },
            "columnDataTypeSpecifications[0].min",
            "datatype.min_gt_max",
            "error",
        ),
        (
            {
                "columnDataTypeSpecifications": [
                    {"columnName": "Tier", "columnDataType": "TEXT", "maxLength": 0}
                ]
            },
            "columnDataTypeSpecifications[0].maxLength",
            "datatype.max_length",
            "error",
        ),
        (
            {"columnDataTypeSpecifications": [{"columnName": "Tier", "columnDataType": "TEXT", "min": 1}]},
            "columnDataTypeSpecifications[0].min",
            "datatype.min_max_not_numeric",
            "warning",
        ),
        (
            {"columnDataTypeSpecifications": [{"columnName": "Tier"}]},
            "columnDataTypeSpecifications[0].columnDataType",
            "datatype.required",
            "error",
        ),
        (
            {"columnDataTypeSpecifications": [{"columnName": "Rank", "columnDataType": "NUMERIC"}]},
            "columnDataTypeSpecifications[0].columnName",
            "column.unknown",
            "error",
        ),
        ({"retentionType": "RetentionDays"}, "retentionDays", "retention.days_required", "error"),
        ({"retentionType": "Never", "retentionDays": 3}, "retentionDays", "retention.days_unused", "error"),
        ({"timeZone": "Mars/Olympus"}, "timeZone", "timezone.unknown", "error"),
    ],
)
def test_rule(changes: dict[str, Any], path: str, code: str, severity: str) -> None:
    findings = check_definition(definition(**changes))
    hits = [f for f in findings if f.path == path and f.code == code]
    assert hits, findings
    assert hits[0].severity == severity
    # the message names the field and a fix is offered
    assert path.split("[")[0].split(".")[0] in hits[0].message
    assert hits[0].fix


def test_limits_are_exact() -> None:
    fifty = [f"C{i}" for i in range(MAX_COLUMNS - 1)] + ["Mobile"]
    ok = definition(
        columnNames=fifty, emailColumns=None, phoneColumns=[{"columnName": "Mobile", "type": "c"}]
    )
    assert check_definition(ok) == []
    at_128 = definition(columnNames=[*GOOD["columnNames"], "y" * 128])
    assert check_definition(at_128) == []
    assert check_definition(definition(timeZone="America/New_York")) == []


def test_immutable_changes() -> None:
    original = definition(id="L1", version=3)
    assert immutable_changes(original, definition(name="Renamed", trimWhitespace=False)) == []
    moved = definition(phoneColumns=[GOOD["phoneColumns"][1], GOOD["phoneColumns"][0]])
    codes = {f.code: f.severity for f in immutable_changes(original, moved)}
    assert codes == {"cannot.update.phone.columns": "error"}
    more = definition(columnNames=[*GOOD["columnNames"], "Notes"], automaticTimeZoneMapping=True)
    codes = {f.code: f.severity for f in immutable_changes(original, more)}
    assert codes == {"cannot.update.column.names": "error", "fixed.auto_tz": "warning"}
