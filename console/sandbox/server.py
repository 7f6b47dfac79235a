"""HTTP plumbing of the sandbox: routing, authentication, permissions, rate limits, faults.

One ``ThreadingHTTPServer`` (HTTP/1.1 keep-alive, Nagle off) serves the login paths
(``/oauth/...``), ``/api/v2/...``, the legacy ``/uploads/v2/contactlist``, the presigned
storage URL and the sandbox-only ``/sandbox/...`` control paths on one port.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import ipaddress
import math
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from console.sandbox import (
    calls,
    contacts,
    events,
    external,
    imports,
    lists,
    notifications,
    oauth,
    org,
    outbound_settings,
)
from console.sandbox import templates as list_templates
from console.sandbox.errors import (
    ApiError,
    OAuthError,
    bad_request,
    missing_permission,
    standard,
    too_many_requests,
)
from console.sandbox.store import (
    ALL_PERMISSIONS,
    FREE_SWITCHES,
    READONLY_PERMISSIONS,
    SWITCHES,
    OAuthClient,
    RateWindow,
    SandboxState,
    SqlitePersistence,
    Token,
)
from console.sandbox.wire import Request, Response, Route, new_id

_MAX_BODY = 512 * 1024 * 1024
_MAX_LINE = 1024  # a chunk-size or trailer line
#: Fault ``path`` regexes are bounded so that matching one stays fast (a fault rule ``(a+)+$`` froze the
#: sandbox for over a minute): a short pattern, no quantifier or alternation inside a quantified group, no
#: back-references, at most two variable-length quantifiers, tried on the first 512 characters of the path.
_FAULT_PATTERN_CHARS = 200
_FAULT_VARIABLE_REPEATS = 2
_FAULT_PATH_CHARS = 512
#: Form fields and query parameters whose values the request log never keeps (like ``Authorization``).
_SECRET_FIELDS = frozenset(
    {"client_secret", "code_verifier", "refresh_token", "password", "code", "access_token", "id_token"}
)
_SECRET_FORM_FIELD = re.compile(
    r"(?:^|(?<=&))(" + "|".join(sorted(_SECRET_FIELDS)) + r")=[^&]*", re.IGNORECASE
)
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_FAULT_KINDS = ("429", "status", "drop", "delay")
_CONTROL_KEYS = (
    "switches",
    "faults",
    "expire_tokens",
    "token_lifetime",
    "rate_limit",
    "import_delay",
    "clear_delay",
    "advance_clock",
    "drop_sockets",
)


@dataclass
class SandboxConfig:
    """How a sandbox starts (all optional; docs/sandbox-control.md).

    Attributes:
        host: Interface to bind (loopback by default).
        port: TCP port; 0 picks a free one.
        client_id: Id of the full-permission client-credentials client.
        client_secret: Its secret.
        token_lifetime: ``expires_in`` of new tokens, seconds.
        rate_limit: Requests per minute per token.
        state_file: SQLite file keeping lists and contacts across restarts; None = memory only.
        switches: Initial switch values (name -> value).
        faults: Initial faults (same JSON as the control endpoint).
        import_delay: Seconds an import stays IN_PROGRESS.
        clear_delay: Seconds before an accepted ``/clear`` empties the list.
    """

    host: str = "127.0.0.1"
    port: int = 0
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"
    token_lifetime: int = 86399
    rate_limit: int = 300
    state_file: str | Path | None = None
    switches: dict[str, str] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)
    import_delay: float = 0.5
    clear_delay: float = 0.1


def _routes() -> list[Route]:
    table: list[Route] = [
        Route("POST", "/oauth/token", oauth.token, auth=False),
        Route("GET", "/oauth/authorize", oauth.authorize, auth=False),
    ]
    for module in (org, lists, contacts, imports, events, calls, external, notifications):
        table.extend(module.ROUTES)
    table.extend(list_templates.ROUTES)  # contact-list templates (§7)
    table.extend(outbound_settings.ROUTES)  # org outbound settings (§6.5)
    return table


class SandboxApp:
    """The request-answering core (no sockets): state plus the routing table.

    Args:
        config: Start-up configuration.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        clients = {
            config.client_id: OAuthClient(
                config.client_id,
                config.client_secret,
                "Sandbox full access",
                "CLIENT-CREDENTIALS",
                frozenset(ALL_PERMISSIONS),
            ),
            "sandbox-readonly": OAuthClient(
                "sandbox-readonly",
                "readonly-secret",
                "Sandbox read-only",
                "CLIENT-CREDENTIALS",
                frozenset(READONLY_PERMISSIONS),
            ),
            "sandbox-pkce": OAuthClient(
                "sandbox-pkce", None, "Sandbox PKCE", "PKCE", frozenset(ALL_PERMISSIONS)
            ),
            "sandbox-code": OAuthClient(
                "sandbox-code", "code-secret", "Sandbox code grant", "CODE", frozenset(ALL_PERMISSIONS)
            ),
        }
        live = {
            "token_lifetime": config.token_lifetime,
            "rate_limit": config.rate_limit,
            "import_delay": config.import_delay,
            "clear_delay": config.clear_delay,
        }
        self.state = SandboxState(config=live, clients=clients)
        self.hub = self.state.hub = notifications.Hub(self.state)
        if config.state_file is not None:
            self.state.persist = SqlitePersistence(config.state_file)
            self.state.load()
        self._initial = {"switches": dict(config.switches), "faults": list(config.faults)}
        self.apply_control(self._initial)
        self.routes = [(r, re.compile(r.pattern)) for r in _routes()]

    # -- control ----------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Current switches, pending faults and configuration."""
        with self.state.lock:
            cfg = {
                k: v
                for k, v in asdict(self.config).items()
                if k not in ("switches", "faults", "client_secret")
            }
            cfg["state_file"] = str(self.config.state_file) if self.config.state_file else None
            cfg.update(self.state.config)
            return {
                "switches": dict(self.state.switches),
                "faults": [dict(f) for f in self.state.faults],
                "config": cfg,
            }

    def apply_control(self, data: Any) -> dict[str, Any]:
        """Apply a control document (switches, faults, expire_tokens, ...); returns the snapshot.

        Raises:
            ValueError: For unknown keys, switches or values (the message names them).
        """
        if not isinstance(data, dict):
            raise ValueError("the control body must be a JSON object")
        unknown = sorted(set(data) - set(_CONTROL_KEYS))
        if unknown:
            raise ValueError(f"unknown control keys {unknown}; allowed: {list(_CONTROL_KEYS)}")
        switches = {name: _switch_value(name, value) for name, value in (data.get("switches") or {}).items()}
        faults = [_fault(i, f) for i, f in enumerate(data.get("faults") or [])]
        config: dict[str, Any] = {}
        for key, low, high, kind in (
            ("token_lifetime", 1, 172800, int),
            ("rate_limit", 1, 10**9, int),
            ("import_delay", 0, 3600, float),
            ("clear_delay", 0, 3600, float),
        ):
            if key in data:
                value = data[key]
                if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                    raise ValueError(f"{key} must be a number between {low} and {high}; got {value!r}")
                config[key] = kind(value)
        expire = data.get("expire_tokens", False)
        if not isinstance(expire, bool):
            raise ValueError(f"expire_tokens must be true or false; got {expire!r}")
        drop = data.get("drop_sockets", False)
        if not isinstance(drop, bool):
            raise ValueError(f"drop_sockets must be true or false; got {drop!r}")
        advance = data.get("advance_clock", 0)
        if isinstance(advance, bool) or not isinstance(advance, int | float) or not 0 <= advance <= 10**9:
            raise ValueError(f"advance_clock must be a number of seconds between 0 and 1e9; got {advance!r}")
        with self.state.lock:
            self.state.switches.update(switches)
            self.state.faults.extend(faults)
            self.state.config.update(config)
            if expire:
                for tok in self.state.tokens.values():
                    tok.revoked = True
        if advance:
            self.state.clock.advance(float(advance))
        if drop:
            self.hub.drop_all()
        return self.snapshot()

    def reset(self) -> None:
        """Data back to the seed; switches, faults and tokens back to the start-up configuration."""
        self.hub.close_all("the sandbox was reset")
        with self.state.lock:
            self.state.reset_data()
            self.state.config.update(
                token_lifetime=self.config.token_lifetime,
                rate_limit=self.config.rate_limit,
                import_delay=self.config.import_delay,
                clear_delay=self.config.clear_delay,
            )
        self.apply_control(self._initial)

    # -- requests ---------------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, correlation_id: str
    ) -> Response | None:
        """Answer one request; None means "drop the connection without answering"."""
        url = urllib.parse.urlsplit(target)
        path = url.path
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        req = Request(method, path, query, headers, body, correlation_id, self.state)
        if path.startswith("/sandbox/"):
            return self._control(req)
        self._log(req)
        rate_headers: dict[str, str] = {}
        try:
            fault = self._take_fault(method, path)
            if fault is not None:
                kind = fault["kind"]
                if kind == "drop":
                    return None
                if kind == "delay":
                    time.sleep(float(fault.get("seconds", 1.0)))
                elif kind == "429":
                    raise too_many_requests(int(fault.get("retry_after", 1)))
                else:
                    raise standard(int(fault["status"]))
            metered = path.startswith(("/api/v2/", "/uploads/"))
            if metered:
                rate_headers = self._meter(headers)
            resp = self._route(req)
        except ApiError as exc:
            resp = Response(exc.status, exc.body(correlation_id), headers=dict(exc.headers))
        except OAuthError as exc:
            resp = Response(exc.status, exc.body())
        except Exception as exc:  # noqa: BLE001 - the emulator must answer, like the real 500
            traceback.print_exc(file=sys.stderr)
            err = standard(500)
            err.message = f"{err.message} ({type(exc).__name__}: {exc})"
            resp = Response(500, err.body(correlation_id))
        resp.headers.update(rate_headers)
        return resp

    def _route(self, req: Request) -> Response:
        method = "GET" if req.method == "HEAD" else req.method
        allowed = False
        for route, rx in self.routes:
            m = rx.fullmatch(req.path)
            if m is None:
                continue
            allowed = True
            if route.method != method:
                continue
            req.params = m.groupdict()
            if route.auth:
                req.token = self._authenticate(req)
                if route.permission and route.permission not in req.token.permissions:
                    raise missing_permission(route.permission)
            return route.handler(req)
        if allowed:
            raise ApiError(
                405, "method.not.allowed", f"HTTP method [{req.method}] is not supported by {req.path}"
            )
        raise ApiError(404, "not.found", f"The requested resource was not found. No route for {req.path}")

    def _authenticate(self, req: Request) -> Token:
        header = req.headers.get("authorization", "").strip()
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            raise ApiError(
                401,
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            )
        with self.state.lock:
            tok = self.state.tokens.get(header[7:].strip())
        if tok is None or tok.revoked or tok.expires_at <= req.now:
            raise ApiError(401, "bad.credentials", "Invalid login credentials.")
        return tok

    def _meter(self, headers: dict[str, str]) -> dict[str, str]:
        auth = headers.get("authorization", "")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else "anonymous"
        now = time.time()
        with self.state.lock:
            allowed = int(self.state.config["rate_limit"])
            win = self.state.windows.get(key)
            if win is None or now - win.start >= 60:
                win = self.state.windows[key] = RateWindow(now)
            win.count += 1
            reset = max(1, math.ceil(win.start + 60 - now))
            count = win.count
        out = {
            "inin-ratelimit-count": str(min(count, allowed)),
            "inin-ratelimit-allowed": str(allowed),
            "inin-ratelimit-reset": str(reset),
        }
        if count > allowed:
            err = too_many_requests(reset)
            err.headers.update(out)
            raise err
        return out

    def _take_fault(self, method: str, path: str) -> dict[str, Any] | None:
        # the patterns run outside the lock (a slow one must not stall every other request), on a copy
        with self.state.lock:
            pending = list(self.state.faults)
        probe = path[:_FAULT_PATH_CHARS]
        matching = [
            fault
            for fault in pending
            if not (fault.get("method") and fault["method"].upper() != method)
            and _fault_pattern(fault.get("path") or r"^/api/v2/").search(probe)
        ]
        if not matching:
            return None
        with self.state.lock:
            for fault in matching:  # in order; one consumed meanwhile by another request is skipped
                if not any(f is fault for f in self.state.faults):
                    continue
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.state.faults.remove(fault)
                return dict(fault)
        return None

    def _log(self, req: Request) -> None:
        headers = {k: ("<redacted>" if k in _SECRET_HEADERS else v) for k, v in req.headers.items()}
        query = {
            k: (["<redacted>"] * len(v) if k.lower() in _SECRET_FIELDS else v) for k, v in req.query.items()
        }
        body: Any
        try:
            body = req.body[:65536].decode()
        except UnicodeDecodeError:
            body = f"<{len(req.body)} bytes>"
        else:
            if "application/x-www-form-urlencoded" in req.headers.get("content-type", "").lower():
                body = redact_form(body)
        with self.state.lock:
            self.state.log.append(
                {
                    "time": time.time(),
                    "method": req.method,
                    "path": req.path,
                    "query": query,
                    "headers": headers,
                    "body": body,
                    "correlationId": req.correlation_id,
                }
            )

    def _control(self, req: Request) -> Response:
        try:
            if req.path == "/sandbox/control" and req.method == "GET":
                return Response(200, self.snapshot())
            if req.path == "/sandbox/control" and req.method == "POST":
                try:
                    return Response(200, self.apply_control(req.json() or {}))
                except ValueError as exc:
                    raise bad_request(f"/sandbox/control: {exc}") from exc
            if req.path == "/sandbox/reset" and req.method == "POST":
                self.reset()
                return Response(200, self.snapshot())
            if req.path == "/sandbox/requests" and req.method == "GET":
                with self.state.lock:
                    return Response(200, {"requests": list(self.state.log)})
            if req.path == "/sandbox/requests" and req.method == "DELETE":
                with self.state.lock:
                    self.state.log.clear()
                return Response(200, {"requests": []})
            raise ApiError(404, "not.found", f"No sandbox control route {req.method} {req.path}")
        except ApiError as exc:
            return Response(exc.status, exc.body(req.correlation_id))
        except Exception as exc:  # noqa: BLE001 - a control call must answer too, never drop the connection
            traceback.print_exc(file=sys.stderr)
            err = standard(500)
            err.message = f"{err.message} ({type(exc).__name__})"
            return Response(500, err.body(req.correlation_id))


