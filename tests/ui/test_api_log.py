"""The API log's table and filter models pass Qt's model tester (STYLE.md: qtmodeltester on every model)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from console.api.logging import ExchangeRecord
from console.ui.api_log import ApiLogFilterModel, ApiLogModel, LogEntry, StatusFilter

STATUSES = (200, 201, 404, 429, 503, None)


def _entry(i: int, status: int | None) -> LogEntry:
    record = ExchangeRecord(
        method="GET",
        url=f"https://api.example/api/v2/outbound/contactlists/{i}?pageSize=1",
        status=status,
        duration=0.01 * i,
        correlation_id=f"corr-{i}" if status is not None else None,
        error=None if status is not None else "connection refused",
    )
    return LogEntry(record, datetime(2026, 1, 1, 12, 0, i, tzinfo=UTC))


def _filled() -> ApiLogModel:
    model = ApiLogModel()
    for i, status in enumerate(STATUSES):
        model.append(_entry(i, status))
    return model


def test_log_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = ApiLogModel()
    qtmodeltester.check(model)  # empty
    for i, status in enumerate(STATUSES):
        model.append(_entry(i, status))
    qtmodeltester.check(model)
    assert model.rowCount() == len(STATUSES)
    assert model.data(model.index(3, 3)) == "429"
    assert model.data(model.index(5, 3)) == "—"
    assert model.data(model.index(0, 0), ApiLogModel.ENTRY_ROLE) is model.entries[0]
    model.clear()
    qtmodeltester.check(model)
    assert model.rowCount() == 0


@pytest.mark.parametrize(
    ("status_filter", "shown"),
    [
        (StatusFilter.ALL, ["200", "201", "404", "429", "503", "—"]),
        (StatusFilter.SUCCESS, ["200", "201"]),
        (StatusFilter.ERRORS, ["404", "429", "503", "—"]),
        (StatusFilter.CLIENT, ["404", "429"]),
        (StatusFilter.SERVER, ["503"]),
        (StatusFilter.NO_ANSWER, ["—"]),
    ],
)
def test_filter_model_passes_qtmodeltester(
    qtmodeltester, status_filter: StatusFilter, shown: list[str]
) -> None:
    source = _filled()
    proxy = ApiLogFilterModel()
    proxy.setSourceModel(source)
    proxy.set_status_filter(status_filter)
    qtmodeltester.check(proxy)
    statuses = [proxy.data(proxy.index(r, 3), Qt.ItemDataRole.DisplayRole) for r in range(proxy.rowCount())]
    assert statuses == shown
    source.append(_entry(9, 500))  # a row arriving while filtered
    qtmodeltester.check(proxy)
