"""Pydantic v2 models of the Genesys Cloud wire format (camelCase JSON names).

Names and types follow `../shared/genesys-api.md` and the official SDK's
``PureCloudPlatformClientV2/models/*.py``. Response models keep unknown keys
(``extra="allow"``); request bodies are produced with :meth:`WireModel.to_wire`,
which drops unset/``None`` fields and read-only fields.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator


def _iso_utc_ms(value: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as the platform writes (``2024-05-01T12:00:00.000Z``)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # naive datetimes are taken as UTC, never as local time
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


WireDateTime = Annotated[datetime, PlainSerializer(_iso_utc_ms, return_type=str, when_used="json")]
"""A datetime that goes out on the wire as ``2024-05-01T12:00:00.000Z`` (genesys-api.md §2)."""


class WireModel(BaseModel):
    """Base of every wire model: camelCase aliases, unknown keys kept, None fields omitted on output."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, use_enum_values=True)

    READ_ONLY: ClassVar[frozenset[str]] = frozenset()
    """JSON names the server assigns; never sent in a request body."""

    def to_wire(self, *, keep: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The JSON body for a request: aliases; no unset, ``None`` or read-only fields (unless kept)."""
        data = self.model_dump(by_alias=True, exclude_none=True, exclude_unset=True, mode="json")
        # nested references go out as {"id": ...} only (their name/selfUri are read-only)
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            key = info.alias or name
            if key in data and isinstance(value, WireModel):
                data[key] = value.to_wire()
            elif key in data and isinstance(value, list) and all(isinstance(v, WireModel) for v in value):
                data[key] = [v.to_wire() for v in value]
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
    date_created: WireDateTime | None = Field(default=None, alias="dateCreated")
    """Creation time (read-only)."""
    date_modified: WireDateTime | None = Field(default=None, alias="dateModified")
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
    date_expiration: WireDateTime | None = Field(default=None, alias="dateExpiration")
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


# ---------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------

T = TypeVar("T", bound=BaseModel)


class Page(WireModel, Generic[T]):
    """The paged listing envelope shared by every ``...EntityListing`` (genesys-api.md §2).

    ``Page[ContactList].model_validate(json)`` parses one page; the client's ``iter_*``
    methods walk ``nextUri`` to yield every entity of every page.
    """

    entities: list[T] = Field(default_factory=list)
    """The items of this page."""
    page_size: int | None = Field(default=None, alias="pageSize")
    """Requested page size (max 100 for outbound listings)."""
    page_number: int | None = Field(default=None, alias="pageNumber")
    """1-based page number."""
    total: int | None = None
    """Number of entities over all pages."""
    page_count: int | None = Field(default=None, alias="pageCount")
    """Number of pages."""
    first_uri: str | None = Field(default=None, alias="firstUri")
    """Relative URI of the first page."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI of this page."""
    next_uri: str | None = Field(default=None, alias="nextUri")
    """Relative URI of the next page; absent on the last page."""
    previous_uri: str | None = Field(default=None, alias="previousUri")
    """Relative URI of the previous page; from page 2 on."""
    last_uri: str | None = Field(default=None, alias="lastUri")
    """Relative URI of the last page."""

    @property
    def has_next(self) -> bool:
        """True when another page follows this one."""
        if self.next_uri:
            return True
        if self.page_count is not None and self.page_number is not None:
            return self.page_number < self.page_count
        return False


# ---------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------


class ContactRetentionType(StrEnum):
    """``retentionType`` of a single contact."""

    NEVER = "Never"
    TODAY = "Today"
    RETENTION_DAYS = "RetentionDays"
    DATE_EXPIRATION = "DateExpiration"


class PhoneNumberStatus(WireModel):
    """Per phone column status of a contact."""

    callable: bool | None = None
    """Whether this number may be dialled."""


class WritableDialerContact(WireModel):
    """One contact as sent to ``POST .../contacts`` (``SDK models/writable_dialer_contact.py``)."""

    READ_ONLY: ClassVar[frozenset[str]] = frozenset({"dateCreated"})

    id: str | None = None
    """Your contact id; an existing id updates that contact (upsert)."""
    contact_list_id: str = Field(alias="contactListId")
    """The list the contact belongs to; required in every item."""
    data: dict[str, str] = Field(default_factory=dict)
    """Column name to value; values are always strings."""
    callable: bool | None = None
    """Whole-contact callable flag."""
    phone_number_status: dict[str, PhoneNumberStatus] | None = Field(default=None, alias="phoneNumberStatus")
    """Per phone column callable status."""
    contactable_status: dict[str, Any] | None = Field(default=None, alias="contactableStatus")
    """Per media type (``Voice``, ``SMS``, ``Email``) contactable status."""
    latest_sms_evaluations: dict[str, Any] | None = Field(default=None, alias="latestSmsEvaluations")
    """Message evaluation records for SMS."""
    latest_email_evaluations: dict[str, Any] | None = Field(default=None, alias="latestEmailEvaluations")
    """Message evaluation records for email."""
    latest_whats_app_evaluations: dict[str, Any] | None = Field(
        default=None, alias="latestWhatsAppEvaluations"
    )
    """Message evaluation records for WhatsApp."""
    date_created: WireDateTime | None = Field(default=None, alias="dateCreated")
    """Creation time (read-only in practice)."""
    retention_type: ContactRetentionType | None = Field(default=None, alias="retentionType")
    """Never, Today, RetentionDays or DateExpiration."""
    retention_days: int | None = Field(default=None, alias="retentionDays")
    """Required with RetentionDays."""
    date_expiration: WireDateTime | None = Field(default=None, alias="dateExpiration")
    """Required with DateExpiration."""


class CallRecord(WireModel):
    """Last attempt on one phone column."""

    last_attempt: WireDateTime | None = Field(default=None, alias="lastAttempt")
    """Time of the last dial attempt."""
    last_result: str | None = Field(default=None, alias="lastResult")
    """Result (wrap-up) of the last attempt."""


class DialerContact(WritableDialerContact):
    """A stored contact as returned by the contact endpoints (``SDK models/dialer_contact.py``)."""

    READ_ONLY: ClassVar[frozenset[str]] = frozenset(
        {"dateCreated", "name", "callRecords", "contactColumnTimeZones", "configurationOverrides", "selfUri"}
    )

    name: str | None = None
    """Display name (server-side)."""
    call_records: dict[str, CallRecord] | None = Field(default=None, alias="callRecords")
    """Phone column to last attempt."""
    contact_column_time_zones: dict[str, Any] | None = Field(default=None, alias="contactColumnTimeZones")
    """Column to ``{timeZone, columnType}``; with automatic time-zone mapping."""
    configuration_overrides: dict[str, Any] | None = Field(default=None, alias="configurationOverrides")
    """``{priority: bool}``."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI (read-only)."""


class ContactListUploadUrlRequest(WireModel):
    """Body of ``POST /api/v2/outbound/contactlists/uploads`` (presigned CSV upload, §6.2)."""

    content_type: str = Field(default="text/csv", alias="contentType")
    """``text/csv``, ``application/vnd.ms-excel`` or the xlsx type (required on the wire; always sent)."""
    id: str | None = None
    """The contact list to import into."""
    contact_id_name: str | None = Field(default=None, alias="contactIdName")
    """CSV column used as the contact id."""
    clear_system_data: bool | None = Field(default=None, alias="clearSystemData")
    """Clear attempts and callable status of existing contacts."""
    signed_url_timeout_seconds: int | None = Field(default=None, alias="signedUrlTimeoutSeconds")
    """Lifetime of the URL, 1..604800 (default 600)."""
    import_template_id: str | None = Field(default=None, alias="importTemplateId")
    """Template import: the import template."""
    list_name_prefix: str | None = Field(default=None, alias="listNamePrefix")
    """Template import: prefix of the created lists."""
    division_id_for_target_contact_lists: str | None = Field(
        default=None, alias="divisionIdForTargetContactLists"
    )
    """Template import: division of the created lists."""


    def to_wire(self, *, keep: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The body; ``contentType`` is sent even when left at its default."""
        return {"contentType": self.content_type, **super().to_wire(keep=keep)}


class UploadUrlResponse(WireModel):
    """Answer of the presigned-upload request: PUT the file to ``url`` with exactly ``headers``."""

    url: str | None = None
    """Presigned URL."""
    upload_key: str | None = Field(default=None, alias="uploadKey")
    """Storage key."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Headers the PUT must carry."""


# ---------------------------------------------------------------------------
# Organization, divisions, users, queues, attempt limits, tokens
# ---------------------------------------------------------------------------


class Organization(WireModel):
    """``GET /api/v2/organizations/me`` (``SDK models/organization.py``)."""

    id: str | None = None
    """Organization id."""
    name: str | None = None
    """Display name."""
    default_language: str | None = Field(default=None, alias="defaultLanguage")
    """Default language."""
    default_country_code: str | None = Field(default=None, alias="defaultCountryCode")
    """Default country code (e.g. ``US``)."""
    third_party_org_name: str | None = Field(default=None, alias="thirdPartyOrgName")
    """Org short name; globally unique."""
    third_party_uri: str | None = Field(default=None, alias="thirdPartyURI")
    """Third-party URI."""
    domain: str | None = None
    """Org domain."""
    features: dict[str, bool] | None = None
    """Feature flags."""
    version: int | None = None
    """Entity version."""
    state: str | None = None
    """``active``, ``inactive`` or ``deleted``."""
    default_site_id: str | None = Field(default=None, alias="defaultSiteId")
    """Default site."""
    support_uri: str | None = Field(default=None, alias="supportURI")
    """Support URI."""
    voicemail_enabled: bool | None = Field(default=None, alias="voicemailEnabled")
    """Voicemail enabled."""
    product_platform: str | None = Field(default=None, alias="productPlatform")
    """GenesysCloud, PureCloud, ..."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""


class Division(WireModel):
    """An authorization division (``AuthzDivision``)."""

    id: str | None = None
    """Division id."""
    name: str | None = None
    """Division name."""
    description: str | None = None
    """Description."""
    home_division: bool | None = Field(default=None, alias="homeDivision")
    """True for the org's home division."""
    object_counts: dict[str, int] | None = Field(default=None, alias="objectCounts")
    """Object counts by type (with ``objectCount=true``)."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""


class User(WireModel):
    """A user (``SDK models/user.py``); expanded data is kept as extra keys."""

    id: str | None = None
    """User id."""
    name: str | None = None
    """Display name."""
    division: DomainEntityRef | None = None
    """Division."""
    department: str | None = None
    """Department."""
    email: str | None = None
    """Email address."""
    state: str | None = None
    """``active``, ``inactive`` or ``deleted``."""
    title: str | None = None
    """Job title."""
    username: str | None = None
    """Login name."""
    version: int | None = None
    """Entity version."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""


class UserMe(User):
    """``GET /api/v2/users/me``: the signed-in user (needs a user token)."""

    organization: Organization | None = None
    """Expanded organization (``expand=organization``)."""
    date_last_login: WireDateTime | None = Field(default=None, alias="dateLastLogin")
    """Last login (``expand=dateLastLogin``)."""


class Queue(WireModel):
    """A routing queue (``SDK models/queue.py``); only the fields the console shows, the rest kept."""

    id: str | None = None
    """Queue id."""
    name: str | None = None
    """Queue name."""
    division: DomainEntityRef | None = None
    """Division."""
    description: str | None = None
    """Description."""
    member_count: int | None = Field(default=None, alias="memberCount")
    """Members."""
    calling_party_name: str | None = Field(default=None, alias="callingPartyName")
    """Caller-id name for calls from this queue."""
    calling_party_number: str | None = Field(default=None, alias="callingPartyNumber")
    """Caller-id number for calls from this queue."""
    date_created: WireDateTime | None = Field(default=None, alias="dateCreated")
    """Creation time."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""


class AttemptLimits(WireModel):
    """Outbound attempt limits (``SDK models/attempt_limits.py``)."""

    id: str | None = None
    """Id."""
    name: str | None = None
    """Name."""
    date_created: WireDateTime | None = Field(default=None, alias="dateCreated")
    """Creation time."""
    date_modified: WireDateTime | None = Field(default=None, alias="dateModified")
    """Modification time."""
    version: int | None = None
    """Entity version."""
    max_attempts_per_contact: int | None = Field(default=None, alias="maxAttemptsPerContact")
    """Attempts per contact."""
    max_attempts_per_number: int | None = Field(default=None, alias="maxAttemptsPerNumber")
    """Attempts per number."""
    time_zone_id: str | None = Field(default=None, alias="timeZoneId")
    """Time zone of the reset period."""
    reset_period: str | None = Field(default=None, alias="resetPeriod")
    """``NEVER`` or ``TODAY``."""
    recall_entries: dict[str, Any] | None = Field(default=None, alias="recallEntries")
    """Recall settings per wrap-up."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""


class NamedEntity(WireModel):
    """``{id, name}``."""

    id: str | None = None
    """Id."""
    name: str | None = None
    """Name."""


class TokenInfo(WireModel):
    """``GET /api/v2/tokens/me`` (``SDK models/token_info.py``)."""

    organization: NamedEntity | None = None
    """Organization of the token."""
    home_organization: NamedEntity | None = Field(default=None, alias="homeOrganization")
    """Home organization (differs for trustee access)."""
    authorized_scope: list[str] | None = Field(default=None, alias="authorizedScope")
    """Scopes granted to the token."""
    cloned_user: dict[str, Any] | None = Field(default=None, alias="clonedUser")
    """Cloned user, for trustee tokens."""
    date_token_idles: WireDateTime | None = Field(default=None, alias="dateTokenIdles")
    """When the token idles out."""
    oauth_client: dict[str, Any] | None = Field(default=None, alias="OAuthClient")
    """The OAuth client (``{id, name, organization}``)."""


# ---------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------


class Destination(WireModel):
    """A party of an ad-hoc conference."""

    address: str | None = None
    """Phone number or address."""
    name: str | None = None
    """Display name."""
    user_id: str | None = Field(default=None, alias="userId")
    """User to add."""
    queue_id: str | None = Field(default=None, alias="queueId")
    """Queue to add."""


class CreateCallRequest(WireModel):
    """Body of ``POST /api/v2/conversations/calls[/user/{userId}]`` (SDK ``create_call_request.py``)."""

    phone_number: str | None = Field(default=None, alias="phoneNumber")
    """Number to dial, E.164."""
    caller_id: str | None = Field(default=None, alias="callerId")
    """Caller-id number."""
    caller_id_name: str | None = Field(default=None, alias="callerIdName")
    """Caller-id name."""
    call_from_queue_id: str | None = Field(default=None, alias="callFromQueueId")
    """Place the call on behalf of this queue."""
    call_queue_id: str | None = Field(default=None, alias="callQueueId")
    """Call this queue."""
    call_user_id: str | None = Field(default=None, alias="callUserId")
    """Call this user."""
    priority: int | None = None
    """Priority when calling a queue."""
    language_id: str | None = Field(default=None, alias="languageId")
    """Routing language."""
    routing_skills_ids: list[str] | None = Field(default=None, alias="routingSkillsIds")
    """Routing skills."""
    routing_skill_expression: str | None = Field(default=None, alias="routingSkillExpression")
    """Routing skill expression."""
    conversation_ids: list[str] | None = Field(default=None, alias="conversationIds")
    """Calls to merge into a conference."""
    participants: list[Destination] | None = None
    """Conference parties."""
    uui_data: str | None = Field(default=None, alias="uuiData")
    """SIP user-to-user data."""
    attributes: dict[str, str] | None = None
    """Participant attributes on the customer."""
    external_contact_id: str | None = Field(default=None, alias="externalContactId")
    """External contact to associate."""
    label: str | None = None
    """Utilization label."""


class CreateCallResponse(WireModel):
    """Answer of a call creation: the new conversation."""

    id: str | None = None
    """Conversation id."""
    name: str | None = None
    """Name."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""


class ErrorInfo(WireModel):
    """Why a participant failed."""

    message: str | None = None
    """Human text."""
    code: str | None = None
    """Machine code."""


class CallMediaParticipant(WireModel):
    """A participant of a call conversation (``SDK models/call_media_participant.py``); other keys kept."""

    id: str | None = None
    """Participant id."""
    name: str | None = None
    """Display name."""
    address: str | None = None
    """Address, e.g. ``tel:+15551234567``."""
    start_time: WireDateTime | None = Field(default=None, alias="startTime")
    """Start."""
    connected_time: WireDateTime | None = Field(default=None, alias="connectedTime")
    """Connected."""
    end_time: WireDateTime | None = Field(default=None, alias="endTime")
    """End."""
    purpose: str | None = None
    """``agent``, ``user``, ``customer``, ``external``, ``acd``, ``ivr``."""
    state: str | None = None
    """``alerting``, ``dialing``, ``contacting``, ``connected``, ``disconnected``, ..."""
    direction: str | None = None
    """``inbound`` or ``outbound``."""
    disconnect_type: str | None = Field(default=None, alias="disconnectType")
    """``endpoint``, ``client``, ``system``, ``error``, ..."""
    held: bool | None = None
    """On hold."""
    muted: bool | None = None
    """Muted."""
    wrapup_required: bool | None = Field(default=None, alias="wrapupRequired")
    """Wrap-up required."""
    user: DomainEntityRef | None = None
    """The user, for agent/user participants."""
    queue: DomainEntityRef | None = None
    """The queue."""
    ani: str | None = None
    """Calling number."""
    dnis: str | None = None
    """Called number."""
    error_info: ErrorInfo | None = Field(default=None, alias="errorInfo")
    """Failure details."""
    attributes: dict[str, str] | None = None
    """Participant attributes."""


class CallConversation(WireModel):
    """``GET /api/v2/conversations/calls/{id}`` (``SDK models/call_conversation.py``)."""

    id: str | None = None
    """Conversation id."""
    name: str | None = None
    """Name."""
    participants: list[CallMediaParticipant] = Field(default_factory=list)
    """The parties."""
    other_media_uris: list[str] | None = Field(default=None, alias="otherMediaUris")
    """Other media of the conversation."""
    recording_state: str | None = Field(default=None, alias="recordingState")
    """``none``, ``active`` or ``paused``."""
    divisions: list[Any] | None = None
    """Divisions of the conversation."""
    max_participants: int | None = Field(default=None, alias="maxParticipants")
    """Maximum parties."""
    secure_pause: bool | None = Field(default=None, alias="securePause")
    """Secure pause active."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""

    def participant(self, purpose: str) -> CallMediaParticipant | None:
        """The first participant with that purpose (e.g. ``external``), if any."""
        return next((p for p in self.participants if p.purpose == purpose), None)


# ---------------------------------------------------------------------------
# External contacts
# ---------------------------------------------------------------------------


class PhoneNumber(WireModel):
    """An external contact's phone number (``SDK models/phone_number.py``)."""

    display: str | None = None
    """Formatted number."""
    extension: int | None = None
    """Extension."""
    accepts_sms: bool | None = Field(default=None, alias="acceptsSMS")
    """Accepts SMS."""
    normalization_country_code: str | None = Field(default=None, alias="normalizationCountryCode")
    """Country used to normalise ``userInput``."""
    user_input: str | None = Field(default=None, alias="userInput")
    """Number as typed."""
    e164: str | None = None
    """E.164 form (server-filled)."""
    country_code: str | None = Field(default=None, alias="countryCode")
    """Country code."""


class ExternalContact(WireModel):
    """An external contact (``SDK models/external_contact.py``); only common fields typed, the rest kept."""

    READ_ONLY: ClassVar[frozenset[str]] = frozenset({"id", "modifyDate", "createDate", "selfUri"})

    id: str | None = None
    """Id (read-only)."""
    first_name: str | None = Field(default=None, alias="firstName")
    """First name."""
    middle_name: str | None = Field(default=None, alias="middleName")
    """Middle name."""
    last_name: str | None = Field(default=None, alias="lastName")
    """Last name."""
    title: str | None = None
    """Title."""
    work_phone: PhoneNumber | None = Field(default=None, alias="workPhone")
    """Work phone."""
    cell_phone: PhoneNumber | None = Field(default=None, alias="cellPhone")
    """Mobile phone."""
    home_phone: PhoneNumber | None = Field(default=None, alias="homePhone")
    """Home phone."""
    other_phone: PhoneNumber | None = Field(default=None, alias="otherPhone")
    """Other phone."""
    work_email: str | None = Field(default=None, alias="workEmail")
    """Work email."""
    personal_email: str | None = Field(default=None, alias="personalEmail")
    """Personal email."""
    other_email: str | None = Field(default=None, alias="otherEmail")
    """Other email."""
    modify_date: WireDateTime | None = Field(default=None, alias="modifyDate")
    """Last change (read-only)."""
    create_date: WireDateTime | None = Field(default=None, alias="createDate")
    """Creation (read-only)."""
    external_organization: DomainEntityRef | None = Field(default=None, alias="externalOrganization")
    """Organization the contact belongs to."""
    type: str | None = None
    """``Curated`` or ``Ephemeral`` ..."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI (read-only)."""


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)\}")


