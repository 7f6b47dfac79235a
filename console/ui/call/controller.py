"""The call page's workers and the call being followed: one :class:`CallController`.

It loads the lookups (region, users, queues), places a call (one POST, never retried),
follows it until the called party is disconnected, hangs it up, and ticks a one-second clock
while a call is followed (for the connected time shown).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from console.api.models import CallConversation, CreateCallRequest
from console.ui.call.workers import (
    ENDED_STATES,
    CallFollowWorker,
    ClientFactory,
    hang_up,
    load_lookups,
    place_call,
)
from console.ui.errors import ErrorSink
from console.ui.workers import FunctionWorker, WorkerController


class CallController(QObject):
    """Runs the test call's jobs and holds the call being followed.

    Signals:
        lookups_loaded(object): :class:`~console.ui.call.workers.Lookups`.
        placed(str): the conversation id of a call Genesys accepted (following starts).
        place_failed(object): the exception of a call that was not placed.
        updated(object): a :class:`CallConversation` read while following.
        ended(object): the last :class:`CallConversation` of a call that ended.
        follow_failed(object): the exception that stopped following.
        busy_changed(): placing, following or hanging up started or ended.
        ticked(): a second passed while following.

    Args:
        factory: ``session.new_client``.
        sink: The error sink failures go to.
        parent: Owner (the page).
    """

    lookups_loaded = Signal(object)  # object: Lookups
    placed = Signal(str)
    place_failed = Signal(object)  # object: BaseException
    updated = Signal(object)  # object: CallConversation
    ended = Signal(object)  # object: CallConversation
    follow_failed = Signal(object)  # object: BaseException
    busy_changed = Signal()
    ticked = Signal()

    def __init__(self, factory: ClientFactory, sink: ErrorSink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self.conversation: CallConversation | None = None
        """The call as last read; None before the first read."""
        self.conversation_id: str | None = None
        """The id of the call placed; None before Genesys accepted it."""
        self._lookup = WorkerController(self, sink=sink, context="Load users and queues")
        self._lookup.succeeded.connect(self.lookups_loaded)
        self._place = WorkerController(self, sink=sink, context="Place test call")
        self._place.succeeded.connect(self._on_place_succeeded)
        self._place.failed.connect(self.place_failed)
        self._place.finished.connect(self.busy_changed)
        self._follow = WorkerController(self, sink=sink, context="Follow test call")
        self._follow.progressed.connect(self._on_follow_progressed)
        self._follow.succeeded.connect(self._on_follow_succeeded)
        self._follow.failed.connect(self._on_follow_failed)
        self._follow.finished.connect(self.busy_changed)
        self._hang = WorkerController(self, sink=sink, context="Hang up test call")
        self._hang.finished.connect(self.busy_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.ticked)

    @property
    def in_progress(self) -> bool:
        """A call is being placed or followed."""
        return self._place.is_running or self._follow.is_running

    @property
    def following(self) -> bool:
        """A placed call is being followed."""
        return self._follow.is_running

    @property
    def hanging_up(self) -> bool:
        """A hang-up is in flight."""
        return self._hang.is_running

    def load_lookups(self) -> bool:
        """Load the org's default region, users and queues (False: already loading)."""
        if self._lookup.is_running:
            return False
        self._lookup.start(FunctionWorker(load_lookups, self._factory))
        return True

    def place(self, request: CreateCallRequest, user_id: str | None) -> None:
        """Place the call (on behalf of ``user_id`` when given); forget the previous one."""
        self.conversation = None
        self.conversation_id = None
        self._place.start(FunctionWorker(place_call, self._factory, request, user_id))

    def hang_up(self) -> bool:
        """Disconnect the called party of the followed call; False when there is none."""
        conv = self.conversation
        external = conv.participant("external") if conv is not None else None
        if self.conversation_id is None or external is None or external.id is None:
            return False
        if (external.state or "") in ENDED_STATES or self._hang.is_running:
            return False
        self._hang.start(FunctionWorker(hang_up, self._factory, self.conversation_id, external.id))
        return True

    def live(self) -> bool:
        """The called party of the followed call is not disconnected yet."""
        external = self.conversation.participant("external") if self.conversation is not None else None
        return external is not None and (external.state or "") not in ENDED_STATES

    @Slot(object)
    def _on_place_succeeded(self, conversation_id: object) -> None:
        self.conversation_id = str(conversation_id)
        self.placed.emit(self.conversation_id)
        self._follow.start(CallFollowWorker(self._factory, self.conversation_id))
        self._clock.start()

    @Slot(object)
    def _on_follow_progressed(self, conv: object) -> None:
        if isinstance(conv, CallConversation):
            self.conversation = conv
            self.updated.emit(conv)

    @Slot(object)
    def _on_follow_succeeded(self, conv: object) -> None:
        self._clock.stop()
        if isinstance(conv, CallConversation):
            self.conversation = conv
            self.ended.emit(conv)

    @Slot(object)
    def _on_follow_failed(self, exc: object) -> None:
        self._clock.stop()
        self.follow_failed.emit(exc)
