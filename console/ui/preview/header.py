"""The grid's vertical header: physical line numbers, sized from the widest number."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QSize, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

__all__ = ["LineNumberHeader", "grid_view"]


def grid_view(model: QAbstractItemModel) -> QTableView:
    """The preview grid: cell selection, fixed row heights, line numbers down the side."""
    view = QTableView()
    view.setObjectName("previewGrid")
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setAlternatingRowColors(False)
    view.setWordWrap(False)
    vh = LineNumberHeader(view)
    view.setVerticalHeader(vh)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(22)
    view.horizontalHeader().setDefaultSectionSize(130)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class LineNumberHeader(QHeaderView):
    """Line numbers down the side of the grid, without measuring them.

    ``QHeaderView.sizeHint`` measures the first and the last 100 sections (about 1,000
    ``headerData`` calls and as many style computations) every time the model changes: after a
    validation, a removal or an upload, that was half of a 60 ms repaint on the 1,000,000-row
    benchmark file. The numbers only grow down the grid, so the last one is the widest: the hint
    is its width in digits (``9`` being no narrower than any digit), with the section's margins.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)

    def sizeHint(self) -> QSize:
        """Width of the widest line number; height of one section."""
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        last = model.headerData(rows - 1, Qt.Orientation.Vertical) if rows else None
        digits = max(len(str(last)) if last is not None else 1, 2)
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self)
        width = self.fontMetrics().horizontalAdvance("9" * digits) + 2 * margin + 6
        return QSize(width, self.defaultSectionSize())
