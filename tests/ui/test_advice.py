"""Advice that fits (issue 16, faults 1 and 8): no class names, no correlation id that is not there,
no "correct the field" for a 403, no window wording on the command line."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from console.api.errors import ApiConnectionError, ApiStatusError
from console.cli import main
from console.credentials import CredentialsError, Profile, ProfileStore
from console.ui.builder.mapping import server_finding
from console.ui.errors import decode_error


def _status_error(status: int, body: dict[str, object], correlation: str | None = None) -> ApiStatusError:
    request = httpx.Request("PUT", "https://api.mypurecloud.ie/api/v2/outbound/contactlists/L1")
    headers = {"ININ-Correlation-Id": correlation} if correlation else {}
    response = httpx.Response(status, json=body, headers=headers, request=request)
    return ApiStatusError.from_response(response, request_body="{}")


@pytest.mark.parametrize(
    "exc",
    [
        CredentialsError(""),
        RuntimeError("CredentialsError: No client secret is stored"),  # re-raised from a child process
        ValueError(""),
        KeyError("phone"),
    ],
)
def test_no_headline_shows_a_class_name(exc: BaseException) -> None:
    decoded = decode_error(exc, "Sign in as a user")
    assert decoded.title.startswith("Sign in as a user failed: ")
    for name in ("CredentialsError", "ValueError", "KeyError", "RuntimeError"):
        assert name not in decoded.title


@pytest.mark.parametrize(
    "exc",
    [
        CredentialsError("No client secret is stored for profile 'x'."),
        ApiConnectionError("refused", httpx.Request("GET", "http://127.0.0.1:9/api/v2/organizations/me")),
        RuntimeError("boom"),
        _status_error(503, {"message": "down", "code": "service.unavailable", "status": 503}),
        _status_error(418, {"message": "odd", "code": "i.am.odd", "status": 418}),
    ],
)
def test_an_error_without_correlation_id_never_asks_to_quote_one(exc: BaseException) -> None:
    decoded = decode_error(exc, "Test connection")
    assert decoded.correlation_id is None
    assert "correlation id" not in decoded.text().lower()
    assert "correlation id" not in decoded.explanation.lower()


def test_an_error_with_a_correlation_id_names_it() -> None:
    exc = _status_error(503, {"message": "down", "code": "service.unavailable", "status": 503}, "abc-123")
    decoded = decode_error(exc, "Test connection")
    assert decoded.correlation_id == "abc-123"
    assert "correlation id" in decoded.fix.lower()


def test_a_403_in_the_builder_never_says_correct_the_field() -> None:
    exc = _status_error(
        403,
        {
            "message": "You are missing the following permission(s): [outbound:contactList:edit]",
            "code": "missing.permissions",
            "status": 403,
            "details": [{"fieldName": "name"}],
        },
    )
    finding = server_finding(exc)
    assert "correct the field" not in finding.fix.lower()
    assert "outbound:contactList:edit" in finding.fix or "role" in finding.fix.lower()
    refused = server_finding(
        _status_error(
            400, {"message": "bad", "code": "bad.request", "status": 400, "details": [{"fieldName": "name"}]}
        )
    )
    assert refused.fix == "Correct the field and send again."


def test_command_line_prints_no_window_wording(
    tmp_path: Path, tmp_home: Path, no_keyring: None, capsys: pytest.CaptureFixture[str]
) -> None:
    ProfileStore().upsert(Profile(name="EU", region="eu_west_1", client_id="abc"))
    csv = tmp_path / "c.csv"
    csv.write_text("id,phone\n1,+15551234567\n", encoding="utf-8")
    code = main(["upload", str(csv), "--list", "L1", "--id-column", "id", "--profile", "EU"])
    err = capsys.readouterr().err
    assert code == 2
    assert "No password store (keyring)" in err
    assert "forgotten when the app closes" not in err
    assert "session only" not in err
    assert "GENESYS_CLIENT_SECRET" in err  # the command line's own way out
