"""Render resources/icons/outbound-console.svg to the PNG sizes desktops ask for.

Run from the repository root: ``QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py``.
"""

import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def main() -> int:
    """Write outbound-console-<size>.png next to the SVG."""
    app = QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(ICONS / "outbound-console.svg"))
    if not renderer.isValid():
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        image.save(str(ICONS / f"outbound-console-{size}.png"))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
