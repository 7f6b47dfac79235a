"""What a hostile or broken client cannot do to the sandbox (issue 21, items 16-20).

Remote binding needs ``--allow-remote``; IPv6 loopback works; a fault rule cannot freeze it; malformed or
oversized bodies get 400/413 and a closed connection; deeply nested JSON gets a 400 ErrorBody; the request log
keeps no form-body or query secrets.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from console.sandbox import Sandbox, SandboxConfig, SandboxProcess
from console.sandbox import server as server_module
from tests.sandbox.sandbox_helpers import assert_error

ORG = "/api/v2/organizations/me"
ERROR_BODY_KEYS = {"message", "code", "status", "messageParams", "contextId", "details", "errors"}


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


# -- 16: remote binding, IPv6 loopback ------------------------------------------------------------------


def _sandbox_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "console.cli", "sandbox", "--port", "0", *args]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", ""])
def test_non_loopback_host_is_refused_without_allow_remote(host: str) -> None:
    proc = subprocess.run(_sandbox_cli("--host", host), capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stdout
    assert "not a loopback address" in proc.stderr
    assert "--allow-remote" in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "sandbox-secret" not in proc.stdout + proc.stderr
    assert "Sandbox listening" not in proc.stdout


def test_allow_remote_serves_and_warns() -> None:
    proc = subprocess.Popen(
        _sandbox_cli("--host", "0.0.0.0", "--allow-remote"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline().strip()
        assert banner.startswith("Sandbox listening on http://0.0.0.0:"), banner
        port = int(banner.rsplit(":", 1)[1])
        assert httpx.get(f"http://127.0.0.1:{port}/sandbox/control", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert err.startswith("WARNING: the sandbox listens on 0.0.0.0, which other machines can reach")


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_ipv6_loopback_host() -> None:
    proc = subprocess.Popen(
        _sandbox_cli("--host", "::1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline().strip()
        assert banner.startswith("Sandbox listening on http://[::1]:"), (
            banner,
            proc.stderr and proc.stderr.read(),
        )
        url = banner.removeprefix("Sandbox listening on ")
        r = httpx.post(
            f"{url}/oauth/token",
            auth=("sandbox-client", "sandbox-secret"),
            data={"grant_type": "client_credentials"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "WARNING" not in err
    with Sandbox(SandboxConfig(host="::1")) as sb:
        assert sb.url.startswith("http://[::1]:")
        assert httpx.get(f"{sb.url}/sandbox/control", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("10.0.0.1", False),
        ("2001:db8::1", False),
        ("no-such-host.invalid", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert server_module.is_loopback(host) is loopback


# -- 17: fault paths cannot freeze the sandbox ----------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a+)+$", "nested quantifiers"),
        ("(?:a*)*b", "nested quantifiers"),
        ("(?:ab|cd)+x", "alternation"),
        (r"(a)\1", "back-reference"),
        (".*.*.*x", "variable-length quantifiers"),
        ("a?a?a?a?aaaa", "variable-length quantifiers"),
        ("x" * 201, "longer than 200"),
        ("(", "not a valid regex"),
    ],
)
def test_unbounded_fault_patterns_are_refused(
    sb: Sandbox, http: httpx.Client, pattern: str, reason: str
) -> None:
    r = http.post("/sandbox/control", json={"faults": [{"kind": "status", "status": 503, "path": pattern}]})
    assert_error(r, 400, "bad.request", "faults[0].path")
    assert reason in r.json()["message"]
    assert sb.control({})["faults"] == []


@pytest.mark.parametrize(
    "pattern",
    ["organizations", "^/oauth/token$", r"/contactlists/[^/]+/contacts$", "^/uploads/", "/calls", r"x{3}/.*"],
)
def test_bounded_fault_patterns_are_accepted(sb: Sandbox, pattern: str) -> None:
    assert sb.control({"faults": [{"kind": "drop", "path": pattern}]})["faults"][0]["path"] == pattern


def test_pathological_fault_pattern_cannot_freeze_the_sandbox() -> None:
    """In a child process: a freeze (it holds the GIL) shows as a time-out here, not as a hung test."""
    with SandboxProcess(SandboxConfig()) as sb, httpx.Client(base_url=sb.url, timeout=10) as http:
        r = http.post(
            "/sandbox/control", json={"faults": [{"kind": "status", "status": 503, "path": "(a+)+$"}]}
        )
        assert r.status_code == 400
        # a fault the pattern would have been tried on, and a long path for the bounded ones
        assert http.post("/sandbox/control", json={"faults": [{"kind": "drop", "path": "a*a*c$"}]}).is_success
        started = time.monotonic()
        assert http.get("/api/v2/" + "a" * 40 + "!").status_code == 404  # the drop fault did not match
        assert http.get("/api/v2/" + "a" * 60_000 + "!").status_code in (404, 414)
        assert time.monotonic() - started < 5
        assert http.get("/sandbox/control").json()["faults"][0]["path"] == "a*a*c$"


# -- 18: bodies over raw sockets -------------------------------------------------------------------------


def _raw(sb: Sandbox, head: str, body: bytes = b"") -> tuple[int, dict[str, str], dict[str, Any], bool]:
    """Send one raw request; returns (status, headers, JSON body, whether the server then closed)."""
    with socket.create_connection(("127.0.0.1", sb.port), timeout=10) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        data = b""
        closed = False
        while True:
            piece = conn.recv(65536)
            if not piece:
                closed = True
                break
            data += piece
            top, sep, rest = data.partition(b"\r\n\r\n")
            if sep:
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in top.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                if len(rest) >= length:
                    with_end = conn.recv(1)  # a closed connection reads b"" at once
                    closed = with_end == b""
                    break
    top, _, rest = data.partition(b"\r\n\r\n")
    lines = top.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(rest) if rest else {}, closed


def _post(path: str, *headers: str) -> str:
    return "\n".join(
        [f"POST {path} HTTP/1.1", "Host: sandbox", "Content-Type: application/json", *headers, ""]
    )


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Content-Length: abc", 400),
        ("Content-Length: -1", 400),
        ("Content-Length: 1e3", 400),
        ("Content-Length: 600000000", 413),
        ("Content-Length: 99999999999999999999999999", 413),
    ],
)
def test_malformed_or_huge_content_length(sb: Sandbox, header: str, status: int) -> None:
    got, headers, body, closed = _raw(sb, _post(ORG, header))
    assert got == status
    assert set(body) >= ERROR_BODY_KEYS
    assert body["status"] == status
    assert body["contextId"] == headers["inin-correlation-id"]
    assert headers["connection"] == "close"
    assert closed


def test_two_different_content_lengths_are_refused(sb: Sandbox) -> None:
    got, _, body, closed = _raw(sb, _post(ORG, "Content-Length: 2", "Content-Length: 3"), b"{}")
    assert (got, body["code"], closed) == (400, "bad.request", True)


@pytest.mark.parametrize(
    ("chunks", "status"),
    [
        (b"FFFFFFFFFFFFFFFFFFFFFFFF\r\n", 413),  # raised MemoryError
        (f"{600_000_000:x}\r\n".encode(), 413),
        (b"zz\r\nab\r\n0\r\n\r\n", 400),
        (b"-5\r\n", 400),
        (b"2\r\nabcdef\r\n0\r\n\r\n", 400),  # longer than declared
        (b"1" * 5000 + b"\r\n", 400),  # a chunk-size line without end
    ],
)
def test_bad_chunked_bodies(sb: Sandbox, chunks: bytes, status: int) -> None:
    got, _, body, closed = _raw(sb, _post(ORG, "Transfer-Encoding: chunked"), chunks)
    assert (got, body["status"], closed) == (status, status, True)


def test_chunked_body_obeys_the_size_limit(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "_MAX_BODY", 1000)
    chunk = b"190\r\n" + b"x" * 400 + b"\r\n"
    got, _, body, closed = _raw(sb, _post(ORG, "Transfer-Encoding: chunked"), chunk * 3 + b"0\r\n\r\n")
    assert (got, body["code"], closed) == (413, "request.entity.too.large", True)
    assert "Maximum bytes: 1000" in body["message"]
    got, _, _, _ = _raw(
        sb,
        _post("/sandbox/control", "Transfer-Encoding: chunked", "Connection: close"),
        b"2\r\n{}\r\n0\r\n\r\n",
    )
    assert got == 200  # a chunked body under the limit still works


# -- 19: deeply nested JSON --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v2/outbound/contactlists", "/sandbox/control"])
@pytest.mark.parametrize("doc", ["[" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_deeply_nested_json_is_a_400(api: httpx.Client, path: str, doc: str) -> None:
    r = api.post(path, content=doc.encode(), headers={"Content-Type": "application/json"})
    body = assert_error(r, 400, "bad.request", "nested too deeply")
    assert set(body) >= ERROR_BODY_KEYS
    assert "RecursionError" not in r.text
    assert api.get(ORG).status_code == 200


# -- 20: the request log keeps no secrets ----------------------------------------------------------------


def test_request_log_redacts_form_and_query_secrets(http: httpx.Client) -> None:
    secrets = {
        "client_secret": "s3cret-form",
        "code_verifier": "verifier-abc",
        "refresh_token": "refresh-xyz",
        "password": "hunter2",
        "code": "auth-code-123",
    }
    http.delete("/sandbox/requests")
    http.post(
        "/oauth/token", data={"grant_type": "authorization_code", "client_id": "sandbox-code", **secrets}
    )
    http.get(ORG, params={"access_token": "query-token-789", "pageSize": "5"})
    log = http.get("/sandbox/requests").json()["requests"]
    text = json.dumps(log)
    for value in [*secrets.values(), "query-token-789"]:
        assert value not in text
    form, query = log[0], log[1]
    assert "grant_type=authorization_code" in form["body"]
    assert "client_id=sandbox-code" in form["body"]
    assert form["body"].count("=<redacted>") == len(secrets)
    assert query["query"] == {"access_token": ["<redacted>"], "pageSize": ["5"]}
