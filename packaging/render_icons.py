"""Render resources/icons/outbound-console.svg to the PNG sizes desktops ask for (run from the repo root)."""

import sys
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication(sys.argv)
r = QSvgRenderer("resources/icons/outbound-console.svg")
assert r.isValid()
for s in (16, 24, 32, 48, 64, 128, 256, 512):
    img = QImage(s, s, QImage.Format.Format_ARGB32); img.fill(0)
    p = QPainter(img); r.render(p); p.end()
    img.save(f"resources/icons/outbound-console-{s}.png")
