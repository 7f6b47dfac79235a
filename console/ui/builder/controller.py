"""The builder page's workers: one :class:`BuilderController` owns them and reports on the GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from console.api.models import ContactList
from console.ui.builder import workers
from console.ui.builder.suggest import suggest_from_csv
from console.ui.errors import ErrorSink
from console.ui.workers import FunctionWorker, WorkerController


class BuilderController(QObject):
    """Runs the builder's org and file jobs, one at a time per kind.

    Signals:
        pickers_loaded(object): ``(divisions, limits)``, each a list of (name, id).
        searched(object): a list of (kind, id, name).
        entity_loaded(object): ``(kind, ContactList)`` of a loaded list or template.
        sent(object): ``(action, ContactList)`` the server answered.
        send_failed(object): the exception of a refused send.
        suggested(object): the :class:`~console.ui.builder.suggest.CsvSuggestion` for a CSV.
        file_done(object): the :class:`ContactList` read, or the :class:`~pathlib.Path` written.
        busy_changed(): a job started or ended.

    Args:
        session: The window's :class:`~console.ui.session.SessionController` (gives clients).
        sink: The error sink failures go to.
        parent: Owner.
    """

    pickers_loaded = Signal(object)  # (list[tuple[str, str]], list[tuple[str, str]])
    searched = Signal(object)  # list[tuple[str, str, str]]
    entity_loaded = Signal(object)  # tuple[str, ContactList]
    sent = Signal(object)  # tuple[str, ContactList]
    send_failed = Signal(object)  # BaseException
    suggested = Signal(object)  # CsvSuggestion
    file_done = Signal(object)  # ContactList | Path
    busy_changed = Signal()

    def __init__(self, session: Any, sink: ErrorSink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._org = WorkerController(self, sink=sink, context="Load divisions and attempt limits")
        self._search = WorkerController(self, sink=sink, context="Search the org")
        self._load = WorkerController(self, sink=sink, context="Load from the org")
        self._send = WorkerController(self, sink=sink, context="Send the contact list")
        self._csv = WorkerController(self, sink=sink, context="Read the CSV header")
        self._file = WorkerController(self, sink=sink, context="Definition file")
        self._org.succeeded.connect(self.pickers_loaded)
        self._search.succeeded.connect(self.searched)
        self._load.succeeded.connect(self.entity_loaded)
        self._send.succeeded.connect(self.sent)
        self._send.failed.connect(self.send_failed)
        self._csv.succeeded.connect(self.suggested)
        self._file.succeeded.connect(self.file_done)
        for ctl in self.controllers():
            ctl.started.connect(self.busy_changed)
            ctl.finished.connect(self.busy_changed)

    def controllers(self) -> tuple[WorkerController, ...]:
        """The six worker controllers (for tests and shutdown)."""
        return (self._org, self._search, self._load, self._send, self._csv, self._file)

    @property
    def sending(self) -> bool:
        """A create, update or template push is in flight."""
        return self._send.is_running

    @property
    def searching(self) -> bool:
        """An org search is in flight."""
        return self._search.is_running

    @property
    def loading(self) -> bool:
        """A list or template is being loaded."""
        return self._load.is_running

    def _org_job(self, ctl: WorkerController, fn: Any, *args: Any) -> bool:
        if ctl.is_running or self.session.profile is None:
            return False
        ctl.start(FunctionWorker(workers.with_client, self.session, fn, *args))
        return True

    def load_pickers(self) -> bool:
        """Load divisions and attempt limits (False: already loading, or no profile)."""
        return self._org_job(self._org, workers.load_org_pickers)

    def search(self, kind: str, text: str) -> bool:
        """Search lists or templates by name prefix."""
        return self._org_job(self._search, workers.search, kind, text)

    def load(self, kind: str, entity_id: str) -> bool:
        """Load a list or template."""
        if self._load.is_running:
            return False
        self._load.start(FunctionWorker(workers.with_client, self.session, workers.fetch, kind, entity_id))
        return True

    def send(self, action: str, definition: ContactList) -> None:
        """Create, update or push as a template."""
        self._send.start(FunctionWorker(workers.with_client, self.session, workers.send, action, definition))

    def suggest(self, path: Path) -> bool:
        """Propose a definition from a CSV's header and sampled values."""
        if self._csv.is_running:
            return False
        self._csv.start(FunctionWorker(suggest_from_csv, path))
        return True

    def read(self, path: Path) -> bool:
        """Read a definition file."""
        if self._file.is_running:
            return False
        self._file.start(FunctionWorker(workers.read_definition, path, pass_control=False))
        return True

    def write(self, path: Path, body: dict[str, Any]) -> bool:
        """Write a definition file."""
        if self._file.is_running:
            return False
        self._file.start(FunctionWorker(workers.write_definition, path, body, pass_control=False))
        return True
