"""The one place the UI glues profiles and secrets to the api layer's ``GenesysClient``.

Plain functions here run on worker threads (they take a cancel ``threading.Event``):
:func:`build_client`, :func:`test_connection`, :func:`sign_in_user`. :class:`SessionController`
is the GUI-thread object that owns the active profile, the signed-in user, the request log
feed and the rate-limit state, and runs those functions through the worker pattern.

Later windows get a client for their own worker with ``session.new_client(cancel=worker.cancel_event)``
and run it with a :class:`~console.ui.workers.WorkerController` of their own.
"""

from __future__ import annotations

import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from weakref import WeakSet

import httpcore
import httpx
from pydantic import SecretStr
from PySide6.QtCore import QObject, Signal, Slot

from console.api.auth import AccessToken, ClientCredentialsAuth, PkceLogin, UserTokenAuth
from console.api.client import GenesysClient
from console.api.errors import ApiStatusError, PermissionDeniedError
from console.api.logging import ExchangeRecord
from console.api.models import ContactList, CreateCallRequest, WritableDialerContact
from console.api.ratelimit import RateLimitState
from console.api.regions import Endpoint, Region
from console.api.transport import ssl_context
from console.credentials import CUSTOM_REGION, CredentialsError, Profile, SecretVault, SignInMethod
from console.errors import Cancelled
from console.ui.api_log import ExchangeRecorder
from console.ui.errors import ErrorSink
from console.ui.workers import FunctionWorker, WorkerController

# --------------------------------------------------------------------------------------------
# Abortable sockets: lets the app quit mid-request instead of waiting for a read time-out.
# --------------------------------------------------------------------------------------------


class _AbortableBackend(httpcore.SyncBackend):
    """httpcore's sync backend that remembers its sockets so :meth:`abort_all` can shut them down."""

    def __init__(self) -> None:
        self._streams: WeakSet[httpcore.NetworkStream] = WeakSet()
        self._lock = threading.Lock()
        self.aborted = False

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if self.aborted:
            raise httpcore.ConnectError("the application is closing")
        stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
        with self._lock:
            self._streams.add(stream)
        return stream

    def abort_all(self) -> None:
        """Shut every open socket down; a blocked ``recv`` on a worker thread returns at once."""
        self.aborted = True
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue  # already closed


class AbortableTransport(httpx.HTTPTransport):
    """An ``httpx.HTTPTransport`` (OS trust store TLS) whose in-flight requests can be aborted.

    ``abort()`` is called from the GUI thread on close; the worker's request fails with a
    connection error and, because its cancel flag is set, the worker reports a cancel.
    """

    def __init__(self) -> None:
        super().__init__(verify=ssl_context())
        self._backend = _AbortableBackend()
        # httpx does not expose httpcore's network_backend; the test of abort() guards this line.
        self._pool._network_backend = self._backend

    def abort(self) -> None:
        """Abort every request in flight and refuse new connections."""
        self._backend.abort_all()


