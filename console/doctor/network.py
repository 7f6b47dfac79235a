"""The network and clock steps: hosts resolve, TLS verifies against the OS trust store, the clock agrees.

Neither step needs a token. Both send unauthenticated ``GET``s only (to each host's root), through the
console's own transport (:class:`~console.api.transport.ConsoleTransport`: OS trust store via
``truststore``, the profile's proxy or the environment's), so what they see is what every other request
of the console will see.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from console.api.explain import ErrorFacts, explain
from console.api.regions import is_loopback
from console.api.transport import proxy_for
from console.doctor.result import DoctorTarget, Outcome, StepResult

__all__ = ["MAX_SKEW_SECONDS", "Resolver", "clock_step", "network_step", "tls_failure_words"]

MAX_SKEW_SECONDS = 60.0
"""Clock skew past which the clock step fails (tokens' lifetimes and dialing windows are clock times)."""

Resolver = Callable[[str, int], list[str]]
"""``(host, port) -> addresses``; raises ``OSError`` when the name does not resolve."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the operating system's resolver (``getaddrinfo``)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _bounded(fn: Callable[[], list[str]], timeout: float) -> list[str]:
    """``fn()`` on a daemon thread, given up after ``timeout`` s (``getaddrinfo`` has no time-out)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except OSError as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, name="doctor-resolve", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no answer from the name resolver within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return list(box["value"])


def _hosts(target: DoctorTarget) -> list[tuple[str, str]]:
    """``(role, origin)`` of the API, login and apps hosts, each origin once."""
    out: list[tuple[str, str]] = []
    for role, origin in (("API", target.api_base), ("login", target.login_base), ("apps", target.apps_base)):
        if all(o != origin for _, o in out):
            out.append((role, origin))
        else:
            out = [(f"{r}+{role}" if o == origin else r, o) for r, o in out]
    return out


def _verify_error(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error somewhere in ``exc``'s chain (httpx wraps it in ConnectError), or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return current
        current = current.__cause__ or current.__context__
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return ssl.SSLCertVerificationError(text)
    return None


def tls_failure_words(error: ssl.SSLError, host: str, proxy: str | None) -> tuple[str, str]:
    """The cause and fix of a TLS failure, saying whether a corporate proxy's certificate may be missing."""
    reason = getattr(error, "verify_message", None) or getattr(error, "reason", None) or str(error)
    # source: OpenSSL verify messages ("self-signed certificate in certificate chain", "unable to get local
    #   issuer certificate") as Python's ssl.SSLCertVerificationError.verify_message reports them; TLS
    #   inspection by a corporate proxy re-signs every site with the company's own root CA
    inspected = any(
        words in str(reason).lower()
        for words in ("self-signed", "self signed", "unable to get local issuer", "unknown ca")
    )
    via = f"through the proxy {proxy}" if proxy else "directly"
    if inspected or proxy:
        cause = (
            f"The certificate presented for {host} ({via}) is not trusted by this computer ({reason}). "
            "This is what a corporate proxy or firewall that inspects HTTPS does: it presents its own "
            "certificate, and that company root certificate is probably missing from the operating "
            "system's trust store (the console trusts exactly that store)."
        )
        fix = (
            "Ask IT to install the company's proxy root certificate in the OS trust store (Windows: "
            "Trusted Root Certification Authorities; macOS: the System keychain; Linux: the CA bundle, "
            "update-ca-certificates), or to exempt *.mypurecloud.* / *.pure.cloud from inspection."
        )
    else:
        cause = (
            f"The TLS connection to {host} ({via}) could not be verified ({reason}): the certificate is not "
            "trusted by this computer, has expired, or does not name this host (check the region)."
        )
        fix = "Check the profile's region and the computer's date; if a device intercepts HTTPS, ask IT."
    return cause, fix


def _no_answer(host: str, exc: BaseException) -> tuple[str, str]:
    """The catalog's words for a host that did not answer."""
    words = explain(ErrorFacts(kind="connection", message=f"{host}: {exc}"))
    return words.cause, words.fix


def network_step(
    target: DoctorTarget,
    http: httpx.Client,
    *,
    timeout: float,
    resolve: Resolver = system_resolver,
) -> StepResult:
    """The API, login and apps hosts resolve and answer TLS verified against the OS trust store.

    A loopback ``http://`` base (the sandbox) is skipped: there is no name to resolve and no TLS.

    Args:
        target: The hosts and the profile's proxy.
        http: A client on the console's transport (the profile's proxy), following no redirects.
        timeout: Seconds for each resolution.
        resolve: The name resolver (tests inject one).
    """
    hosts = _hosts(target)
    plain = [o for _, o in hosts if urlsplit(o).scheme == "http"]
    if plain and all(is_loopback(urlsplit(o).hostname or "") for o in plain) and len(plain) == len(hosts):
        return StepResult(
            "network",
            Outcome.SKIP,
            f"{', '.join(plain)} is this computer over plain http (the sandbox): no name to resolve, no TLS "
            "to verify.",
            facts={"hosts": [o for _, o in hosts]},
        )
    found: list[str] = []
    facts: dict[str, Any] = {"hosts": {}}
    proxies = sorted({p for _, o in hosts if (p := proxy_for(o, target.proxy)) is not None})
    for role, origin in hosts:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        proxy = proxy_for(origin, target.proxy)
        info: dict[str, Any] = {"origin": origin, "proxy": proxy}
        facts["hosts"][role] = info
        if proxy is None:
            try:
                addresses = _bounded(lambda h=host, p=port: resolve(h, p), timeout)  # type: ignore[misc]
            except (OSError, TimeoutError) as exc:
                # source: local: the OS resolver's error (socket.gaierror), hosts from genesys-api.md §1.1
                return StepResult(
                    "network",
                    Outcome.FAIL,
                    f"{role} host {host} does not resolve ({exc}).",
                    cause=(
                        f"This computer's DNS cannot find {host}: no network, a DNS that only resolves "
                        "internal names (then a proxy is required), or a wrong region in the profile."
                    ),
                    fix=(
                        "Check the profile's region (Ctrl+P) and the network; if the company requires a "
                        "proxy, set it in the profile or in HTTPS_PROXY."
                    ),
                    facts=facts,
                )
            info["addresses"] = addresses
        try:
            response = http.get(origin + "/")
        except httpx.HTTPError as exc:
            tls = _verify_error(exc)
            if tls is not None:
                cause, fix = tls_failure_words(tls, host, proxy)
                return StepResult(
                    "network",
                    Outcome.FAIL,
                    f"TLS to the {role} host {host} is not verified.",
                    cause,
                    fix,
                    facts,
                )
            cause, fix = _no_answer(host, exc)
            via = f" through the proxy {proxy}" if proxy else ""
            return StepResult(
                "network",
                Outcome.FAIL,
                f"{role} host {host} did not answer{via} ({type(exc).__name__}: {exc}).",
                cause,
                fix,
                facts,
            )
        stream = response.extensions.get("network_stream")
        ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
        info["tls"] = ssl_object.version() if isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket) else None
        info["status"] = response.status_code
        tls_text = "TLS verified (OS trust store)" if parts.scheme == "https" else "plain http"
        found.append(f"{host} {tls_text}")
    proxy_text = f"proxy {', '.join(proxies)}" if proxies else "no proxy (direct)"
    facts["proxy"] = proxies
    return StepResult("network", Outcome.OK, f"{'; '.join(found)}; {proxy_text}.", facts=facts)


@dataclass(frozen=True)
class _DateProbe:
    server: float
    local: float
    origin: str


def clock_step(
    target: DoctorTarget,
    http: httpx.Client,
    *,
    clock: Callable[[], float] = time.time,
    max_skew: float = MAX_SKEW_SECONDS,
) -> StepResult:
    """The server's ``Date`` header against this computer's clock (unauthenticated ``GET`` of the login host).

    Args:
        target: Where the login host is.
        http: A client on the console's transport.
        clock: This computer's clock (epoch seconds).
        max_skew: Seconds of difference past which the step fails.
    """
    origin = target.login_base
    before = clock()
    try:
        response = http.get(origin + "/")
    except httpx.HTTPError as exc:
        host = urlsplit(origin).hostname or origin
        cause, fix = _no_answer(host, exc)
        return StepResult(
            "clock", Outcome.FAIL, f"{host} did not answer ({type(exc).__name__}: {exc}).", cause, fix
        )
    after = clock()
    header = response.headers.get("Date")
    corr = response.headers.get("ININ-Correlation-Id")
    ids = (corr,) if corr else ()
    if not header:
        return StepResult(
            "clock", Outcome.SKIP, f"{origin} answered without a Date header.", correlation_ids=ids
        )
    try:
        server = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return StepResult("clock", Outcome.SKIP, f"{origin} sent an unreadable Date ({header!r}).")
    probe = _DateProbe(server, (before + after) / 2, origin)
    skew = probe.local - probe.server  # > 0: this computer is ahead
    # Date has whole seconds; half the round trip is the other uncertainty
    slack = 1.0 + (after - before) / 2
    facts = {"server_date": header, "skew_seconds": round(skew, 1), "max_skew_seconds": max_skew}
    if abs(skew) <= slack:
        return StepResult(
            "clock",
            Outcome.OK,
            f"this computer's clock agrees with the server's Date ({header}).",
            facts=facts,
            correlation_ids=ids,
        )
    way = "ahead of" if skew > 0 else "behind"
    detail = f"this computer's clock is {abs(skew):.0f} s {way} the server's Date ({header})."
    if abs(skew) <= max_skew:
        return StepResult("clock", Outcome.OK, detail, facts=facts, correlation_ids=ids)
    # source: genesys-api.md §1.2 (token lifetimes are counted in seconds from issue), §6.5 (dialing windows
    #   are clock times); RFC 9110 §6.6.1 (the Date header is the origin server's clock)
    return StepResult(
        "clock",
        Outcome.FAIL,
        detail + f" More than {max_skew:.0f} s.",
        cause=(
            "Token expiry, import and call time-outs and the dialing windows of contact lists are clock "
            "times; with this much skew tokens seem to expire early or late and times shown are wrong."
        ),
        fix=(
            "Turn on automatic time synchronisation (Windows: Settings > Time & language > Set time "
            "automatically; macOS: Date & Time > Set automatically; Linux: timedatectl set-ntp true)."
        ),
        facts=facts,
        correlation_ids=ids,
    )
