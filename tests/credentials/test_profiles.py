from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from console.credentials import CUSTOM_REGION, Profile, ProfileStore, SignInMethod, config_dir


def _profile(**kw: object) -> Profile:
    base: dict[str, object] = {"name": "EU prod", "region": "eu_west_1", "client_id": "cid"}
    base.update(kw)
    return Profile.model_validate(base)


def test_store_roundtrip_in_xdg_config_dir(tmp_home) -> None:
    store = ProfileStore()
    assert store.path == config_dir() / "profiles.json"
    assert str(store.path).startswith(str(tmp_home))
    p = _profile()
    store.upsert(p)
    store.set_last_profile(p.id)
    again = ProfileStore()
    assert again.profiles == [p]
    assert again.last_profile == p


def test_edit_duplicate_delete(tmp_home) -> None:
    store = ProfileStore()
    p = _profile()
    store.upsert(p)
    store.upsert(p.model_copy(update={"name": "EU production"}))
    assert [x.name for x in store.profiles] == ["EU production"]
    copy = store.duplicate(p.id)
    assert copy.id != p.id
    assert copy.name == "EU production (copy)"
    store.set_last_profile(p.id)
    store.delete(p.id)
    assert [x.id for x in ProfileStore().profiles] == [copy.id]
    assert store.last_profile is None


def test_profile_rejects_secret_fields_and_blank_values() -> None:
    with pytest.raises(ValidationError):
        _profile(client_secret="x")
    with pytest.raises(ValidationError):
        _profile(name="  ")
    with pytest.raises(ValidationError, match="base URL"):
        _profile(region=CUSTOM_REGION)
    ok = _profile(region=CUSTOM_REGION, custom_url="http://127.0.0.1:9", sign_in=SignInMethod.PKCE)
    assert not ok.needs_secret


def test_file_with_secret_is_refused(tmp_home) -> None:
    store = ProfileStore()
    store.upsert(_profile())
    data = json.loads(store.path.read_text())
    data["profiles"][0]["client_secret"] = "leak"
    store.path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="not a valid profiles file"):
        ProfileStore()


def test_proxy_url_is_optional_and_checked() -> None:
    from console.credentials import Profile

    base = {"name": "p", "region": "custom", "custom_url": "http://127.0.0.1:1", "client_id": "c"}
    assert Profile.model_validate(base).proxy_url is None
    assert Profile.model_validate({**base, "proxy_url": "  "}).proxy_url is None
    assert Profile.model_validate({**base, "proxy_url": "http://p:3128"}).proxy_url == "http://p:3128"
    with pytest.raises(ValueError, match="proxy URL"):
        Profile.model_validate({**base, "proxy_url": "p:3128"})
