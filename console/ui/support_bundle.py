"""The support bundle: a zip a supervisor can send to Genesys or IT support.

Contents: ``api-log.jsonl`` (every exchange of the session, as already redacted by the api
layer), ``versions.json`` (app, Python, Qt, PySide6, httpx, pydantic, OS), ``correlation-ids.txt``
and ``errors.txt`` (the decoded errors of the session). Before anything is written, every
text is checked against the secrets and tokens the session knows; a hit is replaced by
``[REDACTED]`` so that even a redaction bug upstream cannot leak one into the bundle.
"""

from __future__ import annotations

import json
import platform
import sys
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from console import APP_ID, __version__
from console.api.logging import REDACTED
from console.ui.api_log import LogEntry
from console.ui.errors import DecodedError


def versions() -> dict[str, str]:
    """App, Python, Qt and library versions, and the platform."""
    from PySide6 import QtCore
    from PySide6 import __version__ as pyside_version

    result = {
        "app": f"{APP_ID} {__version__}",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "qt": QtCore.qVersion(),
        "pyside6": pyside_version,
    }
    for package in ("httpx", "pydantic", "keyring", "platformdirs", "truststore"):
        try:
            result[package] = version(package)
        except PackageNotFoundError:
            result[package] = "not installed"
    return result


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def write_support_bundle(
    path: Path,
    entries: Iterable[LogEntry],
    *,
    errors: Iterable[DecodedError] = (),
    known_secrets: Iterable[str] = (),
) -> Path:
    """Write the bundle to ``path`` (a ``.zip``) and return it.

    Args:
        path: Target file.
        entries: The session's log entries.
        errors: Decoded errors of the session.
        known_secrets: Secret values (client secrets, tokens) that must not appear anywhere.
    """
    secrets = sorted({s for s in known_secrets if len(s) >= 4}, key=len, reverse=True)
    entries = list(entries)
    log_lines = [json.dumps(e.to_json(), ensure_ascii=False) for e in entries]
    correlation = [
        f"{e.at.isoformat(timespec='seconds')} {e.record.method} {e.path} {e.record.status} "
        f"{e.record.correlation_id}"
        for e in entries
        if e.record.correlation_id
    ]
    meta = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "exchanges": len(entries),
        **versions(),
    }
    files = {
        "api-log.jsonl": "\n".join(log_lines) + ("\n" if log_lines else ""),
        "versions.json": json.dumps(meta, indent=2) + "\n",
        "correlation-ids.txt": "\n".join(correlation) + "\n",
        "errors.txt": "\n\n".join(e.text() for e in errors) + "\n",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, _scrub(text, secrets))
    return path
