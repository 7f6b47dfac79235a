"""One activity record: what the console changed, on which org, for whom, and how it ended.

The record is the stable wire format of ``activity.jsonl`` (docs/activity-log.md): one JSON
object per line, :data:`VERSION` in every line. It carries names, ids and counts, never a
secret, a token or a contact value (a dialled number keeps only its last four digits,
:func:`mask_number`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "VERSION",
    "Action",
    "ActivityContext",
    "ActivityRecord",
    "Result",
    "Target",
    "mask_number",
    "now_iso",
    "parse_at",
    "scrub",
]

VERSION = 1
"""Format version of every record; a reader skips records of a version it does not know."""

MESSAGE_LIMIT = 500
"""Characters of ``message`` kept (a server's sentence, not a dump)."""


class Action(StrEnum):
    """What was done (the ``action`` field); the values are stable."""

    LIST_CREATED = "list.created"
    LIST_UPDATED = "list.updated"
    LIST_DELETED = "list.deleted"
    TEMPLATE_PUSHED = "template.pushed"
    UPLOAD_STARTED = "upload.started"
    UPLOAD_PAUSED = "upload.paused"
    UPLOAD_RESUMED = "upload.resumed"
    UPLOAD_FINISHED = "upload.finished"
    UPLOAD_FAILED = "upload.failed"
    IMPORT_CONFIRMED = "import.confirmed"
    IMPORT_FAILED = "import.failed"
    CALL_PLACED = "call.placed"
    CALL_CONNECTED = "call.connected"
    CALL_ENDED = "call.ended"
    REQUEST_RESENT = "request.resent"


class Result(StrEnum):
    """How the action ended (the ``result`` field)."""

    OK = "ok"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Target(BaseModel):
    """What the action was done to."""

    model_config = ConfigDict(extra="allow", frozen=True)

    kind: str | None = None
    """``list``, ``template``, ``call``, ``request``."""
    id: str | None = None
    """The entity's id (a list id, a conversation id)."""
    name: str | None = None
    """The entity's name (a list's name; a masked number for a call; ``METHOD path`` for a request)."""


@dataclass(frozen=True)
class ActivityContext:
    """Who acted where: the session's profile, org and actor (no secrets).

    The window keeps one current (:func:`console.activity.set_context`); a job carries it in its
    journal's connection labels (:meth:`labels` / :meth:`from_labels`), so the upload's child
    process and a CLI resume record the same org without asking the server again.
    """

    profile: str | None = None
    """Profile name."""
    org_id: str | None = None
    """Organization id (learnt by the connection test)."""
    org_name: str | None = None
    """Organization name."""
    region: str | None = None
    """Region code (``us-east-1``) or the custom base URL."""
    actor: str | None = None
    """The signed-in user's name, else the OAuth client id."""

    def labels(self) -> dict[str, str]:
        """The non-empty fields, as connection labels for a job's journal."""
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_labels(cls, labels: Mapping[str, object]) -> ActivityContext:
        """The context of a journal's connection labels (``client_id`` stands in for a missing actor)."""

        def get(key: str) -> str | None:
            value = labels.get(key)
            return str(value) if value else None

        return cls(
            profile=get("profile"),
            org_id=get("org_id"),
            org_name=get("org_name"),
            region=get("base_url") if get("region") in (None, "custom") else get("region"),
            actor=get("actor") or get("client_id"),
        )


class ActivityRecord(BaseModel):
    """One line of the activity log (docs/activity-log.md)."""

    model_config = ConfigDict(extra="allow")

    version: int = VERSION
    """Format version (:data:`VERSION`)."""
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    """Unique id of the record (a sync job may use it to drop a record it already has)."""
    at: str = Field(default_factory=lambda: now_iso())
    """When, UTC, millisecond precision: ``2026-05-01T09:30:00.123Z``."""
    profile: str | None = None
    """The profile's name."""
    org_id: str | None = None
    """Organization id, when the session knows it."""
    org_name: str | None = None
    """Organization name, when the session knows it."""
    region: str | None = None
    """Region code or custom base URL."""
    actor: str | None = None
    """The signed-in user's name, else the OAuth client id."""
    action: str
    """An :class:`Action` value."""
    target: Target = Field(default_factory=Target)
    """What the action was done to."""
    result: str = Result.OK.value
    """A :class:`Result` value."""
    counts: dict[str, int] = Field(default_factory=dict)
    """Numbers: ``rows_total``, ``sent``, ``skipped``, ``refused``, ``duration_s``..."""
    correlation_ids: list[str] = Field(default_factory=list)
    """``ININ-Correlation-Id`` of the answers involved (a failure's first)."""
    job_id: str | None = None
    """The upload job's id."""
    message: str = ""
    """One human sentence (scrubbed of bearer tokens, at most :data:`MESSAGE_LIMIT` characters)."""
    details: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    """Action-specific facts: ``mode``, ``reconciliation``, ``ended_by``, ``method``, ``status``..."""

    def line(self) -> bytes:
        """The record as one UTF-8 JSON line, newline included."""
        body = self.model_dump(mode="json")
        return (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")

    @property
    def when(self) -> datetime:
        """:attr:`at` as an aware datetime (the epoch when unreadable)."""
        return parse_at(self.at)


def now_iso(now: datetime | None = None) -> str:
    """``now`` (default: the current time) as UTC ISO 8601 with milliseconds and ``Z``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_at(text: str) -> datetime:
    """An ``at`` value (or any ISO 8601 date/time; naive means UTC) as an aware datetime.

    Raises:
        ValueError: Not an ISO 8601 date or date/time.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def mask_number(number: str | None) -> str:
    """A phone number with every digit but the last four hidden: ``+1 555 0100`` → ``***0100``."""
    digits = re.sub(r"\D", "", number or "")
    if not digits:
        return ""
    return "***" + digits[-4:]


_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_TOKENISH = re.compile(
    r"(?i)\b(access_token|refresh_token|client_secret|password|secret)([\"']?\s*[:=]\s*)\S+"
)
_PHONEISH = re.compile(r"\+?\d[\d ().-]{6,}\d")


def _mask_long_run(match: re.Match[str]) -> str:
    run = match.group(0)
    # nine digits or more reads as a phone number (a date has eight)
    return mask_number(run) if sum(c.isdigit() for c in run) >= 9 else run


def scrub(text: str | None) -> str:
    """``text`` without bearer tokens, ``secret=...`` pairs or phone-number-like digit runs; capped."""
    if not text:
        return ""
    cleaned = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
    cleaned = _TOKENISH.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", cleaned)
    cleaned = _PHONEISH.sub(_mask_long_run, cleaned)
    return cleaned[:MESSAGE_LIMIT]
