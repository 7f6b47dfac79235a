"""Packaging inputs: spec, build script, version metadata, desktop entry, icons, CI wiring."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from console import resources

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _version_info() -> ModuleType:
    spec = importlib.util.spec_from_file_location("oc_version_info", PACKAGING / "version_info.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_metadata_comes_from_pyproject() -> None:
    vi = _version_info()
    with (ROOT / "pyproject.toml").open("rb") as f:
        version = tomllib.load(f)["project"]["version"]
    assert vi.app_version(ROOT) == version
    assert vi.version_tuple("1.2.3") == (1, 2, 3, 0)
    assert vi.version_tuple("0.1.0+local") == (0, 1, 0, 0)
    text = vi.windows_version_text("1.2.3")
    assert "filevers=(1, 2, 3, 0)" in text
    assert "StringStruct('ProductVersion', '1.2.3')" in text


def test_spec_is_python_and_excludes_test_tools() -> None:
    source = (PACKAGING / "outbound-console.spec").read_text(encoding="utf-8")
    ast.parse(source)
    for name in ("pytest", "hypothesis", "mypy", "ruff", "PureCloudPlatformClientV2", "tests"):
        assert f'"{name}"' in source
    assert 'collect_submodules("console"' in source  # subcommands are imported by name
    assert '"resources/icons"' in source


def test_pyinstaller_is_pinned_in_the_packaging_extra() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    assert any(dep.startswith("pyinstaller==") for dep in extras["packaging"])


def test_build_script_and_ci_run_the_bundle_self_test() -> None:
    build = (PACKAGING / "build.sh").read_text(encoding="utf-8")
    assert "set -euo pipefail" in build
    assert "packaging/outbound-console.spec" in build
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci
    assert "bash packaging/build.sh" in ci
    assert "dist/outbound-console/outbound-console self-test" in ci
    assert ci.index("scripts/test.sh") < ci.index("bash packaging/build.sh")


def test_desktop_entry_names_the_installed_icon_and_command() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / "linux" / "outbound-console.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "outbound-console"
    assert section["Icon"] == resources.ICON_NAME
    assert section["Terminal"] == "false"


def test_icons_are_found_from_the_source_tree() -> None:
    svg = resources.icon_path()
    assert svg == ROOT / "resources" / "icons" / "outbound-console.svg"
    for size in resources.ICON_SIZES:
        png = resources.icon_path(size)
        assert png is not None
        # PNG header: width and height are big-endian at bytes 16..24
        data = png.read_bytes()[:24]
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == size
        assert int.from_bytes(data[20:24], "big") == size


def test_icons_are_found_in_a_frozen_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    icons = tmp_path / "resources" / "icons"
    icons.mkdir(parents=True)
    (icons / "outbound-console.svg").write_text("<svg/>", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.is_frozen()
    assert resources.resources_dir() == tmp_path / "resources"
    assert resources.icon_path() == icons / "outbound-console.svg"
    assert resources.icon_path(16) is None
