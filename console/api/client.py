"""``GenesysClient``: the one place the console talks HTTP to Genesys Cloud.

A synchronous client over ``httpx.Client`` with one typed method per endpoint the windows
need (genesys-api.md §3-§8). Every request goes through :meth:`GenesysClient._send`,
which applies the retry policy of :mod:`console.api.retry`, feeds the rate-limit state
and the optional :class:`~console.api.ratelimit.Pacer`, maps failures to the
:mod:`console.api.errors` tree, and reports one redacted
:class:`~console.api.logging.ExchangeRecord` per HTTP exchange (token requests included)
to ``on_exchange``.

Thread use: a client is cheap to construct; use one from one worker thread at a time.
The ``cancel`` event makes retry and pacing waits interruptible
(:class:`~console.errors.Cancelled`).
"""

from __future__ import annotations

import json as jsonlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from console.api.auth import ClientCredentialsAuth
from console.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    Cancelled,
)
from console.api.logging import (
    DEFAULT_MAX_BODY,
    ExchangeHook,
    ExchangeRecord,
    request_body_text,
)
from console.api.models import (
    AttemptLimits,
    CallConversation,
    ChannelTopic,
    ChannelTopicListing,
    ContactList,
    ContactListTemplate,
    ContactListUploadUrlRequest,
    CreateCallRequest,
    CreateCallResponse,
    DialerContact,
    Division,
    ExternalContact,
    ImportStatus,
    NotificationChannel,
    Organization,
    Page,
    Queue,
    TokenInfo,
    UploadUrlResponse,
    User,
    UserMe,
    WritableDialerContact,
)
from console.api.ratelimit import Pacer, RateLimitState
from console.api.regions import Endpoint
from console.api.retry import (
    DEFAULT_GIVE_UP_AFTER,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_AFTER_CAP,
    is_idempotent,
    parse_retry_after,
    retry_delay,
    should_retry,
)
from console.api.transport import DEFAULT_TIMEOUT, BorrowedTransport, new_http_client

M = TypeVar("M", bound=BaseModel)

_UNSET: Any = object()
_T0 = "console.t0"
_ATTEMPT = "console.attempt"
MAX_PAGES = 10_000
"""Safety stop for page iteration."""


def _seg(value: str) -> str:
    """A path segment, percent-encoded."""
    return quote(value, safe="")


