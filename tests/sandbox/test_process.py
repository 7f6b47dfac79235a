"""The sandbox in a child process: same wire, same control surface, gone with its parent."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from console.sandbox import SandboxConfig, SandboxProcess, SandboxProcessError
from tests.processes import first_line_then_kill


def _token(url: str) -> str:
    r = httpx.post(
        url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_serves_the_api_and_takes_control_over_the_pipe() -> None:
    with SandboxProcess(SandboxConfig(port=0)) as sb:
        assert sb.pid is not None
        assert sb.pid != os.getpid()
        token = _token(sb.url)
        assert sb.issued_tokens() == [token]
        me = httpx.get(sb.url + "/api/v2/organizations/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        snapshot = sb.control({"faults": [{"kind": "status", "status": 503, "count": 1, "method": "GET"}]})
        assert snapshot["faults"]
        failed = httpx.get(sb.url + "/api/v2/organizations/me", headers={"Authorization": f"Bearer {token}"})
        assert failed.status_code == 503
        assert failed.json()["status"] == 503
        with pytest.raises(ValueError, match="nope"):
            sb.control({"switches": {"nope": "1"}})
        sb.reset()
        assert sb.issued_tokens() == []
        pid = sb.pid
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{sb.port}/api/v2/organizations/me", timeout=2)
    assert pid is not None
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(pid, 0)


def test_a_taken_port_is_reported() -> None:
    with (
        SandboxProcess(SandboxConfig(port=0)) as first,
        pytest.raises(SandboxProcessError, match=f"cannot listen on 127.0.0.1:{first.port}"),
    ):
        SandboxProcess(SandboxConfig(port=first.port)).start()


def test_the_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time, httpx
        from console.sandbox import SandboxConfig, SandboxProcess
        if __name__ == "__main__":
            sb = SandboxProcess(SandboxConfig(port=0)).start()
            status = httpx.post(sb.url + "/oauth/token").status_code  # it serves
            print(sb.port, sb.pid, status, flush=True)
            time.sleep(60)
        """
    )
    path = tmp_path / "parent.py"
    path.write_text(script)
    port, child_pid, status = (int(v) for v in first_line_then_kill(path).split())
    assert status in (400, 401)  # served while its parent lived
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v2/organizations/me", timeout=1)
        except httpx.TransportError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the sandbox child {child_pid} still serves after its parent was killed")
