"""The window's settings file is private (issue 21 item 15): window.ini 0600 in a 0700 folder."""

from __future__ import annotations

import stat
import sys

import pytest

from console.ui.main_window import settings_path

pytestmark = [
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise"),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits"),
]


def test_window_ini_is_private(make_window) -> None:
    window = make_window()
    window.close()  # saves geometry, layout and page
    path = settings_path()
    assert "geometry" in path.read_text(encoding="utf-8").lower()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
