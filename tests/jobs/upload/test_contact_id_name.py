"""The import's ``contact-id-name`` is a list column; a file without ids is warned about before sending."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from console.api import GenesysClient
from console.contacts.reader import CsvSource
from console.jobs import ImportFlow, JobProgress, JobStatus, UploadMode
from console.jobs.upload import UploadError
from console.jobs.upload.imports import contact_id_name
from console.jobs.upload.planning import NO_ID_WARNING, reupload_warning
from tests.jobs.jobs_helpers import COLUMNS, requests_to, write_csv
from tests.jobs.upload.helpers import create_job

_FIELD = re.compile(r'name="contact-id-name"\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n', re.DOTALL)


def _sent_id_names(sandbox: Any) -> list[str]:
    """The ``contact-id-name`` of every multipart import the sandbox received (from its request log)."""
    names = []
    for request in requests_to(sandbox, "POST", "/uploads/v2/contactlist"):
        match = _FIELD.search(request["body"])
        assert match, "the multipart request has no contact-id-name field"
        names.append(match.group(1))
    return names


def test_the_multipart_contact_id_name_is_a_column_of_the_list(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 50)
    sandbox.control({"import_delay": 0.1})
    job = create_job(
        api, list_id, sample.path, jobs_dir, sources, mode=UploadMode.IMPORT, import_flow=ImportFlow.MULTIPART
    )
    try:
        result = job.run()
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    list_columns = api.get_contact_list(list_id).column_names
    sent = _sent_id_names(sandbox)
    assert sent == ["ContactId"]
    assert set(sent) <= set(list_columns)


def test_an_import_without_ids_warns_about_duplicates_before_it_sends(
    api: GenesysClient, sandbox: Any, list_id: str, jobs_dir: Path, tmp_path: Path, sources: list[CsvSource]
) -> None:
    sample = write_csv(tmp_path / "c.csv", 30)
    sandbox.control({"import_delay": 0.1})
    seen: list[tuple[str, int]] = []  # (message, multipart POSTs the sandbox had received by then)

    def progress(p: JobProgress) -> None:
        seen.append((p.message, len(requests_to(sandbox, "POST", "/uploads/v2/contactlist"))))

    job = create_job(
        api,
        list_id,
        sample.path,
        jobs_dir,
        sources,
        mode=UploadMode.IMPORT,
        import_flow=ImportFlow.MULTIPART,
        id_column=None,
    )
    try:
        events = [m for _, kind, m in job.journal.events() if kind == "warning"]
        result = job.run(progress)
    finally:
        job.close()
    assert result.status is JobStatus.DONE, result.message
    assert events == [NO_ID_WARNING]  # in the plan, before anything is sent
    warned = [posts for message, posts in seen if NO_ID_WARNING in message]
    assert warned
    assert warned[0] == 0  # said before the upload request
    assert "duplicates" in NO_ID_WARNING
    assert _sent_id_names(sandbox) == [""]  # no list column is named: none holds ids


@pytest.mark.parametrize(
    ("id_column", "expected"),
    [("ContactId", "ContactId"), ("contactid", "ContactId"), (None, ""), ("", "")],
)
def test_contact_id_name_is_the_lists_spelling(id_column: str | None, expected: str) -> None:
    assert contact_id_name(COLUMNS, id_column) == expected


def test_contact_id_name_refuses_a_column_the_list_lacks() -> None:
    with pytest.raises(UploadError, match="not a column of the list"):
        contact_id_name(COLUMNS, "CustomerNo")


@pytest.mark.parametrize(
    ("mode", "id_column", "warns"),
    [
        (UploadMode.IMPORT, None, True),
        (UploadMode.IMPORT, "ContactId", False),
        (UploadMode.UPSERT, "ContactId", False),
    ],
)
def test_reupload_warning(mode: UploadMode, id_column: str | None, warns: bool) -> None:
    assert (reupload_warning(mode, id_column) is not None) is warns
