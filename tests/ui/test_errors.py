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
