"""The resume banner: offers the newest upload that did not finish (journal scan in console.jobs)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from console.jobs.journal import UnfinishedJob, unfinished_jobs
from console.ui.preview.text import describe_unfinished

__all__ = ["ResumeBanner", "find_unfinished", "sidecar_dir"]


def sidecar_dir(data: Path) -> Path:
    """Where the preview keeps shown files and their row maps (``<job id>.json`` names the user's file)."""
    return data / "preview-uploads"


def find_unfinished(directory: Path, sidecars: Path | None = None) -> list[UnfinishedJob]:
    """Unfinished jobs, newest first, each with the user's file its sidecar names (preview uploads)."""
    jobs = unfinished_jobs(directory)
    if sidecars is None:
        return jobs
    out = []
    for job in jobs:
        original = None
        with contextlib.suppress(OSError, ValueError, AttributeError):
            side = sidecars / f"{job.job_id}.json"
            original = json.loads(side.read_text(encoding="utf-8")).get("original")
        out.append(dataclasses.replace(job, original_path=original))
    return out


class ResumeBanner(QFrame):
    """A blue bar above the page: "The upload of … was interrupted" with Resume / Not now.

    The page connects ``resume_button.clicked``; "Not now" hides the banner.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resumeBar")
        self.setStyleSheet("QFrame#resumeBar { background: #e8f0fe; border: 1px solid #aecbfa; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.resume_button = QPushButton("Resume upload")
        self.resume_button.setToolTip(
            "Send the rows that were not confirmed; confirmed rows are not sent again"
        )
        self.dismiss_button = QPushButton("Not now")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.resume_button)
        row.addWidget(self.dismiss_button)
        self.dismiss_button.clicked.connect(self.hide)
        self.hide()

    def offer(self, jobs: list[UnfinishedJob]) -> None:
        """Show the newest of ``jobs`` (hide when there is none)."""
        if not jobs:
            self.hide()
            return
        self.label.setText(describe_unfinished(jobs[0], len(jobs) - 1))
        self.show()
