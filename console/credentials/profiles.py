"""Connection profiles: everything about an org except its secret, in a JSON file.

The file lives in the app's private config folder (:func:`console.paths.config_dir`,
``$XDG_CONFIG_HOME/outbound-console`` on Linux) as ``profiles.json``, ``0600``. A profile
never carries a secret: the model forbids unknown fields, so a stray ``client_secret`` key
is rejected on load and cannot be written.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from console.paths import config_dir, data_dir, private_dir

__all__ = ["CUSTOM_REGION", "Profile", "ProfileStore", "SignInMethod", "config_dir", "data_dir"]

CUSTOM_REGION = "custom"
"""Region key of a profile that names its API base URL itself (the sandbox, a gateway)."""


class SignInMethod(StrEnum):
    """How the console gets a token for a profile."""

    CLIENT_CREDENTIALS = "client_credentials"
    """OAuth client credentials grant (a confidential client; the secret is in the keyring)."""
    PKCE = "pkce"
    """User login in the system browser, authorization code with PKCE (a public client, no secret)."""


class Profile(BaseModel):
    """One org connection. Holds nothing secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    """Stable identifier; the keyring username of the profile's secret."""
    name: str = Field(min_length=1, max_length=80)
    """What the supervisor calls it ("EU production")."""
    region: str
    """Region key (``us_east_1`` ...) or :data:`CUSTOM_REGION`."""
    custom_url: str | None = None
    """API base URL when ``region`` is :data:`CUSTOM_REGION` (e.g. ``http://127.0.0.1:8765``)."""
    client_id: str = Field(min_length=1)
    """OAuth client id."""
    sign_in: SignInMethod = SignInMethod.CLIENT_CREDENTIALS
    """How to get a token."""
    redirect_port: int = Field(default=8085, ge=0, le=65535)
    """Loopback port of the PKCE redirect (``http://127.0.0.1:<port>/callback``): register this exact URI
    on the org's OAuth client. 0 only for the built-in sandbox (any free port); a real org uses 8085 then."""
    pkce_client_id: str | None = None
    """Public client used for "Sign in as a user" when ``sign_in`` is client credentials (optional)."""
    proxy_url: str | None = None
    """An HTTP(S) proxy for every request of this profile, loopback included (optional). Without it
    the environment's ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` apply, ``NO_PROXY`` and loopback
    going direct (``console.api.transport``)."""

    @field_validator("name", "client_id")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("proxy_url")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("the proxy URL must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _custom_needs_url(self) -> Profile:
        if self.region == CUSTOM_REGION:
            url = (self.custom_url or "").strip()
            if not url.startswith(("http://", "https://")):
                raise ValueError("a custom region needs a base URL starting with http:// or https://")
        return self

    @property
    def needs_secret(self) -> bool:
        """Whether signing in needs a client secret (client credentials do; PKCE does not)."""
        return self.sign_in is SignInMethod.CLIENT_CREDENTIALS


class _ProfilesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    profiles: list[Profile] = Field(default_factory=list)
    last_profile: str | None = None


class ProfileStore:
    """Reads and writes ``profiles.json``; every change is saved atomically at once.

    Args:
        path: The JSON file; ``config_dir() / "profiles.json"`` by default.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else config_dir() / "profiles.json"
        self._data = self._load()

    def _load(self) -> _ProfilesFile:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _ProfilesFile()
        try:
            return _ProfilesFile.model_validate_json(text)
        except ValidationError as exc:
            raise ValueError(f"{self.path} is not a valid profiles file: {exc}") from exc

    def _save(self) -> None:
        private_dir(self.path.parent)
        text = json.dumps(self._data.model_dump(mode="json"), indent=2)
        fd, tmp = tempfile.mkstemp(prefix=".profiles.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @property
    def profiles(self) -> list[Profile]:
        """All profiles, in the order they were added."""
        return list(self._data.profiles)

    def get(self, profile_id: str) -> Profile | None:
        """The profile with that id, or None."""
        return next((p for p in self._data.profiles if p.id == profile_id), None)

    def upsert(self, profile: Profile) -> None:
        """Add the profile, or replace the one with the same id."""
        items = self._data.profiles
        for i, existing in enumerate(items):
            if existing.id == profile.id:
                items[i] = profile
                break
        else:
            items.append(profile)
        self._save()

    def delete(self, profile_id: str) -> None:
        """Remove the profile (its secret is the caller's business: ``SecretVault.forget``)."""
        self._data.profiles = [p for p in self._data.profiles if p.id != profile_id]
        if self._data.last_profile == profile_id:
            self._data.last_profile = None
        self._save()

    def duplicate(self, profile_id: str) -> Profile:
        """A copy with a new id and " (copy)" appended to the name; saved. The secret is not copied."""
        original = self.get(profile_id)
        if original is None:
            raise KeyError(profile_id)
        copy = original.model_copy(update={"id": uuid.uuid4().hex, "name": f"{original.name} (copy)"[:80]})
        self.upsert(copy)
        return copy

    @property
    def last_profile(self) -> Profile | None:
        """The profile used last, if it still exists."""
        pid = self._data.last_profile
        return None if pid is None else self.get(pid)

    @property
    def last_profile_id(self) -> str | None:
        """The id remembered by :meth:`set_last_profile`, also one never saved (the built-in sandbox)."""
        return self._data.last_profile

    def set_last_profile(self, profile_id: str | None) -> None:
        """Remember which profile to open next time."""
        self._data.last_profile = profile_id
        self._save()