class BorrowedTransport(httpx.BaseTransport):
    """The session's transport lent to one client: closing the client leaves the shared pool open.

    Every client of a session shares one :class:`AbortableTransport` (one connection pool, one
    abort switch). ``httpx.Client.close()`` closes its transport, which would cut the
    connections under other workers' requests; the borrowed view makes that close a no-op.
    The session closes the real transport in :meth:`SessionController.shutdown`.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the shared transport."""
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Nothing: the owner closes the shared transport."""


# --------------------------------------------------------------------------------------------
# Models carried by signals
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PermissionCheck:
    """Whether the credentials may perform one of the console's actions.

    Attributes:
        action: The console action in words ("Browse contact lists").
        permission: The Genesys permission it needs.
        allowed: True/False, or None when the probe could not tell.
        detail: What the probe saw (decoded 403, status).
        method: "read" (a GET) or "dry-run" (an empty write the server must refuse; nothing is created).
    """

    action: str
    permission: str
    allowed: bool | None
    detail: str
    method: str = "read"


@dataclass(frozen=True)
class ConnectionReport:
    """The result of "Test connection".

    Attributes:
        profile_name: Profile tested.
        org_name: Organization name.
        org_id: Organization id.
        region: Region name or custom base URL.
        grant: How the token was obtained, in words.
        token_type: ``bearer``.
        token_lifetime: Seconds the token is valid for, when known.
        user: "Name <email>" when the token has a user context, else None.
        checks: One entry per console action.
        rate_limit: The budget reported by the last answer.
    """

    profile_name: str
    org_name: str
    org_id: str
    region: str
    grant: str
    token_type: str
    token_lifetime: float | None
    user: str | None
    checks: list[PermissionCheck] = field(default_factory=list)
    rate_limit: RateLimitState | None = None


@dataclass(frozen=True)
class SignedInUser:
    """A user signed in with PKCE.

    Attributes:
        name: Display name.
        email: E-mail, if known.
        user_id: User id.
        token: The user's token (``SecretStr`` inside; never shown).
    """

    name: str
    email: str | None
    user_id: str | None
    token: AccessToken = field(repr=False)

    @property
    def label(self) -> str:
        """``Name <email>``."""
        return f"{self.name} <{self.email}>" if self.email else self.name


# --------------------------------------------------------------------------------------------
# Worker-thread functions (no Qt)
# --------------------------------------------------------------------------------------------


def endpoint_for(profile: Profile) -> Endpoint:
    """The API/login endpoint of a profile (a region, or its custom base URL)."""
    if profile.region == CUSTOM_REGION:
        return Endpoint.custom(profile.custom_url or "")
    return Endpoint.for_region(profile.region)


def region_label(profile: Profile) -> str:
    """Short label for the status bar: ``eu_west_1`` or the custom URL."""
    return profile.custom_url or "" if profile.region == CUSTOM_REGION else profile.region


def _lifetime(token: AccessToken | None) -> float | None:
    if token is None or token.expires_at is None:
        return None
    return round(token.expires_at - time.monotonic())


_PROBE_ID = "00000000-0000-0000-0000-000000000000"
"""An id that names nothing: the target of the dry-run write probes."""


def _probe(
    action: str, permission: str, call: Callable[[], object], *, dry_run: bool = False
) -> PermissionCheck:
    method = "dry-run" if dry_run else "read"
    try:
        call()
    except PermissionDeniedError as exc:
        missing = ", ".join(exc.missing_permissions) or permission
        return PermissionCheck(action, permission, False, f"403: missing {missing}", method)
    except ApiStatusError as exc:
        if dry_run and exc.status_code in (400, 404, 409, 413, 415):
            # the permission check passed; only the deliberately empty request was refused
            return PermissionCheck(
                action, permission, True, f"empty request refused with {exc.status_code}", method
            )
        return PermissionCheck(
            action, permission, None, f"{exc.status_code} {exc.code or ''}".strip(), method
        )
    if dry_run:
        return PermissionCheck(action, permission, True, "accepted", method)
    return PermissionCheck(action, permission, True, "200", method)


def permission_checks(client: GenesysClient, *, user_context: bool) -> list[PermissionCheck]:
    """Probe the console's actions: GETs for reading, empty (invalid) writes for writing.

    A write probe sends a body the server must refuse (no name, no columns, no number): a
    403 names the missing permission; a 400/404 means the permission check passed. Nothing
    is created either way.
    """

    def call_probe() -> object:
        if user_context:
            return client.create_call(CreateCallRequest())
        return client.create_call_for_user(_PROBE_ID, CreateCallRequest())

    return [
        _probe(
            "Browse contact lists",
            "outbound:contactList:view",
            lambda: client.list_contact_lists(page_size=1),
        ),
        _probe("Pick queues for test calls", "routing:queue:view", lambda: client.get_queues(page_size=1)),
        _probe(
            "Read attempt limits",
            "outbound:attemptLimits:view",
            lambda: client.get_attempt_limits(page_size=1),
        ),
        _probe(
            "Create contact lists",
            "outbound:contactList:add",
            lambda: client.create_contact_list(ContactList()),
            dry_run=True,
        ),
        _probe(
            "Upload contacts",
            "outbound:contact:add",
            lambda: client.add_contacts(
                _PROBE_ID, [WritableDialerContact.model_validate({"contactListId": _PROBE_ID, "data": {}})]
            ),
            dry_run=True,
        ),
        _probe("Place test calls", "conversation:call:add", call_probe, dry_run=True),
    ]


def resolve_credentials(
    profile: Profile, secret: SecretStr | None, user_token: AccessToken | None
) -> tuple[str, SecretStr | None, AccessToken | None]:
    """What a client of ``profile`` authenticates with: ``(client id, secret, user token)``.

    The signed-in user's token wins; otherwise client credentials. One place for these checks,
    used by every client the app builds (in-process workers and the upload's child process).

    Raises:
        CredentialsError: A user-login profile nobody signed in to, or no client secret.
    """
    if user_token is not None:
        return profile.pkce_client_id or profile.client_id, None, user_token
    if profile.sign_in is SignInMethod.PKCE:
        raise CredentialsError(f'Profile {profile.name!r} signs in as a user: use "Sign in as a user" first.')
    if secret is None:
        raise CredentialsError(f"No client secret is stored for profile {profile.name!r}. Enter it and save.")
    return profile.client_id, secret, None


def build_client(
    profile: Profile,
    secret: SecretStr | None,
    *,
    user_token: AccessToken | None = None,
    on_exchange: Callable[[ExchangeRecord], None] | None = None,
    cancel: threading.Event | None = None,
    transport: httpx.BaseTransport | None = None,
) -> GenesysClient:
    """A client for the profile: the user's token when signed in, else client credentials.

    Raises:
        CredentialsError: A client-credentials profile without a secret.
    """
    endpoint = endpoint_for(profile)
    client_id, secret, user_token = resolve_credentials(profile, secret, user_token)
    auth: httpx.Auth
    if user_token is not None:
        auth = UserTokenAuth(endpoint, client_id, user_token)
    else:
        auth = ClientCredentialsAuth(endpoint, client_id, secret or SecretStr(""))
    borrowed = BorrowedTransport(transport) if transport is not None else None
    return GenesysClient(endpoint, auth, on_exchange=on_exchange, cancel=cancel, transport=borrowed)


def run_connection_test(
    client: GenesysClient, profile: Profile, *, cancel: threading.Event | None = None
) -> ConnectionReport:
    """Token, org, token info, user context and permission probes, in that order."""
    org = client.get_organization()  # gets the token first (client credentials)
    user: str | None = None
    user_token = isinstance(client.auth, UserTokenAuth)
    if user_token:
        me = client.get_me()
        user = f"{me.name} <{me.email}>" if me.email else (me.name or me.id)
    info = client.get_token_info()
    token = client.auth.token if isinstance(client.auth, ClientCredentialsAuth | UserTokenAuth) else None
    if cancel is not None and cancel.is_set():
        raise Cancelled
    checks = permission_checks(client, user_context=user_token)
    grant = "user login (PKCE)" if user_token else "client credentials"
    if info.oauth_client and info.oauth_client.get("name"):
        grant += f', OAuth client "{info.oauth_client["name"]}"'
    return ConnectionReport(
        profile_name=profile.name,
        org_name=org.name or "?",
        org_id=org.id or "?",
        region=region_label(profile),
        grant=grant,
        token_type=token.token_type if token else "bearer",
        token_lifetime=_lifetime(token),
        user=user,
        checks=checks,
        rate_limit=client.rate_limit,
    )


def sign_in_user(
    profile: Profile,
    *,
    open_browser: Callable[[str], object],
    on_exchange: Callable[[ExchangeRecord], None] | None = None,
    cancel: threading.Event | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 180.0,
) -> SignedInUser:
    """PKCE sign-in in the system browser, then ``GET /users/me`` to show who signed in."""
    endpoint = endpoint_for(profile)
    client_id = profile.client_id if profile.sign_in is SignInMethod.PKCE else profile.pkce_client_id
    if not client_id:
        raise CredentialsError(
            f'Profile {profile.name!r} has no user-login client id. Set "User login client" in the profile.'
        )
    def record(response: httpx.Response) -> None:
        # The token exchange is an exchange of the session like any other: it belongs in the API log.
        response.read()
        if on_exchange is not None:
            on_exchange(ExchangeRecord.from_response(response, duration=response.elapsed.total_seconds()))

    http = (
        httpx.Client(
            transport=BorrowedTransport(transport),
            timeout=httpx.Timeout(30.0, connect=5.0),
            event_hooks={"response": [record]},
        )
        if transport
        else None
    )
    try:
        login = PkceLogin(
            endpoint,
            client_id,
            port=profile.redirect_port,
            open_browser=open_browser,
            timeout=timeout,
            http=http,
        )
        token = login.run(cancel)
    finally:
        if http is not None:
            http.close()
    auth = UserTokenAuth(endpoint, client_id, token)
    borrowed = BorrowedTransport(transport) if transport is not None else None
    with GenesysClient(endpoint, auth, on_exchange=on_exchange, cancel=cancel, transport=borrowed) as client:
        me = client.get_me()
    return SignedInUser(name=me.name or "?", email=me.email, user_id=me.id, token=token)


# --------------------------------------------------------------------------------------------
# GUI-thread controller
# --------------------------------------------------------------------------------------------


class SessionController(QObject):
    """The active connection: profile, secret lookup, signed-in user, request log, rate limit.

    Signals:
        profile_changed(object): the active :class:`Profile` (or None).
        connection_tested(object): a :class:`ConnectionReport`.
        connection_failed(object): the exception of a failed test (also sent to the error sink).
        signed_in(object): a :class:`SignedInUser`.
        signed_out(): the user token was forgotten.
        busy_changed(bool): a test or sign-in started/ended.
        rate_limit_changed(object): the latest :class:`RateLimitState`.
        org_changed(str): the org name learnt from the last test.

    Args:
        vault: Where secrets are looked up.
        sink: The app's error sink.
        recorder: The request-log feed.
        open_browser: Opens the PKCE authorize URL (``webbrowser.open``; tests inject one).
        parent: Owner (the main window).
    """

    profile_changed = Signal(object)
    connection_tested = Signal(object)
    connection_failed = Signal(object)
    signed_in = Signal(object)
    signed_out = Signal()
    busy_changed = Signal(bool)
    rate_limit_changed = Signal(object)
    org_changed = Signal(str)

    def __init__(
        self,
        vault: SecretVault,
        sink: ErrorSink,
        recorder: ExchangeRecorder,
        *,
        open_browser: Callable[[str], object] = webbrowser.open,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.sink = sink
        self.recorder = recorder
        self.open_browser = open_browser
        self.profile: Profile | None = None
        self.user: SignedInUser | None = None
        self.org_name: str | None = None
        self.rate_limit: RateLimitState | None = None
        self.last_report: ConnectionReport | None = None
        self.transport = AbortableTransport()
        self._session_secrets: dict[str, SecretStr] = {}
        self._test = WorkerController(self, sink=sink, context="Test connection")
        self._test.succeeded.connect(self._on_test_succeeded)
        self._test.failed.connect(self._on_test_failed)
        self._test.started.connect(self._on_busy_changed)
        self._test.finished.connect(self._on_busy_changed)
        self._login = WorkerController(self, sink=sink, context="Sign in as a user")
        self._login.succeeded.connect(self._on_login_succeeded)
        self._login.started.connect(self._on_busy_changed)
        self._login.finished.connect(self._on_busy_changed)
        recorder.recorded.connect(self._on_recorder_recorded)

    # -- state -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a test or sign-in is running."""
        return self._test.is_running or self._login.is_running

    def set_profile(self, profile: Profile | None) -> None:
        """Switch to ``profile``; forgets the signed-in user of the previous one."""
        if self.user is not None and (
            profile is None or self.profile is None or profile.id != self.profile.id
        ):
            self.sign_out()
        self.profile = profile
        self.org_name = None
        self.profile_changed.emit(profile)

    def hold_secret(self, profile_id: str, secret: SecretStr) -> None:
        """Keep a secret in memory for this process only (the sandbox's well-known secret)."""
        self._session_secrets[profile_id] = secret

    def secret_for(self, profile: Profile) -> SecretStr | None:
        """The profile's secret: held in memory, else the vault (session store, then keyring).

        Raises:
            CredentialsError: The keyring failed and no in-memory secret exists.
        """
        held = self._session_secrets.get(profile.id)
        return held if held is not None else self.vault.get(profile.id)

    def new_client(
        self, *, cancel: threading.Event | None = None, profile: Profile | None = None
    ) -> GenesysClient:
        """A client for the active profile (or ``profile``) for one worker; the caller closes it.

        Uses the signed-in user's token when there is one, else client credentials.

        Raises:
            CredentialsError: No profile, or no usable secret.
        """
        target, secret, user_token = self.credentials(profile)
        return build_client(
            target,
            secret,
            user_token=user_token,
            on_exchange=self.recorder.record,
            cancel=cancel,
            transport=self.transport,
        )

    def credentials(
        self, profile: Profile | None = None
    ) -> tuple[Profile, SecretStr | None, AccessToken | None]:
        """The active profile (or ``profile``), its secret and the signed-in user's token, if any.

        Raises:
            CredentialsError: No profile is selected.
        """
        target = profile or self.profile
        if target is None:
            raise CredentialsError("No profile is selected. Open Profiles and add one.")
        secret = self.secret_for(target) if target.needs_secret else None
        user_token = self.user.token if self.user is not None and target is self.profile else None
        return target, secret, user_token

    # -- actions -----------------------------------------------------------------------------

    def test_connection(self, profile: Profile | None = None, secret: SecretStr | None = None) -> None:
        """Test ``profile`` (default: the active one) in a worker; emits ``connection_tested``."""
        target = profile or self.profile
        if self._test.is_running:
            return  # one test at a time; the running one will report
        if target is None:
            self.sink.report(CredentialsError("No profile is selected."), context="Test connection")
            return
        try:
            if secret is None and target.needs_secret:
                secret = self.secret_for(target)
            active = self.profile is not None and target.id == self.profile.id
            user_token = self.user.token if self.user is not None and active else None
            if user_token is None and not target.needs_secret:
                raise CredentialsError(
                    f'Profile {target.name!r} signs in as a user: click "Sign in as a user" first.'
                )
        except CredentialsError as exc:
            self.sink.report(exc, context="Test connection")
            self.connection_failed.emit(exc)
            return
        worker = FunctionWorker(_run_test, target, secret, user_token, self.recorder.record, self.transport)
        self._test.start(worker)

    def sign_in(self, profile: Profile | None = None) -> None:
        """Run the PKCE sign-in for ``profile`` (default: the active one) in a worker."""
        target = profile or self.profile
        if self._login.is_running:
            return  # the browser sign-in already waits
        if target is None:
            self.sink.report(CredentialsError("No profile is selected."), context="Sign in as a user")
            return
        self._login.start(
            FunctionWorker(_run_sign_in, target, self.open_browser, self.recorder.record, self.transport)
        )

    def sign_out(self) -> None:
        """Forget the user token (the next requests use client credentials again)."""
        if self.user is None:
            return
        self.user = None
        self.signed_out.emit()

    def cancel_all(self) -> None:
        """Cancel running work and abort in-flight requests (used on close)."""
        self._test.cancel()
        self._login.cancel()
        self.transport.abort()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel and join this controller's workers."""
        self.cancel_all()
        joined = self._test.shutdown(timeout_ms) and self._login.shutdown(timeout_ms)
        if joined:
            self.transport.close()
        return joined

    # -- slots -------------------------------------------------------------------------------

    @Slot(object)
    def _on_test_succeeded(self, report: object) -> None:
        if not isinstance(report, ConnectionReport):
            return
        self.last_report = report
        if self.profile is not None and report.profile_name == self.profile.name:
            self.org_name = report.org_name
            self.org_changed.emit(report.org_name)
        self.connection_tested.emit(report)

    @Slot(object)
    def _on_test_failed(self, exc: object) -> None:
        self.connection_failed.emit(exc)

    @Slot(object)
    def _on_login_succeeded(self, user: object) -> None:
        if isinstance(user, SignedInUser):
            self.user = user
            self.signed_in.emit(user)

    @Slot()
    def _on_busy_changed(self) -> None:
        self.busy_changed.emit(self.busy)

    @Slot(object)
    def _on_recorder_recorded(self, entry: object) -> None:
        from console.ui.api_log import LogEntry

        if not isinstance(entry, LogEntry):
            return
        headers = entry.record.response_headers
        state = RateLimitState.from_headers(headers, now=time.monotonic())
        if state is not None:
            self.rate_limit = state
            self.rate_limit_changed.emit(state)


def _run_test(
    profile: Profile,
    secret: SecretStr | None,
    user_token: AccessToken | None,
    on_exchange: Callable[[ExchangeRecord], None],
    transport: httpx.BaseTransport,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> ConnectionReport:
    with build_client(
        profile, secret, user_token=user_token, on_exchange=on_exchange, cancel=cancel, transport=transport
    ) as client:
        return run_connection_test(client, profile, cancel=cancel)


def _run_sign_in(
    profile: Profile,
    open_browser: Callable[[str], object],
    on_exchange: Callable[[ExchangeRecord], None],
    transport: httpx.BaseTransport,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> SignedInUser:
    return sign_in_user(
        profile, open_browser=open_browser, on_exchange=on_exchange, cancel=cancel, transport=transport
    )


__all__ = [
    "AbortableTransport",
    "ConnectionReport",
    "PermissionCheck",
    "Region",
    "SessionController",
    "SignedInUser",
    "build_client",
    "endpoint_for",
    "run_connection_test",
    "sign_in_user",
]
