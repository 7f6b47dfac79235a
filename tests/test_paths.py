"""The folders and files the app writes are private (issue 21 item 15): 0700 folders, 0600 files."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import pytest

from console import APP_ID
from console.contacts import phones
from console.credentials import Profile, ProfileStore
from console.jobs.journal import Journal
from console.paths import cache_dir, config_dir, data_dir, private_dir, private_file, state_dir

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("folder", "xdg"),
    [
        (config_dir, "xdg_config_home"),
        (data_dir, "xdg_data_home"),
        (cache_dir, "xdg_cache_home"),
        (state_dir, "xdg_state_home"),
    ],
)
def test_app_folders_are_created_private_and_tightened(tmp_home: Path, folder, xdg: str) -> None:
    expected = tmp_home / xdg / APP_ID
    assert folder() == expected
    assert _mode(expected) == 0o700
    expected.chmod(0o755)  # made by an older version
    folder()
    assert _mode(expected) == 0o700


def test_private_file_is_0600_before_anything_is_written(tmp_path: Path) -> None:
    new = private_file(tmp_path / "new.ini")
    assert new.read_bytes() == b""
    assert _mode(new) == 0o600
    old = tmp_path / "old.ini"
    old.write_text("kept")
    old.chmod(0o644)
    private_file(old)
    assert _mode(old) == 0o600
    assert old.read_text() == "kept"


def test_private_file_that_cannot_be_made_leaves_the_error_to_the_writer(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "window.ini"  # as unwritable as a read-only folder, even as root
    assert private_file(target) == target
    assert not target.exists()


def test_app_folder_that_cannot_be_made_is_still_named(
    tmp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_home / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    assert config_dir() == blocked / APP_ID  # the app starts; whoever writes there reports the error


def test_private_dir_makes_nested_folders(tmp_path: Path) -> None:
    assert _mode(private_dir(tmp_path / "a" / "b")) == 0o700


def test_profiles_file_and_its_folder_are_private(tmp_home: Path) -> None:
    store = ProfileStore()
    store.upsert(Profile(name="EU", region="eu_west_1", client_id="cid"))
    assert _mode(store.path) == 0o600
    assert _mode(store.path.parent) == 0o700


def test_an_old_lock_file_is_tightened(tmp_home: Path) -> None:
    journal = Journal.create({"list_id": "x"})
    journal.close()
    lock = journal.path.with_suffix(".lock")
    lock.chmod(0o644)
    Journal.open(journal.path.stem).close()
    assert _mode(lock) == 0o600


def test_journal_files_and_lock_are_private(tmp_home: Path) -> None:
    journal = Journal.create({"list_id": "x"})
    try:
        folder = journal.path.parent
        assert folder == data_dir() / "jobs"
        assert _mode(folder) == 0o700
        assert _mode(data_dir()) == 0o700
        files = sorted(p.name for p in folder.iterdir())
        assert journal.path.with_suffix(".lock").name in files
        for path in folder.iterdir():  # the .sqlite, its -wal/-shm and the .lock
            assert _mode(path) == 0o600, path.name
    finally:
        journal.close()


def test_phone_pattern_cache_is_private(tmp_home: Path) -> None:
    phones._compile_cached(rf"^{tmp_home.name}\d+$", re.ASCII)  # a pattern no other test compiled
    folder = cache_dir()
    assert _mode(folder) == 0o700
    cached = list((folder / "re").iterdir())
    assert cached
    assert _mode(folder / "re") == 0o700
    assert all(_mode(p) == 0o600 for p in cached)
