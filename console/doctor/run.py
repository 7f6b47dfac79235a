"""Run every doctor step against one target, in order, read-only and time-bounded.

:func:`run_doctor` is what the command line and the window's worker call; it takes plain flags (a cancel
``threading.Event`` and a progress callback receiving each :class:`StepResult` as it ends), so it runs the
same on a worker thread or in a terminal. Nothing it returns holds the secret or the token: every text
is scrubbed of both before it leaves (:func:`scrub`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx

from console.api.auth import ClientCredentialsAuth, UserTokenAuth
from console.api.client import GenesysClient
from console.api.logging import ExchangeRecord
from console.api.regions import Endpoint
from console.api.transport import BorrowedTransport, ConsoleTransport, new_http_client
from console.connect.client import ClientSpec, build_client
from console.connect.signin import DEFAULT_REDIRECT_PORT, redirect_uri
from console.credentials import Profile, SignInMethod
from console.doctor.api_steps import (
    CLIENT_CREDENTIALS,
    USER_LOGIN,
    Found,
    oauth_step,
    org_step,
    outbound_step,
    rate_limit_step,
)
from console.doctor.live import live_updates_step
from console.doctor.network import MAX_SKEW_SECONDS, Resolver, clock_step, network_step, system_resolver
from console.doctor.result import DoctorReport, DoctorTarget, Outcome, StepResult
from console.errors import Cancelled

__all__ = ["DoctorOptions", "run_doctor", "scrub", "target_for"]

REDACTED = "<redacted>"


@dataclass(frozen=True)
class DoctorOptions:
    """How long the doctor waits, and its seams for tests.

    Attributes:
        timeout: Seconds for any one answer (token requests included).
        connect_timeout: Seconds to connect.
        heartbeat_timeout: Longest wait for the notification channel's first heartbeat.
        max_skew: Clock skew (seconds) past which the clock step fails.
        clock: This computer's clock, epoch seconds (the clock step).
        resolve: Name resolver (the network step).
    """

    timeout: float = 10.0
    connect_timeout: float = 5.0
    heartbeat_timeout: float = 35.0
    max_skew: float = MAX_SKEW_SECONDS
    clock: Callable[[], float] = time.time
    resolve: Resolver = system_resolver


def target_for(
    profile: Profile | None, endpoint: Endpoint, client_id: str, *, sign_in: SignInMethod
) -> DoctorTarget:
    """The non-secret description of what is checked (a profile, or a ``--base-url``/``--client-id`` pair)."""
    pkce = sign_in is SignInMethod.PKCE
    port = (profile.redirect_port if profile is not None else 0) or DEFAULT_REDIRECT_PORT
    return DoctorTarget(
        profile=profile.name if profile is not None else None,
        region=endpoint.label,
        api_base=endpoint.api_base,
        login_base=endpoint.login_base,
        apps_base=endpoint.apps_base,
        client_id=client_id,
        sign_in=USER_LOGIN if pkce else CLIENT_CREDENTIALS,
        proxy=profile.proxy_url if profile is not None else None,
        redirect_uri=redirect_uri(port) if pkce else None,
    )


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``<redacted>`` (values under 4 characters are kept)."""
    for value in secrets:
        if len(value) >= 4:
            text = text.replace(value, REDACTED)
    return text


def _scrub_value(value: object, secrets: list[str]) -> object:
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {k: _scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v, secrets) for v in value]
    return value


def _scrub_result(result: StepResult, secrets: list[str]) -> StepResult:
    facts = _scrub_value(result.facts, secrets)
    return replace(
        result,
        detail=scrub(result.detail, secrets),
        cause=scrub(result.cause, secrets),
        fix=scrub(result.fix, secrets),
        facts=facts if isinstance(facts, dict) else {},
    )


class _Exchanges:
    """Every exchange's correlation id (per step), passed on to the caller's hook (the window's API log)."""

    def __init__(self, forward: Callable[[ExchangeRecord], None] | None) -> None:
        self.forward = forward
        self.ids: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, record: ExchangeRecord) -> None:
        if record.correlation_id:
            with self._lock:
                self.ids.append(record.correlation_id)
        if self.forward is not None:
            self.forward(record)

    def mark(self) -> int:
        with self._lock:
            return len(self.ids)

    def since(self, mark: int) -> tuple[str, ...]:
        with self._lock:
            return tuple(dict.fromkeys(self.ids[mark:]))


def _needs_token(step: str, why: str) -> StepResult:
    return StepResult(step, Outcome.SKIP, f"needs a token ({why}).")