class Detail(WireModel):
    """One entry of ``ErrorBody.details``."""

    error_code: str | None = Field(default=None, alias="errorCode")
    """Detail code."""
    field_name: str | None = Field(default=None, alias="fieldName")
    """Field concerned."""
    entity_id: str | None = Field(default=None, alias="entityId")
    """Entity concerned."""
    entity_name: str | None = Field(default=None, alias="entityName")
    """Entity name."""


class Limit(WireModel):
    """Which org limit was hit."""

    key: str | None = None
    """Limit key."""
    namespace: str | None = None
    """Namespace, e.g. ``outbound``."""
    value: int | None = None
    """Limit value."""


_TEXT_KEYS = frozenset({"message", "code", "messageWithParams", "contextId", "entityId", "entityName"})


class ErrorBody(WireModel):
    """The platform's error body (``SDK models/error_body.py``, genesys-api.md §9.1); unknown keys kept."""

    message: str | None = None
    """Human text with parameters filled in."""
    code: str | None = None
    """Dotted machine code, e.g. ``bad.request``."""
    status: int | None = None
    """Same as the HTTP status."""
    entity_id: str | None = Field(default=None, alias="entityId")
    """Entity concerned."""
    entity_name: str | None = Field(default=None, alias="entityName")
    """Entity name."""
    message_with_params: str | None = Field(default=None, alias="messageWithParams")
    """Template with ``{placeholders}``."""
    message_params: dict[str, str] | None = Field(default=None, alias="messageParams")
    """Values for the placeholders."""
    context_id: str | None = Field(default=None, alias="contextId")
    """Server correlation id for support."""
    details: list[Detail] | None = None
    """Details."""
    errors: list[ErrorBody] | None = None
    """Nested errors."""
    limit: Limit | None = None
    """The org limit that was hit."""

    @field_validator("message_params", mode="before")
    @classmethod
    def _params_as_text(cls, value: Any) -> Any:
        # servers (and proxies) send numbers, lists or null as parameter values: keep them as text
        if not isinstance(value, dict):
            return value
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}

    @classmethod
    def lenient(cls, data: dict[str, Any]) -> ErrorBody:
        """Parse what can be parsed of an odd error body; never raises (unusable fields are dropped)."""
        try:
            return cls.model_validate(data)
        except ValueError:
            pass
        kept: dict[str, Any] = {}
        for key, value in data.items():
            try:
                cls.model_validate({key: value})
            except ValueError:
                textual = key in _TEXT_KEYS
                if textual and value is not None and not isinstance(value, dict | list):
                    kept[key] = str(value)
                continue
            kept[key] = value
        try:
            return cls.model_validate(kept)
        except ValueError:
            return cls()

    def rendered_message(self) -> str:
        """``messageWithParams`` with ``messageParams`` filled in; falls back to ``message``, then ``code``.

        Placeholders without a value are left as they are so nothing silently disappears.
        """
        template = self.message_with_params
        params = self.message_params or {}
        if template:
            return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), template)
        return self.message or self.code or ""


