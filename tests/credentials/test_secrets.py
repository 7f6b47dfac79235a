from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import keyring
import keyring.errors
import pytest
from pydantic import SecretStr

from console.credentials import CredentialsError, KeyringSecretStore, SecretVault, SessionSecretStore
from console.credentials.secrets import NO_KEYRING_MESSAGE


def test_keyring_store_roundtrip_uses_app_service_and_profile_id(memory_keyring) -> None:
    store = KeyringSecretStore()
    store.set("p1", SecretStr("s3cret"))
    assert memory_keyring.store == {("outbound-console", "p1"): "s3cret"}
    got = store.get("p1")
    assert isinstance(got, SecretStr)
    assert got.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(got)
    store.delete("p1")
    assert store.get("p1") is None
    store.delete("p1")  # deleting twice is fine


@pytest.mark.parametrize("call", ["get", "set", "delete"])
def test_no_keyring_raises_plain_credentials_error(no_keyring, call: str) -> None:
    store = KeyringSecretStore()
    args: tuple[object, ...] = ("p1", SecretStr("x")) if call == "set" else ("p1",)
    with pytest.raises(CredentialsError) as info:
        getattr(store, call)(*args)
    assert info.value.no_keyring
    assert str(info.value) == NO_KEYRING_MESSAGE
    # the command line prints it too: no window wording (issue 16, fault 8)
    assert "session only" not in str(info.value)
    assert "app closes" not in str(info.value)
    assert isinstance(info.value.__cause__, keyring.errors.NoKeyringError)
    assert not KeyringSecretStore.available()


def test_locked_keyring_message(memory_keyring, monkeypatch) -> None:
    def locked(*_a: object) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    with pytest.raises(CredentialsError, match="locked") as info:
        KeyringSecretStore().set("p", SecretStr("x"))
    assert not info.value.no_keyring


def test_vault_prefers_session_and_session_only_never_touches_keyring(memory_keyring) -> None:
    vault = SecretVault(KeyringSecretStore(), SessionSecretStore())
    vault.put("a", SecretStr("mem"), session_only=True)
    assert memory_keyring.store == {}
    assert vault.is_session_only("a")
    assert vault.get("a").get_secret_value() == "mem"
    vault.put("a", SecretStr("kr"))
    assert memory_keyring.store == {("outbound-console", "a"): "kr"}
    assert not vault.is_session_only("a")
    assert vault.get("a").get_secret_value() == "kr"
    vault.forget("a")
    assert vault.get("a") is None


def test_vault_session_only_works_without_keyring(no_keyring) -> None:
    vault = SecretVault()
    with pytest.raises(CredentialsError):
        vault.put("a", SecretStr("x"))
    vault.put("a", SecretStr("x"), session_only=True)
    assert vault.get("a").get_secret_value() == "x"
    vault.forget("a")  # no keyring: nothing to delete there, no error
    with pytest.raises(CredentialsError):
        vault.get("a")  # falls through to the missing keyring


@pytest.mark.real_keyring
def test_real_secret_service_roundtrip(tmp_path: Path) -> None:
    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", [backend])  # ChainerBackend wraps the real ones
    if not any(type(b).__module__ == "keyring.backends.SecretService" for b in chained):
        pytest.skip(f"needs the Secret Service backend (CI's D-Bus session); have {backend!r}")
    store = KeyringSecretStore(service=f"outbound-console-test-{uuid.uuid4().hex[:8]}")
    secret = f"real-{uuid.uuid4().hex}"
    store.set("profile-x", SecretStr(secret))
    try:
        # another process sees it: it is really in the Secret Service, not in this process
        code = f"import keyring; print(keyring.get_password({store.service!r}, 'profile-x'))"
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ.copy(),
        ).stdout.strip()
        assert out == secret
        assert store.get("profile-x").get_secret_value() == secret
    finally:
        store.delete("profile-x")
    assert store.get("profile-x") is None
