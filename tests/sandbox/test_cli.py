"""`outbound-console sandbox` as a real process: banner, Ctrl-C, --state across restarts, flags."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx

from console.cli import build_parser


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    second = proc.stdout.readline().strip()
    assert first.startswith("Sandbox listening on http://127.0.0.1:"), (
        first,
        proc.stderr and proc.stderr.read(),
    )
    url = first.removeprefix("Sandbox listening on ")
    assert not url.endswith(":0")
    return proc, url + "|" + second


def interrupt(proc: subprocess.Popen[str]) -> int:
    """Ctrl-C the process; returns its exit code (pipes drained and closed)."""
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    proc.stdout_rest = out  # type: ignore[attr-defined]
    return proc.returncode


def token(url: str, client: tuple[str, str] = ("sandbox-client", "sandbox-secret")) -> str:
    r = httpx.post(f"{url}/oauth/token", auth=client, data={"grant_type": "client_credentials"})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_banner_serve_and_ctrl_c(tmp_path: Path) -> None:
    proc, info = start(
        "--client-id", "cli-client", "--client-secret", "cli-secret", "--switch", "duplicate_list_name=409"
    )
    url, creds = info.split("|")
    try:
        assert creds == "client_id=cli-client client_secret=cli-secret"
        tok = token(url, ("cli-client", "cli-secret"))
        r = httpx.get(f"{url}/api/v2/organizations/me", headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 200
        assert httpx.get(f"{url}/sandbox/control").json()["switches"]["duplicate_list_name"] == "409"
    finally:
        code = interrupt(proc)
    assert code == 0
    assert "Sandbox stopped" in proc.stdout_rest  # type: ignore[attr-defined]


def test_state_file_keeps_lists_across_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.db"
    proc, info = start("--state", str(state))
    url = info.split("|")[0]
    try:
        h = {"Authorization": f"Bearer {token(url)}"}
        body = {
            "name": "Kept",
            "columnNames": ["Phone"],
            "phoneColumns": [{"columnName": "Phone", "type": "cell"}],
        }
        made = httpx.post(f"{url}/api/v2/outbound/contactlists", json=body, headers=h).json()
        contacts = [{"id": "k1", "contactListId": made["id"], "data": {"Phone": "+15555550100"}}]
        assert httpx.post(
            f"{url}/api/v2/outbound/contactlists/{made['id']}/contacts", json=contacts, headers=h
        ).is_success
    finally:
        assert interrupt(proc) == 0
    proc, info = start("--state", str(state))
    url = info.split("|")[0]
    try:
        h = {"Authorization": f"Bearer {token(url)}"}
        got = httpx.get(
            f"{url}/api/v2/outbound/contactlists/{made['id']}", params={"includeSize": "true"}, headers=h
        )
        assert got.status_code == 200
        assert (got.json()["name"], got.json()["size"], got.json()["version"]) == ("Kept", 1, 1)
        contact = httpx.get(f"{url}/api/v2/outbound/contactlists/{made['id']}/contacts/k1", headers=h).json()
        assert contact["data"] == {"Phone": "+15555550100"}
    finally:
        assert interrupt(proc) == 0


def test_bad_flags_are_reported() -> None:
    args = build_parser().parse_args(
        ["sandbox", "--port", "0", "--switch", "a=b", "--fault", '{"kind": "drop"}']
    )
    assert (args.switch, args.fault) == ([("a", "b")], [{"kind": "drop"}])
    proc = subprocess.run(
        [sys.executable, "-m", "console.cli", "sandbox", "--port", "0", "--switch", "nope=1"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert proc.returncode == 2
    assert "unknown switch 'nope'" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "console.cli", "sandbox", "--fault", "[1]"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert proc.returncode == 2
    assert "--fault takes a JSON object" in proc.stderr