def redact_form(text: str) -> str:
    """A form body whose secret fields (``client_secret``, ``code``...) read ``<redacted>``."""
    return _SECRET_FORM_FIELD.sub(lambda m: f"{m.group(1)}=<redacted>", text)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) reaches only this machine (``127.0.0.0/8``, ``::1``)."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(info[4][0])).is_loopback for info in infos)


@functools.lru_cache(maxsize=256)
def _fault_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _check_fault_pattern(pattern: str) -> str | None:
    """Why ``pattern`` may take too long to match (None: it is bounded); see ``_FAULT_PATTERN_CHARS``."""
    if len(pattern) > _FAULT_PATTERN_CHARS:
        return f"is longer than {_FAULT_PATTERN_CHARS} characters"
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]  # the stdlib's own parse tree
    except re.error as exc:
        return f"is not a valid regex: {exc}"
    variable = 0

    def walk(items: Any, repeated: bool) -> str | None:
        nonlocal variable
        for op, arg in items:
            name = str(op)
            if name in ("GROUPREF", "GROUPREF_EXISTS"):
                return "uses a back-reference"
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, body = arg
                if low != high:
                    variable += 1
                if repeated:
                    return "repeats a repeated group (nested quantifiers can take exponential time)"
                found = walk(body, True)
            elif name == "BRANCH":
                if repeated:
                    return "repeats an alternation (it can take exponential time)"
                found = next((r for b in arg[1] if (r := walk(b, repeated)) is not None), None)
            elif name == "SUBPATTERN":
                found = walk(arg[-1], repeated)
            elif name in ("ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"):
                found = walk(arg[-1] if name != "ATOMIC_GROUP" else arg, repeated)
            else:
                found = None
            if found is not None:
                return found
        return None

    reason = walk(parsed, False)
    if reason is None and variable > _FAULT_VARIABLE_REPEATS:
        reason = f"has more than {_FAULT_VARIABLE_REPEATS} variable-length quantifiers"
    return reason


