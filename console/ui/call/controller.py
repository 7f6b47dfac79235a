"""The call page's workers and the call being followed: one :class:`CallController`.

It loads the lookups (region, users, queues), places a call (one POST, never retried),
follows it until the call is over, hangs up
whatever legs exist, and ticks a one-second clock while a call is followed (for the connected
time shown).

Following: through Genesys' notification channel (:class:`~console.ui.live.LiveUpdates`, topic
``v2.users.{caller}.conversations.calls``) when it is live — one read when the topic becomes live (to
catch up on what happened while it was not), then every state change as an event, no polling. While
the topic is not live (no channel, a refused topic, a dropped socket) the call is read by GETs paced
by :mod:`~console.ui.call.follow` (every 2 s at most, backing off while nothing changes, giving up
after a bounded time) and :attr:`CallController.live_changed` says why.

Time is a seam: the reads are scheduled through a :class:`Pacer` and the give-up reads
``clock``; tests replace both (``controller.pacer``, ``controller.clock``) and drive them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from console.api.models import CallConversation, CreateCallRequest
from console.api.notifications import POLL_SECONDS, TopicStatus, calls_topic
from console.ui.activity.records import CallActivity
from console.ui.call.follow import (
    FollowPace,
    caller_leg,
    far_leg,
    give_up_reason,
    live_legs,
    next_wait,
    phase,
    signature,
)
from console.ui.call.follow import Phase as CallPhase
from console.ui.call.workers import ClientFactory, hang_up, load_lookups, place_call, read_call
from console.ui.errors import ErrorSink
from console.ui.live import LiveUpdates
from console.ui.workers import FunctionWorker, WorkerController

SUBSCRIBE_GRACE = 1.0
"""Seconds the first read of a placed call waits for a subscription being made (once live: one read)."""


class Pacer(Protocol):
    """Schedules the follower's next read (a single-shot timer)."""

    def schedule(self, seconds: float, callback: Callable[[], None]) -> None:
        """Call ``callback`` once, ``seconds`` from now (replacing any pending call)."""

    def cancel(self) -> None:
        """Forget the pending call, if any."""


class TimerPacer:
    """The app's :class:`Pacer`: a single-shot ``QTimer`` on the GUI thread.

    Args:
        parent: Owner of the timer.
    """

    def __init__(self, parent: QObject) -> None:
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._callback: Callable[[], None] | None = None
        self._timer.timeout.connect(self._fire)

    def schedule(self, seconds: float, callback: Callable[[], None]) -> None:
        """Call ``callback`` once after ``seconds``."""
        self._callback = callback
        self._timer.start(max(0, round(seconds * 1000)))

    def cancel(self) -> None:
        """Stop the timer."""
        self._timer.stop()
        self._callback = None

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()


