"""``outbound-console activity``: print the activity history (``--json``: the raw lines, for a sync job)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from pydantic import ValidationError

from console.activity.log import ActivityLog, default_log
from console.activity.record import VERSION, ActivityRecord, parse_at

__all__ = ["add_arguments", "format_line", "run"]

EXIT_OK = 0
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options."""
    parser.add_argument(
        "--since",
        metavar="ISO",
        help="only records at or after this time (2026-05-01, 2026-05-01T09:30Z; naive = UTC)",
    )
    parser.add_argument(
        "--action",
        metavar="NAME",
        action="append",
        default=[],
        help="only this action (list.created) or group (upload); repeatable",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the raw JSON lines as written (docs/activity-log.md)"
    )


def format_line(entry: ActivityRecord) -> str:
    """One record for people: time, action, result, org, target, counts, job, message."""
    target = entry.target.name or entry.target.id or "-"
    counts = " ".join(f"{k}={v}" for k, v in entry.counts.items())
    parts = [entry.at, entry.action, entry.result, entry.org_name or entry.profile or "-", target]
    if counts:
        parts.append(counts)
    if entry.job_id:
        parts.append(f"job={entry.job_id}")
    if entry.message:
        parts.append(entry.message)
    return "  ".join(parts)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _wanted(entry: ActivityRecord, since: datetime | None, actions: list[str]) -> bool:
    if since is not None and entry.when < since:
        return False
    return not actions or any(
        entry.action == a or entry.action.startswith(a.rstrip(".") + ".")
        for a in actions
    )


def run(args: argparse.Namespace, log: ActivityLog | None = None) -> int:
    """Print the records (oldest first); skipped lines are reported on stderr. Returns the exit code."""
    source = log or default_log()
    since: datetime | None = None
    if args.since:
        try:
            since = parse_at(args.since)
        except ValueError:
            _err(f"activity: --since {args.since!r} is not an ISO 8601 date or time.")
            return EXIT_USAGE
    if args.json:
        for raw in source.raw_lines():
            try:
                body = json.loads(raw)
                entry = ActivityRecord.model_validate(body) if body.get("version") == VERSION else None
            except (ValueError, AttributeError, ValidationError):
                entry = None
            if entry is not None and _wanted(entry, since, args.action):
                _out(raw)
        return EXIT_OK
    read = source.read(since=since, actions=args.action)
    for entry in read.records:
        _out(format_line(entry))
    for problem in read.problems:
        _err(f"activity: skipped {problem}")
    return EXIT_OK
