"""The activity history (no Qt): every write the console makes, one JSON line each, in ``activity.jsonl``.

- :mod:`console.activity.record`: the record (:class:`ActivityRecord`, the stable format of
  docs/activity-log.md), the action names, the context (profile, org, actor) and the masking.
- :mod:`console.activity.log`: the file: locked, atomic, fsynced appends, rotation by size, reading
  that skips and reports a torn line.

The window, the command line and the upload's child process all write through :func:`record`;
the child into the window's file (:func:`writing_to` with the window's :meth:`ActivityLog.pinned`
log, handed over with the upload's plan), not into whatever data folder it would resolve itself.
It imports nothing from ``console`` but :mod:`console.paths`; ui, jobs and the CLI import it.
"""

from console.activity.log import (
    LOG_NAME,
    ActivityLog,
    ReadProblem,
    ReadResult,
    current_context,
    default_log,
    record,
    set_context,
    writing_to,
)
from console.activity.record import (
    VERSION,
    Action,
    ActivityContext,
    ActivityRecord,
    Result,
    Target,
    mask_number,
    now_iso,
    parse_at,
    scrub,
)

__all__ = [
    "LOG_NAME",
    "VERSION",
    "Action",
    "ActivityContext",
    "ActivityLog",
    "ActivityRecord",
    "ReadProblem",
    "ReadResult",
    "Result",
    "Target",
    "current_context",
    "default_log",
    "mask_number",
    "now_iso",
    "parse_at",
    "record",
    "scrub",
    "set_context",
    "writing_to",
]