def _query(**params: Any) -> dict[str, str]:
    """Query parameters the SDK way: None dropped, lists comma-joined, booleans ``true``/``false``."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            if value:
                out[name] = ",".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out


class GenesysClient:
    """Typed Genesys Cloud API client.

    Args:
        endpoint: Region or custom base URL.
        auth: ``ClientCredentialsAuth`` or ``UserTokenAuth`` (any ``httpx.Auth``).
        on_exchange: Receives one redacted record per HTTP exchange.
        pacer: Shared pacer for bulk jobs; acquired before every request and fed every answer.
        cancel: When set, retry/pacing waits stop with ``Cancelled``.
        max_retries: Retries after the first attempt.
        retry_after_cap: Longest single wait for a ``Retry-After``.
        give_up_after: A ``Retry-After`` longer than this is not waited for.
        timeout: httpx time-outs (connect 5 s, read 30 s by default).
        sleep: Wait function (injectable for tests); defaults to an interruptible sleep.
        rng: Jitter source returning [0, 1).
        transport: httpx transport (tests: ``httpx.MockTransport`` for transport faults).
        max_body: Longest body text kept in records and errors.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        auth: httpx.Auth,
        *,
        on_exchange: ExchangeHook | None = None,
        pacer: Pacer | None = None,
        cancel: threading.Event | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP,
        give_up_after: float = DEFAULT_GIVE_UP_AFTER,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] | None = None,
        rng: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.endpoint = endpoint
        self.auth = auth
        self.on_exchange = on_exchange
        self.pacer = pacer
        self.cancel = cancel
        self.max_retries = max_retries
        self.retry_after_cap = retry_after_cap
        self.give_up_after = give_up_after
        self._sleep = sleep
        self._rng = rng
        self.max_body = max_body
        self.rate_limit: RateLimitState | None = None
        """The budget reported by the latest answer that carried ``inin-ratelimit-*`` headers."""
        self.waits: list[float] = []
        """Every retry wait in seconds, in order (for progress displays and tests)."""
        extra: dict[str, Any] = {"transport": transport} if transport is not None else {}
        self._http = new_http_client(
            base_url=endpoint.api_base,
            auth=auth,
            timeout=timeout,
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
            **extra,
        )

    @classmethod
    def with_client_credentials(
        cls, endpoint: Endpoint, client_id: str, client_secret: SecretStr | str, **kwargs: Any
    ) -> GenesysClient:
        """A client authenticating with the client-credentials grant."""
        return cls(endpoint, ClientCredentialsAuth(endpoint, client_id, client_secret), **kwargs)

    # -- lifecycle ----------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> GenesysClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hooks --------------------------------------------------------------

    def _on_request(self, request: httpx.Request) -> None:
        request.extensions[_T0] = time.perf_counter()

    def _on_response(self, response: httpx.Response) -> None:
        response.read()
        state = RateLimitState.from_headers(response.headers, now=time.monotonic())
        if state is not None:
            self.rate_limit = state
            if self.pacer is not None:
                self.pacer.update(state)
        if self.on_exchange is None:
            return
        request = response.request
        t0 = request.extensions.get(_T0, time.perf_counter())
        self.on_exchange(
            ExchangeRecord.from_response(
                response,
                duration=time.perf_counter() - t0,
                attempt=int(request.extensions.get(_ATTEMPT, 0)),
                max_body=self.max_body,
            )
        )

    def _emit_failure(self, request: httpx.Request, exc: Exception, attempt: int) -> None:
        if self.on_exchange is None:
            return
        t0 = request.extensions.get(_T0, time.perf_counter())
        self.on_exchange(
            ExchangeRecord.from_failure(
                request, exc, duration=time.perf_counter() - t0, attempt=attempt, max_body=self.max_body
            )
        )

    # -- core ---------------------------------------------------------------

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("cancelled")

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self._sleep is not None:
            self._sleep(seconds)
            self._check_cancel()
        elif self.cancel is not None:
            if self.cancel.wait(seconds):
                raise Cancelled("cancelled while waiting to retry")
        else:
            time.sleep(seconds)

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = _UNSET,
        content: bytes | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | httpx._client.UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send with retries; return a 200..205 response or raise from the error tree."""
        path = urlsplit(url).path
        body_obj = None if json is _UNSET else json
        idem = is_idempotent(method, path, body_obj) if idempotent is None else idempotent
        attempt = 0
        while True:
            self._check_cancel()
            if self.pacer is not None:
                self.pacer.acquire(self.cancel)
            request = self._http.build_request(
                method,
                url,
                params=params,
                content=(jsonlib.dumps(json).encode() if json is not _UNSET else content),
                data=data,
                files=files,
                headers=(
                    {"Content-Type": "application/json", **(headers or {})} if json is not _UNSET else headers
                ),
            )
            request.extensions[_ATTEMPT] = attempt
            try:
                response = self._http.send(request, auth=auth)
            except httpx.TransportError as exc:
                self._emit_failure(request, exc, attempt)
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if should_retry(
                    method=method,
                    path=path,
                    attempt=attempt,
                    idempotent=idem,
                    connection_error=True,
                    request_sent=sent,
                    max_retries=self.max_retries,
                ):
                    self._wait(retry_delay(attempt, None, rng=self._rng))
                    attempt += 1
                    continue
                klass = ApiTimeoutError if isinstance(exc, httpx.TimeoutException) else ApiConnectionError
                host = request.url.host
                raise klass(
                    f"{method} {path}: no answer from {host} ({type(exc).__name__}: {exc})", request
                ) from exc
            status = response.status_code
            if 200 <= status < 206:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if should_retry(
                method=method,
                path=path,
                attempt=attempt,
                idempotent=idem,
                status=status,
                retry_after=retry_after,
                max_retries=self.max_retries,
                give_up_after=self.give_up_after,
            ):
                self._wait(retry_delay(attempt, retry_after, cap=self.retry_after_cap, rng=self._rng))
                attempt += 1
                continue
            raise ApiStatusError.from_response(
                response, request_body=request_body_text(request, self.max_body)
            )

    def _decode(self, response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise ApiError(
                f"{response.request.method} {response.request.url.path}: unexpected answer ({exc})",
                response.request,
            ) from exc

    def _decode_list(self, response: httpx.Response, model: type[M]) -> list[M]:
        try:
            data = response.json()
            if not isinstance(data, list):
                raise ValueError("expected a JSON array")
            return [model.model_validate(item) for item in data]
        except (ValueError, ValidationError) as exc:
            raise ApiError(
                f"{response.request.method} {response.request.url.path}: unexpected answer ({exc})",
                response.request,
            ) from exc

    def _json_or_none(self, response: httpx.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def _get_page(self, url: str, model: type[M], params: dict[str, str] | None) -> Page[M]:
        page_type = cast("type[Page[M]]", Page[model])  # type: ignore[valid-type]
        return self._decode(self._send("GET", url, params=params), page_type)

    def iter_pages(
        self, path: str, model: type[M], params: dict[str, str] | None = None
    ) -> Iterator[Page[M]]:
        """Every page of a listing, following ``nextUri`` (or ``pageNumber`` when it is missing)."""
        page = self._get_page(path, model, params)
        yield page
        for _ in range(MAX_PAGES):
            if not page.has_next or not page.entities:
                return
            self._check_cancel()
            if page.next_uri and page.next_uri != page.self_uri:
                page = self._get_page(page.next_uri, model, None)
            else:
                nxt = {**(params or {}), "pageNumber": str((page.page_number or 1) + 1)}
                page = self._get_page(path, model, nxt)
            yield page

    def iter_entities(self, path: str, model: type[M], params: dict[str, str] | None = None) -> Iterator[M]:
        """Every entity of every page of a listing."""
        for page in self.iter_pages(path, model, params):
            yield from page.entities

    # -- contact lists ------------------------------------------------------

    _LISTS = "/api/v2/outbound/contactlists"

    def _list_params(
        self,
        *,
        page_size: int,
        page_number: int,
        name: str | None,
        include_import_status: bool,
        include_size: bool,
        division_ids: Sequence[str] | None,
        sort_by: str | None,
        sort_order: str | None,
        filter_type: str | None,
    ) -> dict[str, str]:
        return _query(
            pageSize=page_size,
            pageNumber=page_number,
            name=name,
            includeImportStatus=include_import_status or None,
            includeSize=include_size or None,
            divisionId=list(division_ids) if division_ids else None,
            sortBy=sort_by,
            sortOrder=sort_order,
            filterType=filter_type,
        )

    def list_contact_lists(
        self,
        *,
        page_size: int = 25,
        page_number: int = 1,
        name: str | None = None,
        include_import_status: bool = False,
        include_size: bool = False,
        division_ids: Sequence[str] | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        filter_type: str | None = None,
    ) -> Page[ContactList]:
        """One page of contact lists (``name`` is a prefix filter by default)."""
        params = self._list_params(
            page_size=page_size,
            page_number=page_number,
            name=name,
            include_import_status=include_import_status,
            include_size=include_size,
            division_ids=division_ids,
            sort_by=sort_by,
            sort_order=sort_order,
            filter_type=filter_type,
        )
        return self._get_page(self._LISTS, ContactList, params)

    def iter_contact_lists(
        self,
        *,
        page_size: int = 100,
        name: str | None = None,
        include_import_status: bool = False,
        include_size: bool = False,
        division_ids: Sequence[str] | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        filter_type: str | None = None,
    ) -> Iterator[ContactList]:
        """Every contact list over all pages."""
        params = self._list_params(
            page_size=page_size,
            page_number=1,
            name=name,
            include_import_status=include_import_status,
            include_size=include_size,
            division_ids=division_ids,
            sort_by=sort_by,
            sort_order=sort_order,
            filter_type=filter_type,
        )
        return self.iter_entities(self._LISTS, ContactList, params)

    def find_contact_list(self, name: str) -> ContactList | None:
        """The list whose name is exactly ``name`` (prefix-filtered listing, compared exactly, as TF does)."""
        for item in self.iter_contact_lists(name=name):
            if item.name == name:
                return item
        return None

    def get_contact_list(
        self, list_id: str, *, include_import_status: bool = False, include_size: bool = False
    ) -> ContactList:
        """One contact list."""
        params = _query(includeImportStatus=include_import_status or None, includeSize=include_size or None)
        return self._decode(self._send("GET", f"{self._LISTS}/{_seg(list_id)}", params=params), ContactList)

    def create_contact_list(self, contact_list: ContactList) -> ContactList:
        """Create a list (200, not 201); read-only fields are never sent."""
        return self._decode(self._send("POST", self._LISTS, json=contact_list.create_body()), ContactList)

    def update_contact_list(
        self, contact_list: ContactList, *, use_current_version: bool = False
    ) -> ContactList:
        """PUT a list with its ``version``.

        Args:
            contact_list: Must carry ``id`` and (unless ``use_current_version``) ``version``.
            use_current_version: Fetch the server's current version first and overwrite it
                (a deliberate "my edit wins"; the default surfaces a stale version as an error).

        Raises:
            ValueError: ``id`` or ``version`` missing.
            ConflictError | BadRequestError: stale version (``exc.is_version_mismatch``).
        """
        list_id = contact_list.id
        if not list_id:
            raise ValueError("update_contact_list needs the list's id")
        if use_current_version:
            current = self.get_contact_list(list_id)
            contact_list = contact_list.model_copy(update={"version": current.version})
        if contact_list.version is None:
            raise ValueError("update_contact_list needs the list's current version")
        body = contact_list.update_body()
        return self._decode(self._send("PUT", f"{self._LISTS}/{_seg(list_id)}", json=body), ContactList)

    def delete_contact_list(self, list_id: str) -> None:
        """Delete a list."""
        self._send("DELETE", f"{self._LISTS}/{_seg(list_id)}")

    # -- contacts -----------------------------------------------------------

    def add_contacts(
        self,
        list_id: str,
        contacts: Sequence[WritableDialerContact],
        *,
        priority: bool | None = None,
        clear_system_data: bool | None = None,
        do_not_queue: bool | None = None,
    ) -> list[DialerContact]:
        """Add or update (by ``id``) up to 1,000 contacts; returns the stored contacts.

        Retried after 5xx/drops only when every contact carries an ``id`` (then it is an upsert).
        """
        body = [c.to_wire() for c in contacts]
        params = _query(priority=priority, clearSystemData=clear_system_data, doNotQueue=do_not_queue)
        response = self._send("POST", f"{self._LISTS}/{_seg(list_id)}/contacts", params=params, json=body)
        return self._decode_list(response, DialerContact)

    def get_contact(self, list_id: str, contact_id: str) -> DialerContact:
        """One contact."""
        url = f"{self._LISTS}/{_seg(list_id)}/contacts/{_seg(contact_id)}"
        return self._decode(self._send("GET", url), DialerContact)

    def update_contact(self, list_id: str, contact: DialerContact) -> DialerContact:
        """PUT one contact (its ``id`` names it)."""
        if not contact.id:
            raise ValueError("update_contact needs the contact's id")
        url = f"{self._LISTS}/{_seg(list_id)}/contacts/{_seg(contact.id)}"
        return self._decode(
            self._send("PUT", url, json=contact.to_wire(keep=frozenset({"id"}))), DialerContact
        )

    def delete_contact(self, list_id: str, contact_id: str) -> None:
        """Delete one contact."""
        self._send("DELETE", f"{self._LISTS}/{_seg(list_id)}/contacts/{_seg(contact_id)}")

    def delete_contacts(self, list_id: str, contact_ids: Iterable[str]) -> None:
        """Delete several contacts (``contactIds=a,b``)."""
        params = _query(contactIds=list(contact_ids))
        self._send("DELETE", f"{self._LISTS}/{_seg(list_id)}/contacts", params=params)

    def get_contacts_bulk(self, list_id: str, contact_ids: Sequence[str]) -> list[DialerContact]:
        """Fetch contacts by id (``POST .../contacts/bulk`` is a bulk *get*)."""
        url = f"{self._LISTS}/{_seg(list_id)}/contacts/bulk"
        return self._decode_list(self._send("POST", url, json=list(contact_ids)), DialerContact)

    def clear_contacts(self, list_id: str) -> None:
        """Delete every contact of a list (204, asynchronous); the body is JSON ``null`` as the SDK sends."""
        self._send("POST", f"{self._LISTS}/{_seg(list_id)}/clear", json=None)

    def get_import_status(self, list_id: str) -> ImportStatus:
        """Status of the last CSV import."""
        return self._decode(self._send("GET", f"{self._LISTS}/{_seg(list_id)}/importstatus"), ImportStatus)

    def wait_for_import(
        self,
        list_id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float = 300.0,
        on_progress: Callable[[ImportStatus], None] | None = None,
    ) -> ImportStatus:
        """Poll ``importstatus`` until done or failed; returns the last status.

        Raises:
            ApiError: the import did not finish within ``timeout``.
        """
        deadline = time.monotonic() + timeout
        while True:
            status = self.get_import_status(list_id)
            if on_progress is not None:
                on_progress(status)
            if status.is_done or status.is_failed:
                return status
            if time.monotonic() >= deadline:
                raise ApiError(f"the import into list {list_id} did not finish within {timeout:g} s")
            self._interruptible_pause(poll_interval)

    def _interruptible_pause(self, seconds: float) -> None:
        if self.cancel is not None:
            if self.cancel.wait(seconds):
                raise Cancelled("cancelled")
        else:
            time.sleep(seconds)

    def upload_contacts_csv(
        self,
        list_id: str,
        source: Path | bytes,
        contact_id_name: str,
        *,
        filename: str | None = None,
    ) -> Any:
        """Legacy multipart import to ``{apps}/uploads/v2/contactlist`` (§6.1); then poll ``importstatus``.

        Returns the decoded answer (its shape is not documented; nobody relies on it).
        """
        if isinstance(source, Path):
            payload = source.read_bytes()
            name = filename or source.name
        else:
            payload = source
            name = filename or "contacts.csv"
        response = self._send(
            "POST",
            f"{self.endpoint.apps_base}/uploads/v2/contactlist",
            data={"id": list_id, "fileType": "contactlist", "contact-id-name": contact_id_name},
            files={"file": (name, payload, "text/csv")},
        )
        return self._json_or_none(response)

    def request_upload_url(self, request: ContactListUploadUrlRequest) -> UploadUrlResponse:
        """Ask for a presigned upload URL (``POST /api/v2/outbound/contactlists/uploads``, §6.2)."""
        return self._decode(
            self._send("POST", f"{self._LISTS}/uploads", json=request.to_wire()), UploadUrlResponse
        )

    def put_presigned(self, upload: UploadUrlResponse, data: bytes) -> None:
        """PUT the file to the presigned URL with exactly the returned headers and no bearer token."""
        if not upload.url:
            raise ValueError("the upload answer has no url")
        self._send("PUT", upload.url, content=data, headers=dict(upload.headers), auth=None)

    def put_presigned_once(self, upload: UploadUrlResponse, data: bytes) -> None:
        """:meth:`put_presigned`, never retried: for a file whose repeat would import it twice (no ids).

        A dropped answer raises ``ApiConnectionError`` with the outcome unknown; the caller settles it.
        """
        if not upload.url:
            raise ValueError("the upload answer has no url")
        self._send("PUT", upload.url, content=data, headers=dict(upload.headers), auth=None, idempotent=False)

    # -- organization, users, queues, limits, tokens --------------------------

    def get_organization(self) -> Organization:
        """``GET /api/v2/organizations/me``."""
        return self._decode(self._send("GET", "/api/v2/organizations/me"), Organization)

    def get_divisions(
        self, *, page_size: int = 25, page_number: int = 1, name: str | None = None
    ) -> Page[Division]:
        """One page of divisions."""
        params = _query(pageSize=page_size, pageNumber=page_number, name=name)
        return self._get_page("/api/v2/authorization/divisions", Division, params)

    def iter_divisions(self, *, name: str | None = None) -> Iterator[Division]:
        """Every division."""
        params = _query(pageSize=100, pageNumber=1, name=name)
        return self.iter_entities("/api/v2/authorization/divisions", Division, params)

    def get_home_division(self) -> Division:
        """The org's home division."""
        return self._decode(self._send("GET", "/api/v2/authorization/divisions/home"), Division)

    def get_users(self, *, page_size: int = 25, page_number: int = 1, state: str | None = None) -> Page[User]:
        """One page of users."""
        params = _query(pageSize=page_size, pageNumber=page_number, state=state)
        return self._get_page("/api/v2/users", User, params)

    def iter_users(self, *, state: str | None = None) -> Iterator[User]:
        """Every user."""
        return self.iter_entities("/api/v2/users", User, _query(pageSize=100, pageNumber=1, state=state))

    def get_me(self, *, expand: Sequence[str] | None = None) -> UserMe:
        """``GET /api/v2/users/me`` (needs a user token; client credentials get a 400)."""
        params = _query(expand=list(expand) if expand else None)
        return self._decode(self._send("GET", "/api/v2/users/me", params=params), UserMe)

    def get_queues(
        self, *, page_size: int = 25, page_number: int = 1, name: str | None = None
    ) -> Page[Queue]:
        """One page of routing queues."""
        params = _query(pageSize=page_size, pageNumber=page_number, name=name)
        return self._get_page("/api/v2/routing/queues", Queue, params)

    def iter_queues(self, *, name: str | None = None) -> Iterator[Queue]:
        """Every routing queue."""
        return self.iter_entities(
            "/api/v2/routing/queues", Queue, _query(pageSize=100, pageNumber=1, name=name)
        )

    def get_attempt_limits(
        self, *, page_size: int = 25, page_number: int = 1, name: str | None = None
    ) -> Page[AttemptLimits]:
        """One page of attempt-limit objects."""
        params = _query(pageSize=page_size, pageNumber=page_number, name=name)
        return self._get_page("/api/v2/outbound/attemptlimits", AttemptLimits, params)

    def get_token_info(self) -> TokenInfo:
        """``GET /api/v2/tokens/me`` (works with client credentials)."""
        return self._decode(self._send("GET", "/api/v2/tokens/me"), TokenInfo)

    def revoke_token(self) -> None:
        """``DELETE /api/v2/tokens/me``: revoke the calling token (sign-out)."""
        self._send("DELETE", "/api/v2/tokens/me")

    # -- calls ---------------------------------------------------------------

    def create_call(self, request: CreateCallRequest) -> CreateCallResponse:
        """Place a call from the signed-in user's station (user token). Never retried."""
        return self._decode(
            self._send("POST", "/api/v2/conversations/calls", json=request.to_wire()), CreateCallResponse
        )

    def create_call_for_user(self, user_id: str, request: CreateCallRequest) -> CreateCallResponse:
        """Place a call on behalf of a user (the client-credentials route). Never retried."""
        url = f"/api/v2/conversations/calls/user/{_seg(user_id)}"
        return self._decode(self._send("POST", url, json=request.to_wire()), CreateCallResponse)

    def get_call(self, conversation_id: str) -> CallConversation:
        """One call conversation."""
        url = f"/api/v2/conversations/calls/{_seg(conversation_id)}"
        return self._decode(self._send("GET", url), CallConversation)

    def disconnect_participant(self, conversation_id: str, participant_id: str) -> None:
        """Hang up one party (``PATCH ... {"state": "disconnected"}``, 202)."""
        url = f"/api/v2/conversations/calls/{_seg(conversation_id)}/participants/{_seg(participant_id)}"
        self._send("PATCH", url, json={"state": "disconnected"})

    def disconnect_call(self, conversation_id: str) -> None:
        """Hang up the whole call (``PATCH /conversations/calls/{id} {"state": "disconnected"}``)."""
        url = f"/api/v2/conversations/calls/{_seg(conversation_id)}"
        self._send("PATCH", url, json={"state": "disconnected"})

    # -- notifications (genesys-api.md §13) ----------------------------------------

    def create_notification_channel(self) -> NotificationChannel:
        """Open a notification channel (``POST /api/v2/notifications/channels``)."""
        return self._decode(self._send("POST", "/api/v2/notifications/channels"), NotificationChannel)

    def put_channel_subscriptions(self, channel_id: str, topics: Sequence[str]) -> list[ChannelTopic]:
        """Replace a channel's topics (this also renews the channel); the topics as Genesys answered them."""
        url = f"/api/v2/notifications/channels/{_seg(channel_id)}/subscriptions"
        listing = self._decode(self._send("PUT", url, json=[{"id": t} for t in topics]), ChannelTopicListing)
        return listing.entities

    def sibling(self, cancel: threading.Event | None = None, **_: Any) -> GenesysClient:
        """A client for another thread: same endpoint, auth, exchange hook and (borrowed) transport.

        Shaped like ``session.new_client`` (``sibling(cancel=event)``), so a job can hand it to
        :class:`~console.api.notifications.LiveChannel` or ``UploadJob.follow_imports_live``.
        """
        transport: Any = getattr(self._http, "_transport", None)
        shared = BorrowedTransport(getattr(transport, "_inner", transport)) if transport is not None else None
        return GenesysClient(
            self.endpoint,
            self.auth,
            on_exchange=self.on_exchange,
            cancel=cancel,
            transport=shared,
            max_body=self.max_body,
        )

    def proxy_for(self, url: str) -> str | None:
        """The proxy this client's transport uses for ``url`` (None: direct), for sockets opened beside it."""
        transport: Any = getattr(self._http, "_transport", None)
        transport = getattr(transport, "_inner", transport)  # a BorrowedTransport lends a ConsoleTransport
        route_for = getattr(transport, "route_for", None)
        return route_for(url) if callable(route_for) else None

    # -- raw requests (the error decoder's "Resend edited request") ---------------

    RAW_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
    """Methods :meth:`send_raw` accepts."""

    def send_raw(self, method: str, path: str, json_body: Any = None) -> httpx.Response:
        """Send one hand-edited request through the usual auth, retry, redaction and log path.

        Only relative API paths (``/api/v2/...``, optionally with a query) are accepted, so the
        token never goes to another host. Retries follow the normal policy: a POST (a call, a
        create) is never repeated.

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: ``/api/v2/...`` with an optional ``?query``.
            json_body: The JSON body; None sends no body.

        Returns:
            The 200..205 response (read).

        Raises:
            ValueError: Another method, or not a relative ``/api/v2/`` path.
            ApiError: As for every request (status errors carry the decoded ErrorBody).
        """
        verb = method.strip().upper()
        if verb not in self.RAW_METHODS:
            raise ValueError(f"method: {method!r} is not one of {', '.join(sorted(self.RAW_METHODS))}")
        parts = urlsplit(path.strip())
        if parts.scheme or parts.netloc or not parts.path.startswith("/api/v2/") or ".." in parts.path:
            raise ValueError(f"path: {path!r} must be a relative API path starting with /api/v2/")
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if json_body is None:
            return self._send(verb, url)
        return self._send(verb, url, json=json_body)

    # -- external contacts ---------------------------------------------------

    def search_external_contacts(
        self, q: str, *, page_size: int = 25, page_number: int = 1
    ) -> Page[ExternalContact]:
        """Search external contacts (``GET /api/v2/externalcontacts/contacts?q=``)."""
        params = _query(q=q, pageSize=page_size, pageNumber=page_number)
        return self._get_page("/api/v2/externalcontacts/contacts", ExternalContact, params)

    def create_external_contact(self, contact: ExternalContact) -> ExternalContact:
        """Create an external contact."""
        response = self._send("POST", "/api/v2/externalcontacts/contacts", json=contact.to_wire())
        return self._decode(response, ExternalContact)

    # -- contact-list templates (§7) -----------------------------------------

    _TEMPLATES = "/api/v2/outbound/contactlisttemplates"

    def list_contact_list_templates(
        self,
        *,
        page_size: int = 25,
        page_number: int = 1,
        name: str | None = None,
        filter_type: str | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> Page[ContactListTemplate]:
        """One page of contact-list templates (``name`` is a prefix filter by default)."""
        params = _query(
            pageSize=page_size,
            pageNumber=page_number,
            name=name,
            filterType=filter_type,
            sortBy=sort_by,
            sortOrder=sort_order,
        )
        return self._get_page(self._TEMPLATES, ContactListTemplate, params)

    def get_contact_list_template(self, template_id: str) -> ContactListTemplate:
        """One contact-list template."""
        return self._decode(self._send("GET", f"{self._TEMPLATES}/{_seg(template_id)}"), ContactListTemplate)

    def create_contact_list_template(self, template: ContactListTemplate) -> ContactListTemplate:
        """Create a template (200); read-only and list-only fields are never sent."""
        return self._decode(
            self._send("POST", self._TEMPLATES, json=template.create_body()), ContactListTemplate
        )
