"""The journal (states, lock, ids, the cross-job import index) and the row adapter over console.contacts."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.api.models import ContactList, ContactPhoneNumberColumn
from console.contacts.reader import CsvSource, open_csv
from console.contacts.validate import ValidationOptions, validate
from console.jobs.journal import (
    ChunkState,
    ImportState,
    Journal,
    JournalError,
    RowState,
    confirmed_imports,
    new_job_id,
    valid_job_id,
)
from console.jobs.rows import SourceRows
from tests.jobs.jobs_helpers import COLUMNS, write_csv

_open: list[CsvSource] = []


def request_close(src: CsvSource) -> None:
    _open.append(src)


@pytest.fixture(autouse=True)
def _close_sources() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


DEFINITION = ContactList(
    name="d",
    column_names=COLUMNS,
    phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("240501-k3m9tq", True),
        ("240501-K3M9TQ", False),
        ("../../etc/passwd", False),
        ("240501-k3m9t", False),
        ("240501-k3m9t0", False),  # 0 is not in the alphabet
        ("24050a-k3m9tq", False),
        ("", False),
    ],
)
def test_job_id_validation(text: str, ok: bool) -> None:
    assert valid_job_id(text) is ok


def test_new_job_ids_are_valid_and_distinct() -> None:
    ids = {new_job_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(valid_job_id(i) for i in ids)


def test_chunk_and_row_states_survive_reopen(tmp_path: Path) -> None:
    with Journal.create({"list_id": "L1", "rows_total": 5}, directory=tmp_path) as j:
        job_id = j.job_id
        assert j.plan_chunks([[0, 1, 2], [3, 4]]) == 2
        j.mark_sent(0)
        j.record_rows(RowState.CONFIRMED, [(0, "a", "a"), (1, "b", "b")])
        j.record_rows(RowState.REJECTED, [(2, "c", None)], code="bad.request", message="[0].data.Phone bad")
        j.mark_done(0)
        j.mark_sent(1)  # the answer to chunk 1 is lost
    with Journal.open(job_id, directory=tmp_path) as j:
        pending = j.chunks(pending_only=True)
        assert [(c.seq, c.rows, c.state, c.attempts) for c in pending] == [(1, (3, 4), ChunkState.SENT, 1)]
        assert j.outcome_rows(RowState.REJECTED) == {2}
        assert j.id_map() == {"a": "a", "b": "b"}
        assert j.counts()[RowState.CONFIRMED] == 2
        assert j.meta()["list_id"] == "L1"
        (rej,) = list(j.outcomes(RowState.REJECTED))
        assert (rej.code, rej.message) == ("bad.request", "[0].data.Phone bad")


def test_a_job_is_owned_by_one_process_at_a_time(tmp_path: Path) -> None:
    j = Journal.create({"rows_total": 0}, directory=tmp_path)
    try:
        with pytest.raises(JournalError, match="another process"):
            Journal.open(j.job_id, directory=tmp_path)
    finally:
        j.close()
    Journal.open(j.job_id, directory=tmp_path).close()  # free again once closed


def test_open_rejects_unknown_and_malformed_ids(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no job"):
        Journal.open("240501-k3m9tq", directory=tmp_path)
    with pytest.raises(JournalError, match="not a job id"):
        Journal.open("../x", directory=tmp_path)


def test_confirmed_imports_finds_only_confirmed_same_list_same_hash(tmp_path: Path) -> None:
    with Journal.create({"list_id": "L1"}, directory=tmp_path) as a:
        n = a.add_import("h1", [0, 1], 10)
        a.set_import_state(n, ImportState.CONFIRMED)
        a_id = a.job_id
    with Journal.create({"list_id": "L1"}, directory=tmp_path) as b:
        b.set_import_state(b.add_import("h2", [0], 10), ImportState.CONFIRMED)
        b.add_import("h1", [0], 10)  # planned only: not a confirmed import
    with Journal.create({"list_id": "L2"}, directory=tmp_path) as c:
        c.set_import_state(c.add_import("h1", [0], 0), ImportState.CONFIRMED)
    assert confirmed_imports("L1", "h1", directory=tmp_path) == [a_id]
    assert confirmed_imports("L1", "h1", directory=tmp_path, exclude=a_id) == []
    assert confirmed_imports("L1", "h3", directory=tmp_path) == []


def test_selection_and_values(tmp_path: Path) -> None:
    sample = write_csv(tmp_path / "c.csv", 300)
    src = open_csv(sample.path)
    request_close(src)
    result = validate(src, DEFINITION, options=ValidationOptions(id_column="ContactId"))
    rows = SourceRows(src, DEFINITION, id_column="ContactId")
    sel = rows.select(result, all_rows=False, require_id=True)
    assert len(sel.rows) == len(sample.expected)
    assert (
        sorted(sel.skipped.values()).count("row.invalid") == len(sample.invalid_ids) + 1
    )  # + the id-less row
    assert list(sel.skipped.values()).count("row.blank") == 1
    got = {p.source_id: p.data for p in rows.rows(sel.rows)}
    assert got == sample.expected  # trimmed, E.164, quotes and commas intact
    everything = rows.select(result, all_rows=True, require_id=True)
    assert len(everything.rows) == 300  # invalid phones too, but never the id-less or blank row
    assert {everything.skipped[k] for k in everything.skipped} == {"id.missing", "row.blank"}
    no_ids = SourceRows(src, DEFINITION, id_column=None).select(result, all_rows=True, require_id=False)
    assert len(no_ids.rows) == 301


def test_clean_csv_round_trips_through_a_csv_parser(tmp_path: Path) -> None:
    sample = write_csv(tmp_path / "c.csv", 120)
    src = open_csv(sample.path)
    request_close(src)
    rows = SourceRows(src, DEFINITION, id_column="ContactId")
    sel = rows.select(None, all_rows=False, require_id=True)
    data = rows.clean_csv(sel.rows)
    assert data.endswith(b"\r\n")
    assert not data.endswith(b"\r\n\r\n")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed[0] == COLUMNS
    by_id = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in parsed[1:]}
    for cid, want in sample.expected.items():
        assert by_id[cid] == want
    assert rows.clean_csv(sel.rows) == data  # deterministic: a resume rebuilds the same bytes


def test_surrounding_spaces_are_quoted_when_the_list_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("ContactId,FirstName,City,Phone\r\n1, Ann ,x,+12125550100\r\n", encoding="utf-8")
    keep = DEFINITION.model_copy(update={"trim_whitespace": False})
    with open_csv(path) as src:
        rows = SourceRows(src, keep, id_column="ContactId")
        line = rows.clean_csv([0]).split(b"\r\n")[1]
    assert line == b'1," Ann ",x,+12125550100'


def test_unknown_id_column_is_refused(tmp_path: Path) -> None:
    sample = write_csv(tmp_path / "c.csv", 3)
    with open_csv(sample.path) as src, pytest.raises(ValueError, match="not a column of the list"):
        SourceRows(src, DEFINITION, id_column="Nope")


def test_a_new_journal_appears_with_its_tables_and_settings(tmp_path: Path) -> None:
    # Readers poll for journals (the preview's resume scan, the kill/resume tests): a journal
    # file must never be visible without its schema and settings, even while being created.
    from console.jobs.journal import Journal

    stop = threading.Event()
    half_made: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            for path in tmp_path.glob("*.sqlite"):
                try:
                    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                except sqlite3.Error:
                    continue
                try:
                    if not dict(conn.execute("SELECT key, value FROM meta")):
                        half_made.append(f"{path.name}: no settings")
                except sqlite3.Error as exc:
                    if "no such table" in str(exc):
                        half_made.append(f"{path.name}: {exc}")
                finally:
                    conn.close()

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        for _ in range(20):
            Journal.create({"mode": "upsert"}, directory=tmp_path).close()
    finally:
        stop.set()
        watcher.join()
    assert half_made == []
    assert len(list(tmp_path.glob("*.sqlite"))) == 20
    assert list(tmp_path.glob("*.part")) == []
