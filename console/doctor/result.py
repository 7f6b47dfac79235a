"""What the doctor found: one :class:`StepResult` per step, gathered in a :class:`DoctorReport`.

Pure data and wording (no I/O, no Qt): the command line prints :func:`step_line` and :func:`summary_line`,
``--json`` dumps :meth:`DoctorReport.to_data`, the window shows the same results with :data:`MARKS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "MARKS",
    "STEPS",
    "DoctorReport",
    "DoctorTarget",
    "Outcome",
    "StepResult",
    "step_line",
    "summary_line",
]

STEPS: tuple[str, ...] = ("network", "clock", "oauth", "org", "outbound", "rate-limit", "live-updates")
"""The steps, in the order they run."""


class Outcome(StrEnum):
    """How a step ended."""

    OK = "ok"
    """It found what it looked for."""
    FAIL = "fail"
    """It found a problem (the detail says which, with the cause and the fix)."""
    SKIP = "skip"
    """It did not apply or could not run (the detail says why)."""


MARKS: dict[Outcome, str] = {Outcome.OK: "\u2713", Outcome.FAIL: "\u2717", Outcome.SKIP: "\u2013"}
"""The window's mark of each outcome."""


@dataclass(frozen=True)
class StepResult:
    """One step's outcome.

    Attributes:
        step: One of :data:`STEPS`.
        outcome: ok, fail or skip.
        detail: What it found (or why it was skipped), one line.
        cause: Why it failed, in plain words (failures only).
        fix: What to do about it (failures only).
        facts: What it measured, as plain JSON data (hosts, counts, seconds...).
        correlation_ids: ``ININ-Correlation-Id`` of every answer the step got.
        seconds: How long the step took.
    """

    step: str
    outcome: Outcome
    detail: str
    cause: str = ""
    fix: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    correlation_ids: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Whether the step failed."""
        return self.outcome is Outcome.FAIL

    def to_data(self) -> dict[str, Any]:
        """The step as JSON data."""
        return {
            "step": self.step,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "cause": self.cause,
            "fix": self.fix,
            "facts": self.facts,
            "correlation_ids": list(self.correlation_ids),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class DoctorTarget:
    """What was checked, without anything secret.

    Attributes:
        profile: Profile name, or None for ``--base-url``.
        region: SDK region name, or the custom base URL.
        api_base: API origin.
        login_base: Login origin.
        apps_base: Legacy upload origin.
        client_id: OAuth client id (not secret).
        sign_in: ``client credentials`` or ``user login (PKCE)``.
        proxy: The profile's own proxy, if any (the environment's is named by the network step).
        redirect_uri: The PKCE redirect URI the console listens on, for a PKCE profile.
    """

    profile: str | None
    region: str
    api_base: str
    login_base: str
    apps_base: str
    client_id: str
    sign_in: str
    proxy: str | None = None
    redirect_uri: str | None = None

    def to_data(self) -> dict[str, Any]:
        """The target as JSON data."""
        return {
            "profile": self.profile,
            "region": self.region,
            "api_base": self.api_base,
            "login_base": self.login_base,
            "apps_base": self.apps_base,
            "client_id": self.client_id,
            "sign_in": self.sign_in,
            "proxy": self.proxy,
            "redirect_uri": self.redirect_uri,
        }


@dataclass(frozen=True)
class DoctorReport:
    """Every step's result for one target.

    Attributes:
        target: What was checked.
        steps: The results, in :data:`STEPS` order.
        started_at: When the run began (ISO-8601 UTC).
        org_name: The org's name, when the org step read it.
        org_id: The org's id, when read.
    """

    target: DoctorTarget
    steps: tuple[StepResult, ...]
    started_at: str
    org_name: str | None = None
    org_id: str | None = None

    def count(self, outcome: Outcome) -> int:
        """How many steps ended with ``outcome``."""
        return sum(1 for s in self.steps if s.outcome is outcome)

    @property
    def failed(self) -> bool:
        """Whether any step failed."""
        return any(s.failed for s in self.steps)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, else 1."""
        return 1 if self.failed else 0

    def step(self, name: str) -> StepResult | None:
        """The result of step ``name``, if it ran."""
        return next((s for s in self.steps if s.step == name), None)

    def to_data(self) -> dict[str, Any]:
        """The report as JSON data (``--json``): target, org, steps, summary, exit code."""
        return {
            "target": self.target.to_data(),
            "started_at": self.started_at,
            "org": {"name": self.org_name, "id": self.org_id},
            "steps": [s.to_data() for s in self.steps],
            "summary": {
                "ok": self.count(Outcome.OK),
                "failed": self.count(Outcome.FAIL),
                "skipped": self.count(Outcome.SKIP),
            },
            "exit_code": self.exit_code,
        }


def step_line(result: StepResult) -> str:
    """``ok|fail|skip <step>: <detail>``; a failure adds its cause and fix on the same line."""
    line = f"{result.outcome.value} {result.step}: {result.detail}"
    if result.failed:
        if result.cause:
            line += f" Cause: {result.cause}"
        if result.fix:
            line += f" Fix: {result.fix}"
    return " ".join(line.split())  # one line, whatever the texts hold


def summary_line(report: DoctorReport) -> str:
    """``doctor: P ok, F failed, S skipped``."""
    return (
        f"doctor: {report.count(Outcome.OK)} ok, {report.count(Outcome.FAIL)} failed, "
        f"{report.count(Outcome.SKIP)} skipped"
    )
