"""The window's session: a Qt controller over the Qt-free connection layer (``console.connect``).

:class:`SessionController` is the GUI-thread object that owns the active profile, the signed-in
user, the request log feed, the rate-limit state and the shared transports (one per proxy,
each with an abort switch), and runs the connection test and the PKCE sign-in of
:mod:`console.connect` through the worker pattern.

Later windows get a client for their own worker with ``session.new_client(cancel=worker.cancel_event)``
and run it with a :class:`~console.ui.workers.WorkerController` of their own; a child process gets
a picklable :meth:`SessionController.client_spec` and builds its client with
:func:`console.connect.build_client`.

The names that used to live here (``endpoint_for``, ``resolve_credentials``, ``build_client``,
the transports, the report models) are re-exported for compatibility.
"""

from __future__ import annotations

import threading
import time
import webbrowser
from collections.abc import Callable

import httpx
from pydantic import SecretStr
from PySide6.QtCore import QObject, Signal, Slot

from console.api.auth import AccessToken
from console.api.client import GenesysClient
from console.api.errors import ApiConnectionError, ApiTimeoutError
from console.api.logging import ExchangeRecord
from console.api.ratelimit import RateLimitState
from console.api.transport import ConsoleTransport
from console.connect import (
    ClientSpec,
    ConnectionReport,
    SignedInUser,
    run_connection_test,
    sign_in_user,
    spec_for,
)
from console.connect import build_client as build_client_from_spec
from console.connect.check import TEST_LIMITS, TestDeadline, TestLimits, connection_cause
from console.credentials import CredentialsError, Profile, SecretVault
from console.errors import Cancelled
from console.ui.api_log import ExchangeRecorder
from console.ui.errors import ErrorSink
from console.ui.workers import FunctionWorker, WorkerController


