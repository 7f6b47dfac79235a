"""Client secrets: the OS keyring, or memory for this session only. Never a file.

Error tree (the part that lives here; STYLE.md "Errors")::

    ConsoleError (console.errors)
     └── CredentialsError   the keyring is missing, locked or refused the operation (console.errors)

``keyring.errors.KeyringError`` (including ``NoKeyringError`` when no backend is usable) is
caught at this one seam and re-raised as :class:`CredentialsError` with a message a
supervisor can act on. There is deliberately no plain-text fallback (``keyrings.alt`` is
never installed: without D-Bus it would be auto-selected and store base64 in a file).
"""

from __future__ import annotations

import threading
from typing import Protocol

import keyring
import keyring.errors
from pydantic import SecretStr

from console import APP_ID
from console.errors import CredentialsError

__all__ = [
    "NO_KEYRING_MESSAGE",
    "CredentialsError",
    "KeyringSecretStore",
    "SecretStore",
    "SecretVault",
    "SessionSecretStore",
]

NO_KEYRING_MESSAGE = (
    "No password store (keyring) is usable on this computer, so the client secret cannot be saved or "
    "read. Start or unlock your system's password store (on Linux: GNOME Keyring or KWallet with the "
    "Secret Service)."
)
"""The words of a missing keyring, for the window and the command line alike (each adds its own way out)."""


class SecretStore(Protocol):
    """Where a profile's client secret lives, keyed by profile id."""

    def get(self, profile_id: str) -> SecretStr | None:
        """The secret, or None when none is stored."""
        ...

    def set(self, profile_id: str, secret: SecretStr) -> None:
        """Store (or replace) the secret."""
        ...

    def delete(self, profile_id: str) -> None:
        """Forget the secret; no error when there was none."""
        ...


def _translate(exc: keyring.errors.KeyringError, action: str) -> CredentialsError:
    if isinstance(exc, keyring.errors.NoKeyringError):
        return CredentialsError(NO_KEYRING_MESSAGE, no_keyring=True)
    if isinstance(exc, keyring.errors.KeyringLocked):
        return CredentialsError(
            f"The system password store is locked, so the client secret could not be {action}. "
            "Unlock it (it usually asks for your login password) and try again."
        )
    # Other backend errors: name the backend, never echo the secret (exceptions do not carry it).
    return CredentialsError(
        f"The system password store ({type(keyring.get_keyring()).__name__}) refused to {action} "
        f"the client secret: {exc}"
    )


class KeyringSecretStore:
    """The OS keyring: service ``outbound-console``, one entry per profile (username = profile id).

    Args:
        service: Keyring service name; the app's id by default.
    """

    def __init__(self, service: str = APP_ID) -> None:
        self.service = service

    def get(self, profile_id: str) -> SecretStr | None:
        """Read the secret.

        Raises:
            CredentialsError: No usable keyring, or it refused.
        """
        try:
            value = keyring.get_password(self.service, profile_id)
        except keyring.errors.KeyringError as exc:
            raise _translate(exc, "read") from exc
        return None if value is None else SecretStr(value)

    def set(self, profile_id: str, secret: SecretStr) -> None:
        """Store the secret.

        Raises:
            CredentialsError: No usable keyring, or it refused.
        """
        try:
            keyring.set_password(self.service, profile_id, secret.get_secret_value())
        except keyring.errors.KeyringError as exc:
            raise _translate(exc, "saved") from exc

    def delete(self, profile_id: str) -> None:
        """Delete the secret; a missing entry is not an error.

        Raises:
            CredentialsError: No usable keyring, or it refused.
        """
        try:
            keyring.delete_password(self.service, profile_id)
        except keyring.errors.PasswordDeleteError:
            return  # nothing stored for this profile
        except keyring.errors.KeyringError as exc:
            raise _translate(exc, "deleted") from exc

    @staticmethod
    def available() -> bool:
        """Whether a real keyring backend is selected (not the ``fail`` backend)."""
        backend = keyring.get_keyring()
        priority = getattr(backend, "priority", 0)
        return not type(backend).__module__.startswith("keyring.backends.fail") and priority > 0


class SessionSecretStore:
    """Secrets held in this process's memory only ("use this secret for this session only")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, SecretStr] = {}

    def get(self, profile_id: str) -> SecretStr | None:
        """The secret, or None."""
        with self._lock:
            return self._secrets.get(profile_id)

    def set(self, profile_id: str, secret: SecretStr) -> None:
        """Keep the secret until the process ends."""
        with self._lock:
            self._secrets[profile_id] = secret

    def delete(self, profile_id: str) -> None:
        """Forget the secret."""
        with self._lock:
            self._secrets.pop(profile_id, None)


class SecretVault:
    """Looks a profile's secret up in the session store first, then the keyring.

    Args:
        keyring_store: The persistent store (the OS keyring).
        session_store: The memory-only store for "this session only" secrets.
    """

    def __init__(
        self,
        keyring_store: SecretStore | None = None,
        session_store: SessionSecretStore | None = None,
    ) -> None:
        self.keyring: SecretStore = keyring_store if keyring_store is not None else KeyringSecretStore()
        self.session = session_store if session_store is not None else SessionSecretStore()

    def get(self, profile_id: str) -> SecretStr | None:
        """The session secret if any, else the keyring's.

        Raises:
            CredentialsError: Only when the keyring fails and no session secret exists.
        """
        secret = self.session.get(profile_id)
        if secret is not None:
            return secret
        return self.keyring.get(profile_id)

    def put(self, profile_id: str, secret: SecretStr, *, session_only: bool = False) -> None:
        """Store the secret in the keyring, or in memory when ``session_only``.

        Raises:
            CredentialsError: The keyring could not store it (the session store never fails).
        """
        if session_only:
            self.session.set(profile_id, secret)
            return
        self.keyring.set(profile_id, secret)
        self.session.delete(profile_id)  # the keyring copy now wins

    def is_session_only(self, profile_id: str) -> bool:
        """Whether the profile's secret lives only in memory."""
        return self.session.get(profile_id) is not None

    def forget(self, profile_id: str) -> None:
        """Delete the secret everywhere (profile deleted).

        Raises:
            CredentialsError: The keyring refused to delete it.
        """
        self.session.delete(profile_id)
        try:
            self.keyring.delete(profile_id)
        except CredentialsError as exc:
            if not exc.no_keyring:  # without any keyring nothing can have been stored there
                raise
