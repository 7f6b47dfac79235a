"""Child processes behind one small service (Qt-free: spawned children import this, never Qt).

- :class:`ChildService` (parent side): one spawned child, started on demand, reused for every
  request, replaced when it dies, closed on :meth:`~ChildService.close`, when the service is
  garbage-collected, or when the interpreter exits (so exit never waits on an idle child).
- :func:`serve` (child side): answers requests until told to end or orphaned.
- :class:`Kind`: the message kinds on the pipe; :class:`Flags`: the cancel/stop/pause flags
  shared with the child (:class:`SharedFlag`, ``is_set()``-style), handed straight to the work.

The protocol: the parent sends a request (any picklable object; ``None`` ends the child); the
child answers with any number of ``(Kind.PROGRESS, payload)`` / ``(Kind.EXCHANGE, payload)``
messages and one end message: ``(Kind.RESULT, payload)``, ``(Kind.CANCELLED, None)`` or
``(Kind.ERROR, exception)``.
"""

from console.ipc.child import Send, Work, serve
from console.ipc.flags import Flags, SharedFlag
from console.ipc.protocol import Kind, portable
from console.ipc.service import ChildService

__all__ = ["ChildService", "Flags", "Kind", "Send", "SharedFlag", "Work", "portable", "serve"]
