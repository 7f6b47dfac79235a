"""What an upload sends and how: the modes, the import flow, the verify level and :class:`UploadOptions`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from console.api.errors import ConsoleError

__all__ = ["MAX_CHUNK", "ImportFlow", "UploadError", "UploadMode", "UploadOptions", "Verify"]

MAX_CHUNK = 1000
"""Most contacts per ``POST .../contacts`` (genesys-api.md §5.1)."""


class UploadError(ConsoleError):
    """The job cannot run as asked (bad input, changed source, a refused re-import); nothing was sent."""


class UploadMode(StrEnum):
    """How rows reach the list."""

    UPSERT = "upsert"
    """``POST .../contacts`` in chunks, upsert by id."""
    IMPORT = "import"
    """One CSV file import, then importstatus polling."""


class ImportFlow(StrEnum):
    """Which file-import flow of genesys-api.md §6."""

    MULTIPART = "multipart"
    """Legacy ``POST {apps}/uploads/v2/contactlist`` (§6.1)."""
    PRESIGNED = "presigned"
    """``POST .../contactlists/uploads`` then ``PUT`` to the presigned URL (§6.2)."""


class Verify(StrEnum):
    """How much reconciliation runs at the end."""

    KEYS = "keys"
    """List size, plus every id bulk-fetched and its data compared (needs an id column)."""
    SIZE = "size"
    """List size only."""
    NONE = "none"
    """No reconciliation."""


@dataclass(frozen=True)
class UploadOptions:
    """What to send and how.

    Attributes:
        mode: Upsert or file import.
        id_column: List column holding the contact id; required for upsert.
        all_rows: Send rows with validation errors too (blank rows and, where ids are
            required, rows without one are still never sent).
        import_flow: Multipart (legacy) or presigned upload.
        chunk_size: Contacts per POST (at most 1,000).
        region: Default phone region for E.164 normalization.
        regions: Per phone column default regions.
        mapping: Explicit header mapping (list column → CSV column index or header).
        verify: Reconciliation level.
        reserve: Requests per rate-limit window left for other work (the UI).
        poll_interval: Seconds between importstatus polls.
        import_timeout: Longest wait for one import.
        settle_seconds: After an unknown upload outcome without an id column, how long to wait
            for a request that may still be on its way before comparing the list size.
        allow_reimport: Import a file (no id column) that a journal saw confirmed before.
        transient_rounds: Upsert mode: after the client's own retries give out on a
            connection/5xx/429 failure, how many more times (1, 2, 4 ... s apart) to post the
            chunk before the job stops as interrupted.
    """

    mode: UploadMode = UploadMode.UPSERT
    id_column: str | None = None
    all_rows: bool = False
    import_flow: ImportFlow = ImportFlow.MULTIPART
    chunk_size: int = MAX_CHUNK
    region: str = "US"
    regions: Mapping[str, str] = field(default_factory=dict)
    mapping: Mapping[str, int | str] | None = None
    verify: Verify = Verify.KEYS
    reserve: int = 0
    poll_interval: float = 1.0
    import_timeout: float = 600.0
    settle_seconds: float = 30.0
    allow_reimport: bool = False
    transient_rounds: int = 3

    def to_meta(self) -> dict[str, Any]:
        """JSON-able form for the journal."""
        return {
            "mode": self.mode.value,
            "id_column": self.id_column,
            "all_rows": self.all_rows,
            "import_flow": self.import_flow.value,
            "chunk_size": self.chunk_size,
            "region": self.region,
            "regions": dict(self.regions),
            "mapping": dict(self.mapping) if self.mapping is not None else None,
            "verify": self.verify.value,
            "reserve": self.reserve,
            "poll_interval": self.poll_interval,
            "import_timeout": self.import_timeout,
            "settle_seconds": self.settle_seconds,
            "allow_reimport": self.allow_reimport,
            "transient_rounds": self.transient_rounds,
        }

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any], **overrides: Any) -> UploadOptions:
        """Rebuild from the journal (``overrides`` for run-time knobs such as ``settle_seconds``)."""
        values: dict[str, Any] = {
            "mode": UploadMode(meta["mode"]),
            "id_column": meta["id_column"],
            "all_rows": meta["all_rows"],
            "import_flow": ImportFlow(meta["import_flow"]),
            "chunk_size": meta["chunk_size"],
            "region": meta["region"],
            "regions": meta["regions"],
            "mapping": meta["mapping"],
            "verify": Verify(meta["verify"]),
            "reserve": meta["reserve"],
            "poll_interval": meta["poll_interval"],
            "import_timeout": meta["import_timeout"],
            "settle_seconds": meta["settle_seconds"],
            "allow_reimport": meta["allow_reimport"],
            "transient_rounds": meta["transient_rounds"],
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
