"""The error decoder view: one non-modal window that explains any failed request.

It shows the status and code, the server's message with its parameters filled in, the
correlation id (with a copy button), details and nested errors, the redacted request that
caused it, and the catalog's cause and fix (:mod:`console.api.explain`). When the error
points at a form field or a CSV cell, a "Go to" link asks the owning page to show it
(:meth:`console.ui.errors.ErrorSink.jump`). A 429 shows a countdown. "Edit and resend" opens a
raw JSON editor that sends a corrected request through the same client path
(:meth:`console.api.client.GenesysClient.send_raw`), asking first for any write.

Reachable from the error bar ("Decode…"), the API log ("Decode error…" or a double-click on a
failed row), Go > Error decoder (Ctrl+Shift+D) and from any page via
``context.sink.open_decoder(decoded)``; :func:`attach_to_window` wires the window.
"""

from console.ui.decoder.dialog import DecoderDialog
from console.ui.decoder.hook import _WindowHook, attach_to_window
from console.ui.decoder.resend import (
    WRITE_METHODS,
    ResendConfirm,
    ResendResult,
    _pretty,
    _resend,
    _status_colour,
)

__all__ = [
    "WRITE_METHODS",
    "DecoderDialog",
    "ResendConfirm",
    "ResendResult",
    "_WindowHook",
    "_pretty",
    "_resend",
    "_status_colour",
    "attach_to_window",
]
