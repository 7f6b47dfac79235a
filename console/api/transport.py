"""Transports shared by every httpx client of the console: window, CLI and child processes.

TLS is verified against the OS trust store (``truststore``: corporate proxies install their
CA there) and time-outs are explicit and short.

Proxies (one rule for every client, :class:`ConsoleTransport`):

1. An explicit proxy URL (a profile's ``proxy_url``) carries **every** request, loopback included.
2. Otherwise the loopback hosts (``127.0.0.1``, ``::1``, ``localhost``: the embedded sandbox) are
   reached directly.
3. Otherwise the environment decides, as httpx does for a client built without ``transport=``:
   ``HTTPS_PROXY``/``HTTP_PROXY`` by scheme, then ``ALL_PROXY``; a host matched by ``NO_PROXY``
   goes direct.

httpx ignores the environment's proxies as soon as a ``transport=`` is given, so the routing
is done here, by URL, over one ``httpx.HTTPTransport`` per route (direct, or one per proxy URL).

Abort: every route's sockets are created by one :class:`_AbortableBackend`, so
:meth:`ConsoleTransport.abort` shuts all of them down and a read blocked on a worker thread
returns at once. httpx does not let a caller choose httpcore's network backend (encode/httpx
discussion #3180, pull request #3749), so it is set on the private ``_pool._network_backend``;
when that hook is missing the transport refuses to start (:class:`TransportHookMissing`).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import urllib.request
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from weakref import WeakSet

import httpcore
import httpx
import truststore

from console import __version__
from console.api.regions import is_loopback

__all__ = [
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "BorrowedTransport",
    "ConsoleTransport",
    "TransportHookMissing",
    "is_loopback",
    "new_http_client",
    "proxy_for",
    "ssl_context",
]

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
"""Connect 5 s; read, write and pool 30 s."""

USER_AGENT = f"outbound-console/{__version__}"
"""``User-Agent`` of every request."""

UPSTREAM_ISSUE = "https://github.com/encode/httpx/discussions/3180 (pull request encode/httpx#3749)"


class TransportHookMissing(RuntimeError):  # noqa: N818 - names the situation
    """The installed httpx/httpcore lacks the private hook the abort switch relies on."""


@lru_cache(maxsize=1)
def ssl_context() -> ssl.SSLContext:
    """An SSL context that verifies against the operating system's trust store (built once)."""
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def proxy_for(
    url: httpx.URL | str, proxy: str | None = None, *, env: Mapping[str, str] | None = None
) -> str | None:
    """The proxy URL a request to ``url`` goes through, or None for a direct connection.

    Args:
        url: The request URL.
        proxy: An explicit proxy (a profile's): used for every URL.
        env: The environment's proxies (``urllib.request.getproxies()`` by default: the
            ``*_PROXY`` variables, lower case winning, and ``no`` for ``NO_PROXY``).
    """
    if proxy:
        return proxy
    target = httpx.URL(url) if isinstance(url, str) else url
    host = target.host
    if is_loopback(host):
        return None
    proxies = dict(urllib.request.getproxies() if env is None else env)
    if not proxies:
        return None
    if _bypassed(host, target.port, proxies.get("no", "")):
        return None
    chosen = proxies.get(target.scheme) or proxies.get("all")
    if not chosen:
        return None
    return chosen if "://" in chosen else f"http://{chosen}"


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` sends ``host`` direct.

    Entries: ``*``; a host or domain (``example.com``, ``.example.com`` and ``*.example.com``
    cover its subdomains), optionally with ``:port``; an IP address or a CIDR network.
    """
    host = host.strip("[]").lower()
    for raw in no_proxy.replace(" ", "").lower().split(","):
        if not raw:
            continue
        if raw == "*":
            return True
        entry, _, entry_port = raw.rpartition(":") if raw.count(":") == 1 else (raw, "", "")
        if entry_port and (not entry_port.isdigit() or int(entry_port) != port):
            continue
        entry = entry.strip("[]").lstrip("*").lstrip(".")
        if not entry:
            continue
        if host == entry or host.endswith("." + entry):
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


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
            missed = self._is_aborted()  # abort_all ran while this socket was connecting: it missed it
        if missed:
            stream.close()
            raise httpcore.ConnectError("the application is closing")
        return stream

    def _is_aborted(self) -> bool:
        return self.aborted

    def abort_all(self) -> None:
        """Shut every open socket down; a blocked ``recv`` on a worker thread returns at once."""
        with self._lock:
            self.aborted = True
            streams = list(self._streams)
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue  # already closed


class ConsoleTransport(httpx.BaseTransport):
    """OS trust store TLS, the proxy rule of this module, and an abort switch.

    Args:
        proxy: An explicit proxy URL for every request (a profile's ``proxy_url``); None to
            follow the environment.
        env: The environment's proxies (tests); ``urllib.request.getproxies()`` by default,
            read when the transport is built.

    Raises:
        TransportHookMissing: httpx/httpcore changed and the abort hook is gone.
    """

    def __init__(self, proxy: str | None = None, *, env: Mapping[str, str] | None = None) -> None:
        self.proxy = proxy or None
        self._env = dict(urllib.request.getproxies() if env is None else env)
        self._backend = _AbortableBackend()
        self._routes: dict[str | None, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()
        self._route(None)  # the direct route: fails at once when the hook is missing

    def _route(self, proxy: str | None) -> httpx.HTTPTransport:
        with self._lock:
            route = self._routes.get(proxy)
            if route is None:
                route = httpx.HTTPTransport(verify=ssl_context(), proxy=proxy)
                pool = getattr(route, "_pool", None)
                if pool is None or not hasattr(pool, "_network_backend"):
                    raise TransportHookMissing(
                        "httpx's transport no longer has the private _pool._network_backend the "
                        "console's abort switch replaces "
                        f"(httpx {httpx.__version__}, httpcore {httpcore.__version__}); "
                        f"see {UPSTREAM_ISSUE}. Install the httpx/httpcore versions in pyproject.toml."
                    )
                pool._network_backend = self._backend
                self._routes[proxy] = route
            return route

    def route_for(self, url: httpx.URL | str) -> str | None:
        """The proxy a request to ``url`` goes through (None: direct)."""
        return proxy_for(url, self.proxy, env=self._env)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the route of the request's URL."""
        return self._route(self.route_for(request.url)).handle_request(request)

    def abort(self) -> None:
        """Abort every request in flight and refuse new connections."""
        self._backend.abort_all()

    def close(self) -> None:
        """Close every route's connection pool."""
        with self._lock:
            routes = list(self._routes.values())
        for route in routes:
            route.close()


AbortableTransport = ConsoleTransport
"""Old name (the window's session transport)."""


class BorrowedTransport(httpx.BaseTransport):
    """A shared transport lent to one client: closing the client leaves the shared pool open.

    Every client of a window session shares one :class:`ConsoleTransport` (one connection pool,
    one abort switch). ``httpx.Client.close()`` closes its transport, which would cut the
    connections under other workers' requests; the borrowed view makes that close a no-op.
    The owner closes the real transport.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the shared transport."""
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Nothing: the owner closes the shared transport."""


def new_http_client(*, proxy: str | None = None, **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` with the console's TLS, proxy, time-out and User-Agent defaults.

    Without ``transport=`` the client gets its own :class:`ConsoleTransport` (``proxy`` and the
    environment, loopback direct). Keyword arguments override the defaults (e.g. ``transport=``).
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    headers.update(kwargs.pop("headers", {}) or {})
    options: dict[str, Any] = {"timeout": DEFAULT_TIMEOUT}
    options.update(kwargs)
    if options.get("transport") is None:
        options["transport"] = ConsoleTransport(proxy)
    return httpx.Client(headers=headers, **options)
