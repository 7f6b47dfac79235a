"""The pages of the main window's navigation, one module each so each can be replaced alone.

Contract for a page module (see ``preview.py``, ``log.py``, and the rooms of the builder and call
pages, :mod:`console.ui.builder.page` and :mod:`console.ui.call.page`, re-exported here as
``builder.py`` and ``call.py``):
a ``QWidget`` subclass whose constructor is ``Page(context: PageContext, parent=None)``.
The CSV preview page also has ``open_csv(path: Path) -> None`` (used by File > Open and by
dropping a CSV on the window). Pages run network and file work with their own
``WorkerController(self, sink=context.sink, ...)`` and get clients from
``context.session.new_client(cancel=worker.cancel_event)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.ui.api_log import ApiLogModel
    from console.ui.errors import ErrorSink
    from console.ui.session import SessionController


@dataclass(frozen=True)
class PageContext:
    """What every page gets from the main window.

    Attributes:
        session: The active connection (profile, clients, signed-in user).
        sink: The app's error sink.
        log_model: The session's API log.
    """

    session: SessionController
    sink: ErrorSink
    log_model: ApiLogModel