def build_client(
    profile: Profile,
    secret: SecretStr | None,
    *,
    user_token: AccessToken | None = None,
    on_exchange: Callable[[ExchangeRecord], None] | None = None,
    cancel: threading.Event | None = None,
    transport: httpx.BaseTransport | None = None,
) -> GenesysClient:
    """A client for the profile (``console.connect.build_client`` of :func:`~console.connect.spec_for`).

    Raises:
        CredentialsError: A client-credentials profile without a secret.
    """
    spec = spec_for(profile, secret, user_token)
    return build_client_from_spec(spec, on_exchange=on_exchange, cancel=cancel, transport=transport)


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
        sign_in_failed(object): the exception of a failed sign-in (also sent to the error sink).
        signed_out(): the user token was forgotten.
        busy_changed(bool): a test or sign-in started/ended.
        rate_limit_changed(object): the latest :class:`RateLimitState`.
        org_changed(str): the org name learnt from the last test of the active profile.
        org_status_changed(str): the status bar's words for the org ("checking…", the name, why not).
        test_cancelled(): the user cancelled a running connection test.

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
    sign_in_failed = Signal(object)
    signed_in = Signal(object)
    signed_out = Signal()
    busy_changed = Signal(bool)
    rate_limit_changed = Signal(object)
    org_changed = Signal(str)
    org_status_changed = Signal(str)
    test_cancelled = Signal()

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
        """The org the active profile reaches, once checked (None until then): writes name it."""
        self.org_status = "not checked"
        """The status bar's words for the org: the name, "checking…", or why it is not known."""
        self.test_limits: TestLimits = TEST_LIMITS
        """Time-outs of "Test connection" (short, so an unreachable region ends within 10 s)."""
        self._testing_id: str | None = None
        self._test_transport: ConsoleTransport | None = None
        self._after_check: list[tuple[Callable[[], None], Callable[[str], None] | None]] = []
        self.rate_limit: RateLimitState | None = None
        self.last_report: ConnectionReport | None = None
        self.transport = ConsoleTransport()
        """The transport of profiles without a proxy of their own (environment proxies, loopback direct)."""
        self._proxied: dict[str, ConsoleTransport] = {}
        self._session_secrets: dict[str, SecretStr] = {}
        self._test = WorkerController(self, sink=sink, context="Test connection")
        self._test.succeeded.connect(self._on_test_succeeded)
        self._test.failed.connect(self._on_test_failed)
        self._test.cancelled.connect(self._on_test_cancelled)
        self._test.started.connect(self._on_busy_changed)
        self._test.finished.connect(self._on_test_finished)
        self._login = WorkerController(self, sink=sink, context="Sign in as a user")
        self._login.succeeded.connect(self._on_login_succeeded)
        self._login.failed.connect(self._on_login_failed)
        self._login.started.connect(self._on_busy_changed)
        self._login.finished.connect(self._on_busy_changed)
        recorder.recorded.connect(self._on_recorder_recorded)

    # -- state -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a test or sign-in is running."""
        return self._test.is_running or self._login.is_running

    def set_profile(self, profile: Profile | None, *, check: bool = True) -> None:
        """Switch to ``profile`` and check its org at once; forgets the signed-in user of the previous one.

        Args:
            profile: The profile to use (None: none).
            check: Test the connection now (the org name for the status bar and every write
                confirmation). Skipped quietly when the profile's credentials are not at hand.
        """
        if self.user is not None and (
            profile is None or self.profile is None or profile.id != self.profile.id
        ):
            self.sign_out()
        self.profile = profile
        self.org_name = None
        self._fail_waiting("the profile was switched before its org was checked")
        self._set_org_status("-" if profile is None else "not checked")
        self.profile_changed.emit(profile)
        if check and profile is not None:
            self.check_org()
        elif profile is not None and self.missing_credentials() is not None:
            self._set_org_status("not checked (no credentials)")

    def _set_org_status(self, text: str) -> None:
        self.org_status = text
        self.org_status_changed.emit(text)

    def missing_credentials(self, profile: Profile | None = None) -> str | None:
        """Why the active profile (or ``profile``) cannot connect now, in a sentence; None when it can."""
        target = profile or self.profile
        if target is None:
            return "No profile is selected."
        active = self.profile is not None and target.id == self.profile.id
        if not target.needs_secret:
            if self.user is not None and active:
                return None
            return f"“{target.name}” signs in as a user: choose “Sign in as a user” to connect."
        try:
            secret = self.secret_for(target)
        except CredentialsError as exc:
            return (
                f"The client secret of “{target.name}” cannot be read from the system keyring ({exc}). "
                "Type it in and save (or use it for this session only)."
            )
        if secret is None:
            return (
                f"The client secret of “{target.name}” is not stored on this computer. "
                "Type it in and choose “Save & use this profile”."
            )
        return None

    def check_org(self) -> None:
        """Test the active profile now to learn its org; quiet when its credentials are not at hand."""
        if self.profile is None:
            return
        missing = self.missing_credentials()
        if missing is not None:
            self._set_org_status("not checked (no credentials)")
            self._fail_waiting(missing)
            return
        self._set_org_status("checking…")
        self.test_connection()

    def after_org_check(self, then: Callable[[], None], failed: Callable[[str], None] | None = None) -> None:
        """Run ``then`` once the active profile's org is checked (at once when it already is).

        A write asks this first, so its confirmation names the checked org (:attr:`org_name`),
        never "not checked yet". When the check fails, ``failed`` gets a sentence saying why (the
        error itself goes to the error sink as usual).
        """
        if self.org_name is not None:
            then()
            return
        self._after_check.append((then, failed))
        if not (self._test.is_running and self._testing_id == (self.profile.id if self.profile else None)):
            self.check_org()

    def _fail_waiting(self, why: str) -> None:
        waiting, self._after_check = self._after_check, []
        for _then, failed in waiting:
            if failed is not None:
                failed(why)

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

    def transport_for(self, profile: Profile) -> ConsoleTransport:
        """The shared transport of ``profile``: its own proxy's, else :attr:`transport`."""
        if not profile.proxy_url:
            return self.transport
        found = self._proxied.get(profile.proxy_url)
        if found is None:
            found = self._proxied[profile.proxy_url] = ConsoleTransport(profile.proxy_url)
        return found

    def _transports(self) -> list[ConsoleTransport]:
        return [self.transport, *self._proxied.values()]

    def client_spec(self, profile: Profile | None = None) -> ClientSpec:
        """The picklable spec of the active profile's (or ``profile``'s) client, for a child process.

        The child builds its client with :func:`console.connect.build_client` (its own transport,
        the profile's proxy, the same time-outs and credentials as the window's clients).

        Raises:
            CredentialsError: No profile, or no usable secret or token.
        """
        target, secret, user_token = self.credentials(profile)
        return spec_for(target, secret, user_token)

    def new_client(
        self, *, cancel: threading.Event | None = None, profile: Profile | None = None
    ) -> GenesysClient:
        """A client for the active profile (or ``profile``) for one worker; the caller closes it.

        Uses the signed-in user's token when there is one, else client credentials.

        Raises:
            CredentialsError: No profile, or no usable secret.
        """
        target, secret, user_token = self.credentials(profile)
        return build_client_from_spec(
            spec_for(target, secret, user_token),
            on_exchange=self.recorder.record,
            cancel=cancel,
            transport=self.transport_for(target),
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
        # its own transport: Cancel aborts the test's requests without touching other pages' ones
        self._test_transport = ConsoleTransport(target.proxy_url)
        self._testing_id = target.id
        worker = FunctionWorker(
            _run_test,
            target,
            secret,
            user_token,
            self.recorder.record,
            self._test_transport,
            self.test_limits,
        )
        self._test.start(worker)

    @property
    def testing(self) -> bool:
        """Whether a connection test runs."""
        return self._test.is_running

    def cancel_test(self) -> None:
        """Stop a running connection test now (its requests are aborted); emits ``test_cancelled``."""
        if not self._test.is_running:
            return
        self._test.cancel()
        if self._test_transport is not None:
            self._test_transport.abort()

    def sign_in(self, profile: Profile | None = None) -> None:
        """Run the PKCE sign-in for ``profile`` (default: the active one) in a worker."""
        target = profile or self.profile
        if self._login.is_running:
            return  # the browser sign-in already waits
        if target is None:
            self.sink.report(CredentialsError("No profile is selected."), context="Sign in as a user")
            return
        self._login.start(
            FunctionWorker(
                _run_sign_in, target, self.open_browser, self.recorder.record, self.transport_for(target)
            )
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
        for transport in self._transports():
            transport.abort()
        if self._test_transport is not None:
            self._test_transport.abort()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel and join this controller's workers."""
        self.cancel_all()
        joined = self._test.shutdown(timeout_ms) and self._login.shutdown(timeout_ms)
        if joined:
            for transport in self._transports():
                transport.close()
        return joined

    # -- slots -------------------------------------------------------------------------------

    def _tested_active(self) -> bool:
        return self.profile is not None and self._testing_id == self.profile.id

    @Slot(object)
    def _on_test_succeeded(self, report: object) -> None:
        if not isinstance(report, ConnectionReport):
            return
        self.last_report = report
        if self._tested_active():
            self.org_name = report.org_name
            self._set_org_status(report.org_name)
            self.org_changed.emit(report.org_name)
            waiting, self._after_check = self._after_check, []
            for then, _failed in waiting:
                then()
        self.connection_tested.emit(report)

    @Slot(object)
    def _on_test_failed(self, exc: object) -> None:
        if self._tested_active():
            self._set_org_status("not reached")
            self._fail_waiting("the connection test failed, so the org is not known")
        self.connection_failed.emit(exc)

    @Slot()
    def _on_test_cancelled(self) -> None:
        if self._tested_active():
            self._set_org_status("not checked (test cancelled)")
            self._fail_waiting("the connection test was cancelled, so the org is not known")
        self.test_cancelled.emit()

    @Slot()
    def _on_test_finished(self) -> None:
        transport, self._test_transport = self._test_transport, None
        if transport is not None:
            transport.close()
        self._testing_id = None
        self._on_busy_changed()
        if self._after_check and self.org_name is None and not self._test.is_running:
            self.check_org()  # a write waits, but the test that ran was of another profile

    @Slot(object)
    def _on_login_succeeded(self, user: object) -> None:
        if isinstance(user, SignedInUser):
            self.user = user
            self.signed_in.emit(user)
            if self.org_name is None:
                self.check_org()

    @Slot(object)
    def _on_login_failed(self, exc: object) -> None:
        self.sign_in_failed.emit(exc)

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
    transport: ConsoleTransport,
    limits: TestLimits,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> ConnectionReport:
    spec = limits.apply(spec_for(profile, secret, user_token))
    with (
        TestDeadline(limits.total, transport.abort) as deadline,
        build_client_from_spec(spec, on_exchange=on_exchange, cancel=cancel, transport=transport) as client,
    ):
        client.max_retries = 0  # a test reports at once; retrying would hide an unreachable region
        try:
            return run_connection_test(client, profile, cancel=cancel)
        except (ApiConnectionError, Cancelled) as exc:  # the deadline's abort reads as a cancel
            if cancel.is_set():
                raise Cancelled from exc
            request = getattr(exc, "request", None)
            if deadline.expired:
                late = connection_cause(ApiTimeoutError(str(exc)), profile)
                raise ApiTimeoutError(f"No answer within {limits.total:g} s: {late}", request) from exc
            if isinstance(exc, Cancelled):
                raise
            raise ApiConnectionError(connection_cause(exc, profile), request) from exc


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


__all__ = ["ConnectionReport", "SessionController", "SignedInUser", "build_client"]
