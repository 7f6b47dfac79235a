"""`upload` against a token endpoint that accepts and never answers: exit 2 with the cause."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.http_proxy import SilentServer


def test_upload_gives_up_on_a_silent_token_endpoint(tmp_path: Path, tmp_home: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text("id,phone\n1,+15551234567\n", encoding="utf-8")
    env = dict(os.environ)
    env["GENESYS_CLIENT_SECRET"] = "s"
    env.pop("COVERAGE_PROCESS_START", None)
    with SilentServer() as server:
        cmd = [
            sys.executable, "-m", "console.cli", "upload", str(csv), "--list", "L1", "--id-column", "id",
            "--base-url", server.url, "--client-id", "c", "--timeout", "0.5",
        ]  # fmt: skip
        # before: the token request had no time-out and the command waited for ever
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert server.received.is_set()
    assert done.returncode == 2, done.stderr
    assert "no answer from 127.0.0.1" in done.stderr
    assert "Timeout" in done.stderr
    assert "Traceback" not in done.stderr
