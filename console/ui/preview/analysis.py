"""Old home of the preview's Qt-free helpers; kept only for the modules that still import from here.

Moved: checking and the finding index to :mod:`console.ui.preview.checking`, the edit overlay and
the shown file to :mod:`console.ui.preview.overlay`, the journal scan to
:func:`console.jobs.journal.unfinished_jobs`, the import failure reasons to
:func:`console.api.explain.import_failure_reason`, the validation plan to
``ValidationResult.plan`` (:mod:`console.contacts.validate`). Delete this module once
``workers.py`` and ``upload_process.py`` import from the new modules.
"""

from __future__ import annotations

from console.ui.preview.checking import Checked, ValidationRequest, attach_checked, run_validation_service
from console.ui.preview.overlay import WRITE_BATCH, Overlay, write_shown_csv

__all__ = [
    "WRITE_BATCH",
    "Checked",
    "Overlay",
    "ValidationRequest",
    "attach_checked",
    "run_validation_service",
    "write_shown_csv",
]
