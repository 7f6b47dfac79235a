"""The folders the app writes to, and how it creates private files in them.

Every layer may import this module (it imports nothing from ``console`` but :data:`APP_ID`):
the credentials layer keeps ``profiles.json`` in :func:`config_dir`, the jobs layer its
journals in :func:`data_dir`, the contacts layer its compiled patterns in :func:`cache_dir`,
the window its ``window.ini`` in :func:`config_dir`.

Contact data and job state can live in any of them (shown files, journals, sidecars), so
each folder is created private to the user (``0700``, tightened if it already exists wider)
and :func:`private_file` creates a file ``0600`` before anything is written to it. The
permission bits are POSIX only; on Windows the per-user profile folders are already private.
Paths come from platformdirs (``$XDG_CONFIG_HOME/outbound-console`` etc. on Linux).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import platformdirs

from console import APP_ID

DIR_MODE = 0o700
"""Permission bits of every folder the app creates."""
FILE_MODE = 0o600
"""Permission bits of every file the app creates."""


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it ``0700``; returns ``path``.

    Parents the app did not name (``~/.local/share``) keep the mode mkdir gives them; ``path``
    itself is tightened even when it already exists (a folder made ``0755`` by an older version).
    """
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if sys.platform != "win32":
        with contextlib.suppress(OSError):
            path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it does not exist, and make it ``0600``; returns ``path``.

    Call it before a library writes the file (QSettings keeps the mode of an existing file),
    so the contents are never readable by others, not even for a moment. Best effort: when the
    folder is not writable, the library's own write fails later and reports it there.
    """
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        if sys.platform != "win32":
            path.chmod(FILE_MODE)
    return path


def restrict_umask() -> None:
    """Make every file and folder this process (and its children) creates private to the user.

    The umask ``077`` turns the ``0644``/``0755`` of libraries (SQLite's ``-wal`` files, zip
    writers, the upload's copies of edited files) into ``0600``/``0700``, so nothing the app
    writes is readable by other users, even where no code calls :func:`private_file`. Called
    at the start of the command line and of the window; POSIX only.
    """
    if sys.platform != "win32":
        os.umask(0o077)


def _app_dir(path: Path) -> Path:
    # best effort, like platformdirs: a read-only home must not stop the app from starting;
    # whoever writes into the folder meets the error at the write
    with contextlib.suppress(OSError):
        private_dir(path)
    return path


def config_dir() -> Path:
    """The app's config folder (profiles, window settings), created ``0700``; respects ``XDG_CONFIG_HOME``."""
    return _app_dir(Path(platformdirs.user_config_dir(APP_ID, appauthor=False)))


def data_dir() -> Path:
    """The app's data folder (journals, shown files, support bundles), created ``0700``.

    Respects ``XDG_DATA_HOME``.
    """
    return _app_dir(Path(platformdirs.user_data_dir(APP_ID, appauthor=False)))


def cache_dir() -> Path:
    """The app's cache folder (compiled phone patterns), created ``0700``; respects ``XDG_CACHE_HOME``."""
    return _app_dir(Path(platformdirs.user_cache_dir(APP_ID, appauthor=False)))


def state_dir() -> Path:
    """The app's state folder (logs), created ``0700``; respects ``XDG_STATE_HOME``."""
    return _app_dir(Path(platformdirs.user_state_dir(APP_ID, appauthor=False)))