# ---------------------------------------------------------------------------
# Contact-list templates (genesys-api.md §7)
# ---------------------------------------------------------------------------


class ContactListTemplate(ContactList):
    """A contact-list template: a ContactList without division, importStatus, size and dateExpiration.

    Those four never go out in a request body (they are treated as read-only here); the rest
    of the shape, and the rules of §4.4, are the list's.
    """

    READ_ONLY: ClassVar[frozenset[str]] = ContactList.READ_ONLY | frozenset({"division", "dateExpiration"})

    @classmethod
    def from_list(cls, contact_list: ContactList) -> ContactListTemplate:
        """A template with the list's writable shape (name, columns, media columns, settings)."""
        return cls.model_validate(contact_list.create_body())

    def to_list(self) -> ContactList:
        """A new (unsaved) list definition with this template's shape."""
        return ContactList.model_validate(self.create_body())


# ---------------------------------------------------------------------------
# Notifications (genesys-api.md §13)
# ---------------------------------------------------------------------------


class NotificationChannel(WireModel):
    """``POST /api/v2/notifications/channels`` (``SDK models/channel.py``)."""

    id: str
    """Channel id."""
    connect_uri: str = Field(alias="connectUri")
    """The WebSocket to connect to (``wss://streaming.{domain}/channels/{id}``)."""
    expires: WireDateTime | None = None
    """When the channel goes away unless it is subscribed again."""


