"""Version metadata of the bundle, read from pyproject.toml (the one place the version is written).

Used by ``outbound-console.spec`` (loaded by path: a module named ``packaging`` would shadow the
``packaging`` library PyInstaller itself imports). Run it to print the version:
``python packaging/version_info.py``.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMPANY = "Outbound Console developers"
DESCRIPTION = "Outbound Console: Genesys Cloud CX outbound operator console"


def app_version(root: Path = ROOT) -> str:
    """``project.version`` of pyproject.toml."""
    with (root / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """Four integers for Windows' fixed file info (``0.1.0`` -> ``(0, 1, 0, 0)``)."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:4]]
    return (*numbers, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


def windows_version_text(version: str) -> str:
    """A PyInstaller ``VSVersionInfo`` file (shown in Explorer's Properties > Details)."""
    v = version_tuple(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": "outbound-console",
        "OriginalFilename": "outbound-console.exe",
        "ProductName": "Outbound Console",
        "ProductVersion": version,
    }
    entries = ",\n".join(f"          StringStruct({k!r}, {val!r})" for k, val in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={v}, prodvers={v}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
{entries}
    ])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def windows_version_file(root: Path, workpath: Path) -> str:
    """Write the version file into PyInstaller's work folder; returns its path."""
    workpath.mkdir(parents=True, exist_ok=True)
    path = workpath / "file_version_info.txt"
    path.write_text(windows_version_text(app_version(root)), encoding="utf-8")
    return str(path)


if __name__ == "__main__":
    sys.stdout.write(app_version() + "\n")