def _switch_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value)
    if name in SWITCHES:
        if text not in SWITCHES[name]:
            raise ValueError(f"switch {name!r} accepts {list(SWITCHES[name])}; got {text!r}")
        return text
    if name in calls.SWITCH_CHECKS:
        return calls.SWITCH_CHECKS[name](text)
    if name in ("import_lag", "channel_lifetime"):
        return calls.seconds_switch(name, text)
    if name == "date_skew_seconds":
        return _skew_switch(text)
    if name == "heartbeat_seconds":
        calls.seconds_switch(name, text)
        if float(text) <= 0:
            raise ValueError(f"switch {name!r} takes seconds > 0; got {text!r}")
        return text
    if name in FREE_SWITCHES:
        return text
    raise ValueError(f"unknown switch {name!r}; known: {sorted([*SWITCHES, *FREE_SWITCHES])}")


def _skew_switch(text: str) -> str:
    """``date_skew_seconds``: seconds (negative: the server's clock is behind), at most a year either way."""
    try:
        ok = math.isfinite(float(text)) and abs(float(text)) <= 366 * 86400
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"switch 'date_skew_seconds' takes seconds within +-31622400; got {text!r}")
    return text


def _fault(index: int, raw: Any) -> dict[str, Any]:
    where = f"faults[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    allowed = {"kind", "count", "retry_after", "status", "seconds", "path", "method"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}")
    kind = str(raw.get("kind", ""))
    if kind not in _FAULT_KINDS:
        raise ValueError(f"{where}.kind must be one of {list(_FAULT_KINDS)}; got {kind!r}")
    fault: dict[str, Any] = {"kind": kind, "count": raw.get("count", 1)}
    if isinstance(fault["count"], bool) or not isinstance(fault["count"], int) or fault["count"] < 1:
        raise ValueError(f"{where}.count must be an integer >= 1")
    if kind == "status":
        status = raw.get("status")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f"{where}.status must be an HTTP error status (400-599); got {status!r}")
        fault["status"] = status
    if kind == "429":
        retry = raw.get("retry_after", 1)
        if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
            raise ValueError(f"{where}.retry_after must be an integer >= 0")
        fault["retry_after"] = retry
    if kind == "delay":
        seconds = raw.get("seconds", 1.0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 600:
            raise ValueError(f"{where}.seconds must be a number of seconds (0-600)")
        fault["seconds"] = float(seconds)
    if raw.get("path") is not None:
        reason = _check_fault_pattern(str(raw["path"]))
        if reason is not None:
            raise ValueError(f"{where}.path {reason}") from None
        fault["path"] = str(raw["path"])
    if raw.get("method") is not None:
        fault["method"] = str(raw["method"]).upper()
    return fault


class _BodyError(Exception):
    """A request body the sandbox will not read: answered ``status`` with ``message``, then closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _too_large() -> str:
    return f"The request is over the size limit. Maximum bytes: {_MAX_BODY}"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    app: SandboxApp

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        if ":" in address[0]:  # an IPv6 literal such as ::1 (the class default is IPv4 only)
            self.address_family = socket.AF_INET6
            address = (address[0].strip("[]"), address[1])
        self.app = app
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-exchange is normal (time-outs, cancels); anything else is a sandbox bug."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # RECIPES.md: ~44 ms per request otherwise
    timeout = 300  # idle keep-alive connections
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.conn_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.conn_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header: the wall clock moved by the ``date_skew_seconds`` switch (a clock off)."""
        if timestamp is None:
            timestamp = time.time() + float(self.server.app.state.switches.get("date_skew_seconds") or 0)
        return super().date_time_string(timestamp)

    def _line(self) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line.endswith(b"\n"):
            if len(line) > _MAX_LINE:
                raise _BodyError(400, f"A chunk-size or trailer line is longer than {_MAX_LINE} bytes.")
            raise ConnectionError("the client closed the connection mid-body")
        return line

    def _read_body(self) -> bytes:
        """The request body, at most ``_MAX_BODY`` bytes.

        Raises:
            _BodyError: 400 for a malformed ``Content-Length`` or chunk size, 413 past the limit.
            ConnectionError: The client went away before the body ended.
        """
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                text = self._line().split(b";")[0].strip()
                if not text or not all(c in b"0123456789abcdefABCDEF" for c in text):
                    raise _BodyError(400, f"The chunk size {text[:40]!r} is not a hexadecimal number.")
                if len(text.lstrip(b"0")) > 16:  # more than 2**64: over the limit whatever came before
                    raise _BodyError(413, _too_large())
                size = int(text, 16)
                if size == 0:
                    for _ in range(100):  # trailer lines, ignored
                        if not self._line().strip():
                            return b"".join(chunks)
                    raise _BodyError(400, "The request has more than 100 trailer lines.")
                total += size
                if total > _MAX_BODY:
                    raise _BodyError(413, _too_large())
                chunk = self.rfile.read(size)
                if len(chunk) != size:
                    raise ConnectionError("the client closed the connection mid-chunk")
                chunks.append(chunk)
                if self._line().strip():
                    raise _BodyError(400, "A chunk is longer than its declared size.")
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return b""
        distinct = {v.strip() for v in values}
        declared = values[0].strip()
        if len(distinct) != 1 or not declared.isascii() or not declared.isdigit():
            raise _BodyError(400, f"Content-Length {', '.join(values)!r} is not a number of bytes.")
        length = int(declared)
        if length > _MAX_BODY:
            raise _BodyError(413, _too_large())
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise ConnectionError("the client closed the connection mid-body")
        return body

    def _refuse(self, exc: _BodyError, correlation_id: str) -> None:
        """Answer a body that cannot be read with an ErrorBody, then close (the rest of it is unread)."""
        err = standard(exc.status)
        err.message = err.message_with_params = exc.message
        data = Response(exc.status, err.body(correlation_id)).encode()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.send_response(exc.status)
            self.send_header("ININ-Correlation-Id", correlation_id)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            # half-close and leave the client a moment to read the answer before the socket goes: closing
            # with unread request bytes makes the kernel send a reset, which can discard the answer
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(1.0)
            drained = 0
            while drained < 1 << 20 and (piece := self.connection.recv(65536)):
                drained += len(piece)

    def _dispatch(self) -> None:
        correlation_id = new_id()
        try:
            body = self._read_body()
        except _BodyError as exc:
            self._refuse(exc, correlation_id)
            return
        except (ValueError, OSError):
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        resp = self.server.app.handle(self.command, self.path, headers, body, correlation_id)
        if resp is None:  # "drop" fault: close without answering
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = resp.encode()
        self.send_response(resp.status)
        self.send_header("ININ-Correlation-Id", correlation_id)
        if data:
            self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        """Answer a GET; a WebSocket upgrade of ``/channels/{id}`` becomes that channel's socket."""
        if "websocket" in self.headers.get("Upgrade", "").lower():
            self._websocket()
            return
        self._dispatch()

    def _websocket(self) -> None:
        """Serve a notification channel's WebSocket on this connection until it closes.

        The socket stays on the sandbox's one port (``connectUri`` is ``ws://HOST:PORT/channels/{id}``
        like the platform's one streaming host); websockets' sans-I/O protocol is given the upgrade
        request this handler already read, answers it, and its sync connection takes the socket over.
        """
        self.close_connection = True
        app = self.server.app
        path = urllib.parse.urlsplit(self.path).path
        fault = app._take_fault("GET", path)
        match = notifications.CHANNEL_PATH.fullmatch(path)
        kind = fault["kind"] if fault is not None else None
        if kind == "drop":
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "delay" and fault is not None:
            time.sleep(float(fault.get("seconds", 1.0)))
        status = 404 if match is None else 0
        if kind == "429":
            status = 429
        elif kind == "status" and fault is not None:
            status = int(fault["status"])
        if status or match is None:
            err = standard(status or 404)
            data = Response(status, err.body(new_id())).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            return
        self.wfile.flush()
        # the request as read, for websockets' parser (the client sends nothing more before the 101)
        head = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
        raw = f"GET {self.path} HTTP/1.1\r\n{head}\r\n".encode("latin-1")
        app.hub.serve(self.connection, raw, match["id"])

    def do_POST(self) -> None:
        """Answer a POST."""
        self._dispatch()

    def do_PUT(self) -> None:
        """Answer a PUT."""
        self._dispatch()

    def do_PATCH(self) -> None:
        """Answer a PATCH."""
        self._dispatch()

    def do_DELETE(self) -> None:
        """Answer a DELETE."""
        self._dispatch()

    def do_HEAD(self) -> None:
        """Answer a HEAD."""
        self._dispatch()


class Listening:
    """``port`` and ``url`` of a started sandbox, in this process or a child (``config``, ``_port`` set)."""

    config: SandboxConfig
    _port: int | None

    @property
    def port(self) -> int:
        """The bound port."""
        if self._port is None:
            raise RuntimeError("the sandbox is not started")
        return self._port

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8765`` (no trailing slash)."""
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


class Sandbox(Listening):
    """The sandbox server, served from a daemon thread.

    Example:
        >>> with Sandbox(SandboxConfig(port=0)) as sb:
        ...     sb.url  # doctest: +SKIP
        'http://127.0.0.1:54321'

    Args:
        config: Start-up configuration; defaults everywhere when omitted.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.app = SandboxApp(self.config)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    def start(self) -> Sandbox:
        """Bind and serve from a daemon thread; returns once listening."""
        if self._server is not None:
            return self
        self._server = _Server((self.config.host, self.config.port), self.app)
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox", daemon=True
        )
        self._thread.start()
        return self

    def control(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply a control document (same JSON as ``POST /sandbox/control``); returns the snapshot.

        Raises:
            ValueError: For unknown keys, switches or values.
        """
        return self.app.apply_control(data)

    def reset(self) -> None:
        """Data back to the seed; switches to defaults; faults, tokens and request log cleared."""
        self.app.reset()

    def issued_tokens(self) -> list[str]:
        """Access tokens issued so far (a test checks none leaks into logs or exports)."""
        with self.app.state.lock:
            return list(self.app.state.tokens)

    @property
    def state(self) -> SandboxState:
        """The live state (for tests that need to look inside)."""
        return self.app.state

    def stop(self) -> None:
        """Stop serving, close open connections and the state file."""
        server, self._server = self._server, None
        if server is None:
            return
        self.app.hub.stop()
        server.shutdown()
        with server.conn_lock:
            conns = list(server.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=1)
        if self.app.state.persist is not None:
            with self.app.state.lock:
                self.app.state.persist.close()
                self.app.state.persist = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
