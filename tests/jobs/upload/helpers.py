"""Planning an upload job for the tests: open, validate and create, keeping the source to close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.api import GenesysClient
from console.contacts.reader import CsvSource, open_csv
from console.contacts.validate import ValidationOptions, validate
from console.jobs.upload import Flag, UploadJob, UploadOptions

CONTACTS = r"/contactlists/[^/]+/contacts$"
"""Fault path for ``POST .../contacts``."""


def create_job(
    api: GenesysClient,
    list_id: str,
    path: Path,
    jobs_dir: Path,
    sources: list[CsvSource],
    *,
    cancel: Flag | None = None,
    pause: Flag | None = None,
    **options: Any,
) -> UploadJob:
    """Validate ``path`` against the list and plan a job (id column ``ContactId`` unless given)."""
    src = open_csv(path)
    sources.append(src)
    definition = api.get_contact_list(list_id)
    id_column = options.get("id_column", "ContactId")
    result = validate(src, definition, options=ValidationOptions(id_column=id_column))
    opts = UploadOptions(**{"id_column": "ContactId", "poll_interval": 0.05, **options})
    return UploadJob.create(
        api,
        source=src,
        definition=definition,
        list_id=list_id,
        options=opts,
        validation=result,
        jobs_dir=jobs_dir,
        cancel=cancel,
        pause=pause,
    )


class PlainFlag:
    """Only ``is_set()``, as a child process's view of a shared-memory flag: no ``wait``, no ``set``."""

    def __init__(self) -> None:
        self.value = False

    def is_set(self) -> bool:
        """True while ``value`` is."""
        return self.value
