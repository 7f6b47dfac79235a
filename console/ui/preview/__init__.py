"""The CSV preview & upload page, one module per job.

- ``page``: the controller (:class:`~console.ui.preview.page.PreviewPage`): file, check, workers,
  undo stack, wiring; ``editing`` (navigation, fixes, exports) and ``uploading`` (upload, resume)
  are mixed into it. ``console/ui/pages/preview.py`` re-exports the page.
- Panels: ``filebar``, ``toolbar`` (check bar, fix tools), ``findings``, ``mapping``,
  ``upload_panel``, ``resume`` (banner); the grid: ``model`` (+ ``rows``, Qt-free lookups),
  ``header``, ``commands`` (undo).
- Qt-free: ``text`` (every sentence the page shows), ``checking`` (the validation run and the
  finding index), ``overlay`` (edits beside the file, the file as shown), ``credentials`` (the
  upload's connection data).
- Workers and child processes: ``workers``, ``child``, ``upload_process``.
"""