class CallController(QObject):
    """Runs the test call's jobs and holds the call being followed.

    Signals:
        lookups_loaded(object): :class:`~console.ui.call.workers.Lookups`.
        placed(str): the conversation id of a call Genesys accepted (following starts).
        place_failed(object): the exception of a call that was not placed.
        updated(object): a :class:`CallConversation` read while following.
        ended(object): the last :class:`CallConversation` of a call that ended.
        follow_failed(object): the exception that stopped following.
        gave_up(str): following stopped after its time limit; the text says why.
        busy_changed(): placing, following or hanging up started or ended.
        ticked(): a second passed while following.
        live_changed(bool, str): the call's topic became live (True) or not (False, with the reason).
        live_status_changed(object): the notification channel's :class:`ChannelStatus` (the status bar).

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
    gave_up = Signal(str)
    busy_changed = Signal()
    ticked = Signal()
    live_changed = Signal(bool, str)
    live_status_changed = Signal(object)  # object: ChannelStatus

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
        self._follow.succeeded.connect(self._on_follow_succeeded)
        self._follow.failed.connect(self._on_follow_failed)
        self._follow.finished.connect(self._on_follow_finished)
        self._hang = WorkerController(self, sink=sink, context="Hang up test call")
        self._hang.succeeded.connect(self._on_hang_succeeded)
        self._hang.finished.connect(self.busy_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.ticked)
        self._clock.timeout.connect(self._on_clock_timeout)
        self.pace = FollowPace()
        """How often to read the call and when to give up."""
        self.pacer: Pacer = TimerPacer(self)
        """Schedules the reads (tests put a manual pacer here)."""
        self.clock: Callable[[], float] = time.monotonic
        """Seconds, for the give-up limits (tests put a clock they move here)."""
        self._following = False
        self._read_due = False
        self._started_at = 0.0
        self._wait: float | None = None
        self.activity = CallActivity(lambda: self.clock())
        """The call's activity records (placed, connected, ended)."""
        self.placed.connect(self.activity.placed)
        self.place_failed.connect(self.activity.place_failed)
        self.updated.connect(self.activity.followed)
        self.live_enabled = True
        """Follow through the notification channel when it is live (tests of the polling path turn it off)."""
        self.updates: LiveUpdates | None = None
        """The notification channel; made on the first call followed."""
        self._topic: str | None = None
        self._live_on = False
        self._live_known = False
        self._early: dict[str, CallConversation] = {}
        self._events_taken = 0
        self._read_from = 0

    @property
    def in_progress(self) -> bool:
        """A call is being placed or followed."""
        return self._place.is_running or self._following

    @property
    def following(self) -> bool:
        """A placed call is being followed (a read is in flight or scheduled)."""
        return self._following

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
        self.activity.placing(request.phone_number)
        self._early.clear()
        self._follow_live(user_id)  # on behalf of a user: subscribed before the call exists
        self._place.start(FunctionWorker(place_call, self._factory, request, user_id))

    @property
    def live_on(self) -> bool:
        """The followed call's topic is live (events, no polling)."""
        return self._live_on

    def close_live(self) -> None:
        """Close the notification channel (the window closes)."""
        if self.updates is not None:
            self.updates.close()

    def _follow_live(self, user_id: str | None) -> None:
        """Subscribe to ``user_id``'s calls (once per user); nothing when live updates are off."""
        if not self.live_enabled or not user_id:
            return
        topic = calls_topic(user_id)
        if topic == self._topic:
            return
        if self.updates is None:
            self.updates = LiveUpdates(self._factory, self)
            self.updates.event_received.connect(self._on_live_event_received)
            self.updates.topic_changed.connect(self._on_live_topic_changed)
            self.updates.status_changed.connect(self.live_status_changed)
        if self._topic is not None:
            self.updates.unsubscribe(self._topic)
        self._topic = topic
        self._live_on = self._live_known = self.updates.is_live(topic)
        self.updates.subscribe(topic)

    def hang_up(self) -> bool:
        """Disconnect whatever legs the followed call has; False when there is nothing to hang up.

        With a far end in the call it is disconnected; while only the caller's leg exists (the
        station still rings) the whole conversation is.
        """
        if self.conversation_id is None or self._hang.is_running or not self.live():
            return False
        far = far_leg(self.conversation) if self.conversation is not None else None
        far_id = far.id if far is not None and far.id and far in live_legs(self.conversation) else None
        self._hang.start(FunctionWorker(hang_up, self._factory, self.conversation_id, far_id))
        self.activity.hung_up()
        return True

    def live(self) -> bool:
        """The followed call has a leg that has not ended (or it was not read yet)."""
        if self.conversation_id is None:
            return False
        if self.conversation is None:
            return self._following
        return phase(self.conversation) is not CallPhase.ENDED and bool(live_legs(self.conversation))

    def stop_following(self) -> None:
        """Stop reading the call (pending read forgotten, the read in flight cancelled)."""
        self.pacer.cancel()
        self._read_due = False
        self._follow.cancel()
        self._set_following(False)

    def _set_following(self, on: bool) -> None:
        if on == self._following:
            return
        self._following = on
        if on:
            self._clock.start()
        else:
            self._clock.stop()
        self.busy_changed.emit()

    def _follow_from_now(self, first_wait: float) -> None:
        self._started_at = self.clock()
        self._wait = None
        self._set_following(True)
        self.pacer.schedule(first_wait, self._read)

    def _read(self) -> None:
        if not self._following or self.conversation_id is None:
            return
        if self._follow.is_running:  # the last read's thread is still winding down
            self._read_due = True
            return
        self._read_due = False
        self._read_from = self._events_taken
        self._follow.start(FunctionWorker(read_call, self._factory, self.conversation_id))

    @Slot(object)
    def _on_place_succeeded(self, conversation_id: object) -> None:
        self.conversation_id = str(conversation_id)
        self.placed.emit(self.conversation_id)
        if not self._live_on:
            # the first read at once (the user sees the station ring), or, while the subscription is
            # still being made, in a moment: the catch-up read when it goes live replaces it
            pending = self._topic is not None and not self._live_known
            self._follow_from_now(SUBSCRIBE_GRACE if pending else 0.0)
            return
        self._started_at = self.clock()
        self._set_following(True)  # the station's ringing arrives as an event
        early = self._early.pop(self.conversation_id, None)
        if early is not None:  # the event came before the POST's answer
            self._take(early)

    @Slot(object)
    def _on_live_event_received(self, event: object) -> None:
        body = getattr(event, "event_body", None)
        if getattr(event, "topic_name", None) != self._topic or not isinstance(body, dict):
            return
        conv = CallConversation.model_validate(body)
        if conv.id is not None and conv.id == self.conversation_id:
            if self._following:
                self._events_taken += 1
                self._take(conv)
        elif conv.id is not None and self.conversation_id is None and self._place.is_running:
            self._early[conv.id] = conv

    @Slot(object)
    def _on_live_topic_changed(self, status: object) -> None:
        if not isinstance(status, TopicStatus) or status.topic != self._topic:
            return
        was_live = self._live_on
        self._live_on = status.live
        self._live_known = True
        self.live_changed.emit(status.live, status.reason or "")
        if not self._following:
            return
        if status.live:
            self.pacer.cancel()
            self._read()  # one read: what happened while the topic was not live
        elif was_live:  # polling takes over (a repeated "not live" leaves its schedule alone)
            self._wait = None
            self.pacer.schedule(max(self.pace.first, POLL_SECONDS), self._read)

    @Slot()
    def _on_clock_timeout(self) -> None:
        if not (self._live_on and self._following):
            return  # polling checks the limits after every read
        reason = give_up_reason(self.pace, self.conversation, self.clock() - self._started_at)
        if reason is not None:
            self._set_following(False)
            self.gave_up.emit(reason)

    @Slot(object)
    def _on_follow_succeeded(self, conv: object) -> None:
        if not isinstance(conv, CallConversation) or not self._following:
            return
        if self._events_taken != self._read_from:
            return  # an event newer than this read was shown meanwhile: the read is stale
        if self.conversation is None and not self._live_on:
            leg = caller_leg(conv)  # the signed-in user's route: the caller is known from the first read
            self._follow_live(leg.user.id if leg is not None and leg.user is not None else None)
        self._take(conv)

    def _take(self, conv: CallConversation) -> None:
        """A new state of the call (read, or an event): show it, end, give up, or read again later."""
        previous = self.conversation
        self.conversation = conv
        self.updated.emit(conv)
        if phase(conv) is CallPhase.ENDED:
            self._set_following(False)
            self.ended.emit(conv)
            return
        reason = give_up_reason(self.pace, conv, self.clock() - self._started_at)
        if reason is not None:
            self._set_following(False)
            self.gave_up.emit(reason)
            return
        if self._live_on:
            return  # the next state arrives as an event
        changed = previous is None or signature(previous) != signature(conv)
        self._wait = next_wait(self.pace, self._wait, changed)
        self.pacer.schedule(self._wait, self._read)

    @Slot()
    def _on_follow_finished(self) -> None:
        if self._read_due:
            self._read()

    @Slot(object)
    def _on_follow_failed(self, exc: object) -> None:
        self.pacer.cancel()
        self._set_following(False)
        self.follow_failed.emit(exc)

    @Slot(object)
    def _on_hang_succeeded(self, _conversation_id: object) -> None:
        if self._following and self._live_on:
            return  # the end arrives as an event
        if self._following:
            self._wait = None
            self.pacer.schedule(self.pace.first, self._read)
        else:  # following had stopped (gave up): read again to see the end
            self._follow_from_now(0.0)