def run_doctor(
    target: DoctorTarget,
    spec: ClientSpec | None,
    *,
    options: DoctorOptions | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[StepResult], None] | None = None,
    on_exchange: Callable[[ExchangeRecord], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> DoctorReport:
    """Every step in order; each result goes to ``progress`` as it ends.

    Args:
        target: What is checked (hosts, client id, sign-in method, proxy).
        spec: How to authenticate; None when there is no token to be had (a user-login profile nobody
            signed in to): the token steps are then skipped with that reason.
        options: Time-outs and seams.
        cancel: Checked between steps and while waiting for the heartbeat.
        progress: Receives each step's result.
        on_exchange: Receives every API exchange (redacted), e.g. the window's API log.
        transport: A transport to borrow (the window session's); None: a new one for the profile's proxy.

    Raises:
        Cancelled: ``cancel`` was set.
    """
    opts = options or DoctorOptions()
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    secrets: list[str] = []
    if spec is not None and spec.secret is not None:
        secrets.append(spec.secret.get_secret_value())
    if spec is not None and spec.user_token is not None:
        secrets.append(spec.user_token.value.get_secret_value())
    results: list[StepResult] = []
    exchanges = _Exchanges(on_exchange)
    found = Found()
    own_transport = transport is None
    route = transport if transport is not None else ConsoleTransport(target.proxy)

    def emit(result: StepResult, mark: int, t0: float) -> None:
        ids = tuple(dict.fromkeys([*result.correlation_ids, *exchanges.since(mark)]))
        final = _scrub_result(replace(result, correlation_ids=ids, seconds=time.monotonic() - t0), secrets)
        results.append(final)
        if progress is not None:
            progress(final)

    def check_cancel() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("the org check was cancelled")

    timeouts = httpx.Timeout(opts.timeout, connect=opts.connect_timeout)
    http = new_http_client(transport=BorrowedTransport(route), timeout=timeouts)
    client: GenesysClient | None = None
    try:
        t0, mark = time.monotonic(), exchanges.mark()
        emit(network_step(target, http, timeout=opts.timeout, resolve=opts.resolve), mark, t0)
        check_cancel()
        t0, mark = time.monotonic(), exchanges.mark()
        emit(clock_step(target, http, clock=opts.clock, max_skew=opts.max_skew), mark, t0)
        check_cancel()
        if spec is None:
            why = "sign in as a user first (Account > Sign in as a user), then check again"
            t0 = time.monotonic()
            detail = f"no user token: {why}"
            if target.redirect_uri:
                detail += f"; redirect URI {target.redirect_uri} (register exactly this on the OAuth client)"
            emit(StepResult("oauth", Outcome.SKIP, detail + "."), exchanges.mark(), t0)
            for step in ("org", "outbound", "rate-limit", "live-updates"):
                emit(_needs_token(step, "no user token"), exchanges.mark(), time.monotonic())
            return _report(target, results, started_at, found)
        spec = replace(spec, timeout=opts.timeout, connect_timeout=opts.connect_timeout)
        client = build_client(spec, on_exchange=exchanges, cancel=cancel, transport=route)
        client.max_retries = 0  # a 429 or a slow host shows in the step that met it
        t0, mark = time.monotonic(), exchanges.mark()
        oauth = oauth_step(client, target, found)
        token = client.auth.token if isinstance(client.auth, ClientCredentialsAuth | UserTokenAuth) else None
        if token is not None:
            secrets.append(token.value.get_secret_value())
        emit(oauth, mark, t0)
        check_cancel()
        if oauth.failed and token is None:
            for step in ("org", "outbound", "rate-limit", "live-updates"):
                emit(_needs_token(step, "the oauth step got none"), exchanges.mark(), time.monotonic())
            return _report(target, results, started_at, found)
        t0, mark = time.monotonic(), exchanges.mark()
        emit(org_step(client, target, found), mark, t0)
        check_cancel()
        t0, mark = time.monotonic(), exchanges.mark()
        emit(outbound_step(client, found), mark, t0)
        check_cancel()
        t0, mark = time.monotonic(), exchanges.mark()
        live = live_updates_step(
            client,
            found,
            proxy=target.proxy,
            heartbeat_timeout=opts.heartbeat_timeout,
            open_timeout=opts.timeout,
            cancel=cancel,
        )
        check_cancel()
        rate_t0, rate_mark = time.monotonic(), exchanges.mark()
        emit(rate_limit_step(client, found), rate_mark, rate_t0)
        emit(live, mark, t0)
        return _report(target, results, started_at, found)
    finally:
        if client is not None:
            client.close()
        http.close()
        if own_transport:
            route.close()


def _report(target: DoctorTarget, results: list[StepResult], started_at: str, found: Found) -> DoctorReport:
    return DoctorReport(target, tuple(results), started_at, org_name=found.org_name, org_id=found.org_id)
