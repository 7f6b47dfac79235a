"""Pydantic v2 models of the Genesys Cloud wire format (camelCase JSON names).

Names and types follow `../shared/genesys-api.md` and the official SDK's
``PureCloudPlatformClientV2/models/*.py``. Response models keep unknown keys
(``extra="allow"``); request bodies are produced with :meth:`WireModel.to_wire`,
which drops unset/``None`` fields and read-only fields.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class WireModel(BaseModel):
    """Base of every wire model: camelCase aliases, unknown keys kept, None fields omitted on output."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, use_enum_values=True)

    READ_ONLY: ClassVar[frozenset[str]] = frozenset()
    """JSON names the server assigns; never sent in a request body."""

    def to_wire(self, *, keep: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The JSON body for a request: aliases, no ``None`` and no read-only fields (unless kept)."""
        data = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        for name in self.READ_ONLY - keep:
            data.pop(name, None)
        return data


class DomainEntityRef(WireModel):
    """A reference to another entity: ``{id, name?, selfUri?}``."""

    id: str | None = None
    """Entity id."""
    name: str | None = None
    """Entity name (responses only)."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI of the entity."""

    def to_wire(self, *, keep: frozenset[str] = frozenset()) -> dict[str, Any]:
        """References are sent as ``{"id": ...}`` only."""
        return {"id": self.id} if self.id is not None else {}


class ContactPhoneNumberColumn(WireModel):
    """A phone column of a contact list, in dial order."""

    column_name: str = Field(alias="columnName")
    """Name of the column; must be in ``columnNames``."""
    type: str
    """Free-text label such as ``cell``, ``home``, ``work``."""
    callable_time_column_name: str | None = Field(default=None, alias="callableTimeColumnName")
    """Column with the callable time window for this number."""
    callable_time_column: str | None = Field(default=None, alias="callableTimeColumn")
    """Column holding the contact's time zone (not with automatic time-zone mapping)."""


class EmailColumn(WireModel):
    """An email column of a contact list."""

    column_name: str = Field(alias="columnName")
    """Name of the column; must be in ``columnNames``."""
    type: str
    """Label such as ``work`` or ``personal``."""
    contactable_time_column_name: str | None = Field(default=None, alias="contactableTimeColumnName")
    """Column with the contactable time window."""
    contactable_time_column: str | None = Field(default=None, alias="contactableTimeColumn")
    """Column holding the contact's time zone."""


class WhatsAppColumn(EmailColumn):
    """A WhatsApp column of a contact list (same shape as :class:`EmailColumn`)."""


class ColumnDataType(StrEnum):
    """``columnDataType`` values."""

    TEXT = "TEXT"
    NUMERIC = "NUMERIC"
    TIMESTAMP = "TIMESTAMP"
    DATETIME = "DATETIME"


class ColumnDataTypeSpecification(WireModel):
    """Typed column (for dynamic queueing and rules)."""

    column_name: str | None = Field(default=None, alias="columnName")
    """Name of the column; must be in ``columnNames``."""
    column_data_type: ColumnDataType | None = Field(default=None, alias="columnDataType")
    """TEXT, NUMERIC, TIMESTAMP (1970-01-01..2038-01-19) or DATETIME (1000-01-01..9999-12-31)."""
    min: int | None = None
    """Minimum, for NUMERIC columns."""
    max: int | None = None
    """Maximum, for NUMERIC columns."""
    max_length: int | None = Field(default=None, alias="maxLength")
    """Maximum length, for TEXT columns."""


class ImportState(StrEnum):
    """``ImportStatus.state``; success has no state of its own (percentComplete 100)."""

    IN_PROGRESS = "IN_PROGRESS"
    FAILED = "FAILED"


class ImportStatus(WireModel):
    """Status of the last CSV import into a list."""

    state: str | None = None
    """``IN_PROGRESS`` or ``FAILED``; absent after success."""
    total_records: int | None = Field(default=None, alias="totalRecords")
    """Records in the file."""
    completed_records: int | None = Field(default=None, alias="completedRecords")
    """Records imported so far."""
    percent_complete: int | None = Field(default=None, alias="percentComplete")
    """0..100."""
    failure_reason: str | None = Field(default=None, alias="failureReason")
    """Why a FAILED import failed, e.g. ``CONTACT_COLUMNS_LIMIT_EXCEEDED``."""
    target_contact_list_ids: list[str] | None = Field(default=None, alias="targetContactListIds")
    """Lists created by a template import."""
    list_name_prefix: str | None = Field(default=None, alias="listNamePrefix")
    """Name prefix of lists created by a template import."""

    @property
    def is_failed(self) -> bool:
        """True when the import failed."""
        return self.state == ImportState.FAILED

    @property
    def is_done(self) -> bool:
        """True when the import finished successfully (no state and 100 %, or all records completed)."""
        if self.state == ImportState.FAILED or self.state == ImportState.IN_PROGRESS:
            return False
        if self.percent_complete == 100:
            return True
        return self.total_records is not None and self.completed_records == self.total_records


class RetentionType(StrEnum):
    """``ContactList.retentionType`` values."""

    NEVER = "Never"
    TODAY = "Today"
    RETENTION_DAYS = "RetentionDays"


class ContactList(WireModel):
    """An outbound contact list (``SDK models/contact_list.py``)."""

    READ_ONLY: ClassVar[frozenset[str]] = frozenset(
        {"id", "version", "dateCreated", "dateModified", "selfUri", "size", "importStatus"}
    )

    id: str | None = None
    """Server-assigned id (read-only)."""
    name: str | None = None
    """List name; unique in the org."""
    date_created: datetime | None = Field(default=None, alias="dateCreated")
    """Creation time (read-only)."""
    date_modified: datetime | None = Field(default=None, alias="dateModified")
    """Last modification time (read-only)."""
    version: int | None = None
    """Read-only on create; required on PUT and must equal the current version."""
    division: DomainEntityRef | None = None
    """Division; the home division when omitted."""
    column_names: list[str] = Field(default_factory=list, alias="columnNames")
    """Every column of the list, in order."""
    phone_columns: list[ContactPhoneNumberColumn] | None = Field(default=None, alias="phoneColumns")
    """Phone columns in dial order."""
    email_columns: list[EmailColumn] | None = Field(default=None, alias="emailColumns")
    """Email columns."""
    whats_app_columns: list[WhatsAppColumn] | None = Field(default=None, alias="whatsAppColumns")
    """WhatsApp columns."""
    import_status: ImportStatus | None = Field(default=None, alias="importStatus")
    """Last import (read-only; only with ``includeImportStatus=true``)."""
    preview_mode_column_name: str | None = Field(default=None, alias="previewModeColumnName")
    """Column whose value forces preview dialing."""
    preview_mode_accepted_values: list[str] | None = Field(default=None, alias="previewModeAcceptedValues")
    """Values of the preview column that force preview dialing."""
    size: int | None = None
    """Number of contacts (read-only; only with ``includeSize=true``)."""
    attempt_limits: DomainEntityRef | None = Field(default=None, alias="attemptLimits")
    """Attempt-limits object."""
    automatic_time_zone_mapping: bool | None = Field(default=None, alias="automaticTimeZoneMapping")
    """Map contacts to time zones from phone numbers and ZIP codes."""
    zip_code_column_name: str | None = Field(default=None, alias="zipCodeColumnName")
    """ZIP column; only with automatic time-zone mapping."""
    column_data_type_specifications: list[ColumnDataTypeSpecification] | None = Field(
        default=None, alias="columnDataTypeSpecifications"
    )
    """Typed columns."""
    trim_whitespace: bool | None = Field(default=None, alias="trimWhitespace")
    """Trim values on CSV import (platform default true)."""
    retention_type: RetentionType | None = Field(default=None, alias="retentionType")
    """Never, Today or RetentionDays."""
    retention_days: int | None = Field(default=None, alias="retentionDays")
    """Days to keep contacts; required with RetentionDays."""
    date_expiration: datetime | None = Field(default=None, alias="dateExpiration")
    """List expiry."""
    time_zone: str | None = Field(default=None, alias="timeZone")
    """IANA time zone, e.g. ``Europe/London``."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI (read-only)."""

    def create_body(self) -> dict[str, Any]:
        """The POST body: no read-only fields."""
        return self.to_wire()

    def update_body(self) -> dict[str, Any]:
        """The PUT body: read-only fields dropped except ``id`` and ``version``."""
        return self.to_wire(keep=frozenset({"id", "version"}))

    def phone_column_names(self) -> list[str]:
        """Names of the phone columns in dial order."""
        return [c.column_name for c in self.phone_columns or []]

    def email_column_names(self) -> list[str]:
        """Names of the email columns."""
        return [c.column_name for c in self.email_columns or []]
