"""The resume banner and the unfinished jobs it offers (journal scan plus the preview's sidecars)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.jobs.journal import Journal
from console.ui.preview.resume import ResumeBanner, find_unfinished

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _job(directory: Path, created: float) -> str:
    journal = Journal.create(
        {"status": "interrupted", "list_id": "L", "source_path": "/tmp/shown.csv", "rows_total": 4},
        directory=directory,
    )
    journal.set_meta({"created": created})
    job_id = journal.path.stem
    journal.close()
    return job_id


def test_sidecars_name_the_users_file(tmp_path: Path) -> None:
    jobs, sidecars = tmp_path / "jobs", tmp_path / "sidecars"
    jobs.mkdir()
    sidecars.mkdir()
    named = _job(jobs, 2.0)
    unnamed = _job(jobs, 1.0)
    (sidecars / f"{named}.json").write_text(json.dumps({"original": "/home/me/big.csv"}), encoding="utf-8")
    (sidecars / f"{unnamed}.json").write_text("not json", encoding="utf-8")
    found = find_unfinished(jobs, sidecars)
    assert [(j.job_id, j.original_path) for j in found] == [(named, "/home/me/big.csv"), (unnamed, None)]
    assert [j.original_path for j in find_unfinished(jobs)] == [None, None]


def test_the_banner_offers_the_newest_and_counts_the_rest(qtbot: Any, tmp_path: Path) -> None:
    _job(tmp_path, 1.0)
    _job(tmp_path, 2.0)
    banner = ResumeBanner()
    qtbot.addWidget(banner)
    banner.show()
    banner.offer([])
    assert not banner.isVisible()
    banner.offer(find_unfinished(tmp_path))
    assert banner.isVisible()
    assert "shown.csv" in banner.label.text()
    assert banner.label.text().endswith("(1 more unfinished)")
    banner.dismiss_button.click()
    assert not banner.isVisible()
