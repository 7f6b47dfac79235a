"""A layout that wraps its widgets onto the next line when the width runs out (toolbars on small screens).

Qt has none built in; this is the port of Qt's "Flow Layout" example
(``qtbase/examples/widgets/layouts/flowlayout``): items keep their size hints, go left to right,
and wrap; the height follows the width, so a bar is one line on a wide window and two on a
1024-pixel one, and its minimum width is its widest item, not the sum of them.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget

__all__ = ["FlowLayout"]


class FlowLayout(QLayout):
    """Left-to-right layout that wraps (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._height = 0
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        """Qt's hook for ``addWidget``."""
        self._items.append(item)

    def add_widgets(self, *widgets: QWidget) -> None:
        """Add widgets in order."""
        for w in widgets:
            self.addWidget(w)

    def count(self) -> int:
        """Items held."""
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        """The item at ``index``, or None."""
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        """Remove and return the item at ``index``."""
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        """Neither: the items keep their hints."""
        return Qt.Orientation(0)

    # Not heightForWidth: a page in a QScrollArea that reports it is given its *preferred* height
    # for the width (the builder then scrolled at 700 px). The layout asks for the height its
    # current width needs instead, and asks again when a new width changes the number of lines.

    def heightForWidth(self, width: int) -> int:
        """The height the items need in ``width``."""
        return self._do_layout(QRect(0, 0, width, 0), test_only=True)

    def setGeometry(self, rect: QRect) -> None:
        """Place the items; a change in the number of lines asks the parent for a new height."""
        super().setGeometry(rect)
        height = self._do_layout(rect, test_only=False)
        if height != self._height:
            self._height = height
            self.invalidate()

    def _one_line(self) -> QSize:
        items = self._visible()
        width = sum(i.sizeHint().width() for i in items) + self._spacing * max(0, len(items) - 1)
        height = max((i.sizeHint().height() for i in items), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def sizeHint(self) -> QSize:
        """All items on one line (as high as the current width needs)."""
        line = self._one_line()
        return QSize(line.width(), max(line.height(), self._height))

    def minimumSize(self) -> QSize:
        """The widest item (everything else wraps), as high as the current width needs."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize()).expandedTo(QSize(item.sizeHint().width(), 0))
        m = self.contentsMargins()
        size += QSize(m.left() + m.right(), m.top() + m.bottom())
        return QSize(size.width(), max(size.height(), self._height))

    def _visible(self) -> list[QLayoutItem]:
        shown = []
        for item in self._items:
            widget = item.widget()
            if widget is None or not widget.isHidden():
                shown.append(item)
        return shown

    def _do_layout(self, rect: QRect, *, test_only: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = area.x()
        for item in self._visible():
            hint = item.sizeHint()
            if lines[-1] and x + hint.width() > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append((item, hint))
            x += hint.width() + self._spacing
        y = area.y()
        for line in lines:
            height = max((hint.height() for _, hint in line), default=0)
            x = area.x()
            for item, hint in line:
                if not test_only:  # centred on the line: a label beside a combo box
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self._spacing
            y += height + (self._spacing if line is not lines[-1] else 0)
        return y - rect.y() + m.bottom()
