"""Resending from the decoder: the worker function, its result, the write question, text helpers."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QMessageBox,
    QWidget,
)

from console.ui.activity.records import resend

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods that change something: resending them asks first."""


@dataclass(frozen=True)
class ResendResult:
    """The answer to a resent request.

    Attributes:
        status: HTTP status (200..205).
        body: The answer's text, pretty-printed when it is JSON.
    """

    status: int
    body: str


def _resend(
    factory: Callable[..., Any],
    method: str,
    path: str,
    body: object,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> ResendResult:
    with factory(cancel=cancel) as client:
        response = resend(client.send_raw, method, path, body)  # recorded in the activity log
    text = response.text
    with contextlib.suppress(ValueError):
        text = json.dumps(response.json(), indent=2, ensure_ascii=False)
    return ResendResult(response.status_code, text)


class ResendConfirm:
    """The "really send this write?" question (a classmethod so tests can patch it)."""

    @classmethod
    def ask(cls, parent: QWidget, method: str, path: str) -> bool:
        """True when the user confirms sending ``method path``."""
        answer = QMessageBox.question(
            parent,
            "Resend a write request?",
            f"{method} {path} changes data in the org (and a call POST places a real call).\n\nSend it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes


def _status_colour(status: int | None) -> str:
    if status is None:
        return "#6c757d"
    if status == 429:
        return "#b35c00"
    if status >= 500:
        return "#7b2d8b"
    return "#b02a37"


def _pretty(body: str | None) -> str:
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body
