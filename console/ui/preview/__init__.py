"""The CSV preview & upload page's parts: the grid model, the edit overlay, undo commands, workers.

``console/ui/pages/preview.py`` assembles them into :class:`~console.ui.pages.preview.PreviewPage`.
"""
