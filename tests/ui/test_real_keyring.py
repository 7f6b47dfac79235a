"""The profile dialog against the OS Secret Service (CI runs pytest inside dbus-run-session)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt

from console.credentials import ProfileStore
from console.ui.app import create_main_window

pytestmark = [
    pytest.mark.real_keyring,
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise"),
]

# Where gnome-keyring keeps its (encrypted) files: the data dir the daemon was started with.
OUTER_DATA_HOME = os.environ.get("XDG_DATA_HOME")


def _has_secret_service() -> bool:
    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", [backend])
    return any(type(b).__module__ == "keyring.backends.SecretService" for b in chained)


def test_profile_secret_goes_to_secret_service_and_nowhere_on_disk(qtbot, tmp_home) -> None:
    if not _has_secret_service():
        pytest.skip(f"needs the Secret Service backend (CI's D-Bus session); have {keyring.get_keyring()!r}")
    secret = f"real-{uuid.uuid4().hex}"
    window = create_main_window(force_sandbox=True, auto_test=False)
    qtbot.addWidget(window)
    try:
        dialog = window.show_profiles()
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        dialog.name_edit.setText("Real keyring")
        dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("eu_west_1"))
        dialog.client_id_edit.setText("some-client")
        dialog.secret_edit.setText(secret)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert "stored in the system keyring" in dialog.status_label.text()
        [profile] = ProfileStore().profiles
        assert keyring.get_password("outbound-console", profile.id) == secret
        dirs = [tmp_home] + ([Path(OUTER_DATA_HOME)] if OUTER_DATA_HOME else [])
        for d in dirs:
            for path in d.rglob("*"):
                if path.is_file():
                    assert secret.encode() not in path.read_bytes(), path
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
        assert keyring.get_password("outbound-console", profile.id) is None
    finally:
        window.close()