class ChannelTopic(WireModel):
    """One subscription of a channel (``SDK models/channel_topic.py``)."""

    id: str
    """The topic name, e.g. ``v2.users.{id}.conversations.calls``."""
    state: str | None = None
    """``Permitted`` or ``Rejected``."""
    rejection_reason: str | None = Field(default=None, alias="rejectionReason")
    """Why a topic was rejected."""
    missing_permissions: list[str] | None = Field(default=None, alias="missingPermissions")
    """Permissions the token lacks for it."""
    self_uri: str | None = Field(default=None, alias="selfUri")
    """Relative URI."""


class ChannelTopicListing(WireModel):
    """``GET|PUT|POST .../subscriptions`` (``SDK models/channel_topic_entity_listing.py``)."""

    entities: list[ChannelTopic] = Field(default_factory=list)
    """The channel's topics."""


class NotificationEvent(WireModel):
    """One message on a channel's WebSocket: ``{topicName, version, eventBody, metadata}``."""

    topic_name: str = Field(alias="topicName")
    """The topic (``channel.metadata`` for heartbeats, ``v2.system.socket_closing`` before a close)."""
    version: str | None = None
    """Event schema version."""
    event_body: dict[str, Any] = Field(default_factory=dict, alias="eventBody")
    """The topic's payload (a conversation, an import status, ``{message}`` for metadata)."""
    metadata: dict[str, Any] | None = None
    """``CorrelationId`` and the like."""


class ImportStatusEvent(WireModel):
    """The ``v2.outbound.contactlists.{id}.importstatus`` payload (SDK ``ContactlistImportStatus...``)."""

    import_state: str | None = Field(default=None, alias="importState")
    """``IN_PROGRESS`` or ``FAILED``; absent after success (as in the REST status)."""
    total_records: int | None = Field(default=None, alias="totalRecords")
    """Records in the file."""
    completed_records: int | None = Field(default=None, alias="completedRecords")
    """Records imported so far."""
    percentage_complete: int | None = Field(default=None, alias="percentageComplete")
    """0..100."""
    failure_reason: str | None = Field(default=None, alias="failureReason")
    """Why a FAILED import failed."""

    def to_status(self) -> ImportStatus:
        """The same facts as the REST :class:`ImportStatus` (whose field names differ)."""
        return ImportStatus(
            state=self.import_state,
            totalRecords=self.total_records,
            completedRecords=self.completed_records,
            percentComplete=self.percentage_complete,
            failureReason=self.failure_reason,
        )
