"""Where the app's bundled files (icons) are, in a source tree and in a frozen bundle.

A PyInstaller bundle unpacks its data under ``sys._MEIPASS`` (``<bundle>/_internal``), where
``packaging/outbound-console.spec`` puts ``resources/icons``; a source tree or an editable
install has them at ``<repo>/resources/icons``. No Qt here: callers build ``QIcon`` from paths.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICON_NAME = "outbound-console"
"""Base name of the icon files (``outbound-console.svg``, ``outbound-console-<size>.png``)."""

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
"""PNG sizes rendered by ``packaging/render_icons.py``."""


def is_frozen() -> bool:
    """Whether this process runs from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def resources_dir() -> Path | None:
    """The ``resources`` folder holding ``icons/``, or None when neither location has it."""
    candidates = []
    if is_frozen():
        candidates.append(Path(getattr(sys, "_MEIPASS")) / "resources")  # noqa: B009 - absent outside bundles
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    return next((c for c in candidates if (c / "icons" / f"{ICON_NAME}.svg").is_file()), None)


def icon_path(size: int | None = None) -> Path | None:
    """The SVG icon (``size`` None) or the PNG of that size; None when not found."""
    root = resources_dir()
    if root is None:
        return None
    name = f"{ICON_NAME}.svg" if size is None else f"{ICON_NAME}-{size}.png"
    path = root / "icons" / name
    return path if path.is_file() else None
