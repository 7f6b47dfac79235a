"""decode_error on failures that are not API answers: a keyring failure reads as its own message."""

from __future__ import annotations

import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from console.credentials import CredentialsError, KeyringSecretStore
from console.ui.errors import decode_error


@pytest.mark.parametrize("failure", ["locked", "none"])
def test_keyring_failure_is_the_plain_message(
    failure: str, memory_keyring: KeyringBackend, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if failure == "locked":
        import keyring as kr

        backend = memory_keyring

        def locked(*_a: object) -> None:
            raise keyring.errors.KeyringLocked("locked")

        monkeypatch.setattr(backend, "get_password", locked)
        kr.set_keyring(backend)
    with pytest.raises(CredentialsError) as info:
        KeyringSecretStore().get("p1")
    decoded = decode_error(info.value, "Test connection")
    assert decoded.title == f"Test connection failed: {info.value}"
    everything = decoded.text()
    assert "CredentialsError" not in everything
    assert "correlation id" not in everything.lower()
    assert decoded.correlation_id is None


def test_html_page_from_a_proxy_is_decoded_not_shown_raw() -> None:
    import httpx

    from console.api.errors import ApiStatusError

    page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
    response = httpx.Response(
        502,
        content=page.encode(),
        headers={"Content-Type": "text/html"},
        request=httpx.Request("GET", "https://api.mypurecloud.ie/api/v2/organizations/me"),
    )
    decoded = decode_error(ApiStatusError.from_response(response), "Test connection")
    assert decoded.title == "Test connection failed: The proxy/gateway answered 502"
    assert "<" not in decoded.title
    assert "<" not in decoded.explanation
    assert "<" not in decoded.message
    assert "proxy/gateway answered 502" in decoded.message
    assert "correlation id" not in decoded.explanation
    assert decoded.response_body == page
    assert page in decoded.details
