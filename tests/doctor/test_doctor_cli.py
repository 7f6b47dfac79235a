"""``outbound-console doctor`` against the sandbox: each step made to fail in turn by a fault or a switch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from console.cli import main
from console.credentials import CUSTOM_REGION, KeyringSecretStore, Profile, ProfileStore, SignInMethod
from console.sandbox import Sandbox
from tests.doctor.doctor_helpers import fast_heartbeat
from tests.sandbox.sandbox_helpers import LIST_BODY, cc_token

SECRET = "sandbox-secret"


def _doctor(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *extra: str,
    client_id: str = "sandbox-client",
    secret: str = SECRET,
    heartbeat: str = "0.2",
) -> tuple[int, dict[str, str], list[str]]:
    """Run the doctor; returns the exit code, the line of each step (by step name) and every stdout line."""
    monkeypatch.setenv("GENESYS_CLIENT_SECRET", secret)
    sandbox.control({"switches": {"heartbeat_seconds": heartbeat}})
    code = main(
        ["doctor", "--base-url", sandbox.url, "--client-id", client_id, "--heartbeat-wait", "1", *extra]
    )
    lines = capsys.readouterr().out.splitlines()
    steps = {}
    for line in lines:
        outcome, _, rest = line.partition(" ")
        if outcome in ("ok", "fail", "skip"):
            steps[rest.partition(":")[0]] = line
    return code, steps, lines


def test_healthy_org_passes_with_one_line_per_step(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, steps, lines = _doctor(sandbox, capsys, monkeypatch)
    assert code == 0, lines
    assert list(steps) == ["network", "clock", "oauth", "org", "outbound", "rate-limit", "live-updates"]
    assert steps["network"].startswith("skip network: ")
    assert "plain http" in steps["network"]
    assert steps["clock"].startswith("ok clock: ")
    assert steps["oauth"].startswith("ok oauth: ")
    assert "lifetime 86399 s" in steps["oauth"]
    assert "CLIENT-CREDENTIALS matches client credentials" in steps["oauth"]
    assert steps["org"].startswith("ok org: org Sandbox Org (")
    assert "12 of 12 console actions allowed" in steps["org"]
    assert steps["outbound"].startswith("ok outbound: ")
    assert "attempt-limit sets" in steps["outbound"]
    assert "mapped 08:00-21:00" in steps["outbound"]
    assert steps["rate-limit"].startswith("ok rate-limit: ")
    assert steps["live-updates"].startswith("ok live-updates: channel open (127.0.0.1)")
    assert "heartbeat after" in steps["live-updates"]
    assert "of 300 requests used" in steps["rate-limit"]
    assert not any(line.startswith("fail ") for line in lines)
    ok = sum(1 for s in steps.values() if s.startswith("ok "))
    skipped = sum(1 for s in steps.values() if s.startswith("skip "))
    assert lines[-1] == f"doctor: {ok} ok, 0 failed, {skipped} skipped"
    writes = {
        (r["method"], r["path"]) for r in sandbox.state.log if r["method"] != "GET"
    }  # read-only: the token request and a notification channel (with its subscription) are the only writes
    assert {m for m, _ in writes} <= {"POST", "PUT"}
    assert all(
        path == "/oauth/token" or path.startswith("/api/v2/notifications/channels") for _, path in writes
    ), writes


def test_a_401_client_fails_the_oauth_step(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, steps, lines = _doctor(sandbox, capsys, monkeypatch, secret="wrong-secret")
    assert code == 1
    assert steps["oauth"].startswith("fail oauth: no token from ")
    assert "invalid_client" in steps["oauth"]
    assert "Fix: Open Profiles" in steps["oauth"]
    for step in ("org", "outbound", "rate-limit", "live-updates"):
        assert steps[step].startswith(f"skip {step}: needs a token")
    assert lines[-1].startswith("doctor: ")
    assert ", 1 failed, " in lines[-1]


def test_a_401_fault_on_the_token_request_fails_the_oauth_step(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control({"faults": [{"kind": "status", "status": 401, "path": "^/oauth/token$"}]})
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch)
    assert code == 1
    assert steps["oauth"].startswith("fail oauth: no token from ")


def test_a_read_only_client_fails_the_permissions_step_naming_what_is_missing(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, steps, _ = _doctor(
        sandbox, capsys, monkeypatch, client_id="sandbox-readonly", secret="readonly-secret"
    )
    assert code == 1
    line = steps["org"]
    assert line.startswith("fail org: org Sandbox Org")
    assert "token subject Sandbox read-only" in line
    assert "missing: Create contact lists (outbound:contactList:add)" in line
    assert "Import a CSV file (outbound:contactList:upload, outbound:contact:add)" in line
    assert "Admin > People & Permissions > Roles" in line
    assert steps["outbound"].startswith("ok outbound: ")  # reading still works


def test_a_429_storm_fails_the_rate_limit_step(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control({"faults": [{"kind": "429", "count": 50, "retry_after": 7, "path": "^/api/v2/"}]})
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch)
    assert code == 1
    assert steps["rate-limit"].startswith("fail rate-limit: ")
    assert "answers were 429 Too Many Requests (Retry-After 7 s)" in steps["rate-limit"]
    assert "same OAuth client" in steps["rate-limit"]


def test_a_slow_host_fails_the_step_that_waited(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control({"faults": [{"kind": "delay", "seconds": 3, "path": "^/api/v2/organizations/me$"}]})
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch, "--timeout", "0.5")
    assert code == 1
    assert steps["org"].startswith(
        "fail org: GET /api/v2/organizations/me failed (timed out: the host is slow"
    )
    assert "No answer from the server." in steps["org"]
    assert steps["outbound"].startswith("ok outbound: ")  # one slow answer, not a dead host


@pytest.mark.parametrize(("skew", "outcome", "words"), [(-120, "fail", "s ahead of"), (30, "ok", "s behind")])
def test_a_skewed_date_fails_the_clock_step_past_60_s(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    skew: int,
    outcome: str,
    words: str,
) -> None:
    sandbox.control({"switches": {"date_skew_seconds": str(skew)}})
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch)
    assert steps["clock"].startswith(f"{outcome} clock: ")
    assert words in steps["clock"]
    assert code == (1 if outcome == "fail" else 0)
    if outcome == "fail":
        assert "timedatectl set-ntp true" in steps["clock"]


def test_a_refused_notification_channel_fails_the_live_updates_step(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control(
        {"faults": [{"kind": "status", "status": 403, "method": "POST", "path": "^/api/v2/notifications/"}]}
    )
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch)
    assert code == 1
    line = steps["live-updates"]
    assert line.startswith("fail live-updates: no notification channel: ")
    assert "the console will poll for changes instead" in line


def test_json_gives_the_same_as_data(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control({"switches": {"date_skew_seconds": "300", "heartbeat_seconds": "0.2"}})
    monkeypatch.setenv("GENESYS_CLIENT_SECRET", SECRET)
    code = main(
        [
            "doctor",
            "--base-url",
            sandbox.url,
            "--client-id",
            "sandbox-client",
            "--json",
            "--heartbeat-wait",
            "5",
        ]
    )
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == data["exit_code"] == 1
    assert [s["step"] for s in data["steps"]][:3] == ["network", "clock", "oauth"]
    clock = data["steps"][1]
    assert clock["outcome"] == "fail"
    assert clock["fix"]
    assert clock["facts"]["skew_seconds"] < -60
    assert data["summary"]["failed"] == 1
    assert data["org"]["name"] == "Sandbox Org"
    assert data["target"]["client_id"] == "sandbox-client"


def test_the_report_holds_no_secret_and_no_token(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    report = tmp_path / "support.txt"
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch, "--report", str(report))
    assert code == 0
    text = report.read_text(encoding="utf-8")
    tokens = sandbox.issued_tokens()
    assert tokens
    assert SECRET not in text
    for token in tokens:
        assert token not in text
    assert "org: Sandbox Org (id " in text
    assert "client id: sandbox-client" in text
    assert f"region: {sandbox.url}" in text
    logged = [r["correlationId"] for r in sandbox.state.log]
    assert logged
    assert all(cid in text for cid in logged)
    for line in steps.values():
        assert line in text


def test_cannot_run_without_a_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GENESYS_CLIENT_SECRET", raising=False)
    assert main(["doctor", "--base-url", "http://127.0.0.1:9", "--client-id", "c"]) == 2
    assert "GENESYS_CLIENT_SECRET" in capsys.readouterr().err


def test_a_refused_notification_topic_fails_the_live_updates_step(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with httpx.Client(base_url=sandbox.url, timeout=10) as http:
        auth = {"Authorization": f"Bearer {cc_token(http)}"}
        created = http.post("/api/v2/outbound/contactlists", json=LIST_BODY, headers=auth)  # a topic
        assert created.status_code == 200, created.text
    sandbox.control({"switches": {"refused_topics": "v2.outbound.contactlists.*"}})
    code, steps, lines = _doctor(sandbox, capsys, monkeypatch)
    assert code == 1
    line = steps["live-updates"]
    topic = f"v2.outbound.contactlists.{created.json()['id']}.importstatus"
    assert line.startswith(f"fail live-updates: the subscription to {topic} was refused")
    channels = [r["path"].split("/")[5] for r in sandbox.state.log if r["path"].endswith("/subscriptions")]
    assert channels  # the channel id is the capability part of connectUri: never printed
    assert not any(channel in "\n".join(lines) for channel in channels)
    assert "was refused" in line
    assert "the console will poll for changes instead" in line


def test_live_updates_fails_when_no_heartbeat_comes_in_time(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch, "--heartbeat-wait", "0.3", heartbeat="30")
    assert code == 1
    assert "no heartbeat within 0.3 s" in steps["live-updates"]


def test_a_saved_profile_uses_its_keyring_secret(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_home: Path,
    memory_keyring: Any,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("GENESYS_CLIENT_SECRET", raising=False)
    store = ProfileStore()
    url = sandbox.url
    profile = Profile(name="Sandbox", region=CUSTOM_REGION, custom_url=url, client_id="sandbox-client")
    store.upsert(profile)
    KeyringSecretStore().set(profile.id, SecretStr(SECRET))
    pkce = Profile(
        name="Users", region=CUSTOM_REGION, custom_url=sandbox.url, client_id="sandbox-pkce",
        sign_in=SignInMethod.PKCE,
    )  # fmt: skip
    store.upsert(pkce)
    report = tmp_path / "r.txt"
    fast_heartbeat(sandbox)
    assert main(["doctor", "--profile", "Sandbox", "--heartbeat-wait", "1", "--report", str(report)]) == 0
    assert "ok org: " in capsys.readouterr().out
    assert "profile: Sandbox" in report.read_text(encoding="utf-8")
    assert main(["doctor", "--profile", "Users"]) == 0  # nobody signed in: nothing to fail
    out = capsys.readouterr().out
    assert "skip oauth: no user token: sign in as a user first" in out
    assert "redirect URI http://127.0.0.1:8085/callback" in out
    assert main(["doctor", "--profile", "Nobody"]) == 2


def test_a_spent_budget_fails_the_rate_limit_step(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control({"rate_limit": 4})  # the sandbox's own meter: the fifth request of the window is a 429
    code, steps, _ = _doctor(sandbox, capsys, monkeypatch)
    assert code == 1
    assert steps["rate-limit"].startswith("fail rate-limit: ")
    assert "4 of 4 requests used in this window, 0 left" in steps["rate-limit"]
