"""``outbound-console doctor`` and the window's "Check this org": read-only checks of a real org (no Qt).

- :mod:`console.doctor.result`: :class:`StepResult`, :class:`DoctorReport`, the output lines.
- :mod:`console.doctor.network`: network (hosts, TLS against the OS trust store, proxy) and clock steps.
- :mod:`console.doctor.api_steps`: OAuth client, org and permissions, outbound, rate-limit steps.
- :mod:`console.doctor.live`: the live-updates step (notification channel, subscription, heartbeat).
- :mod:`console.doctor.run`: :func:`run_doctor`, every step in order with progress and cancel.
- :mod:`console.doctor.report`: the support-ready text report (no secret, no token).
- :mod:`console.doctor.cli`: the subcommand.

It imports the api, connect and credentials layers; the window runs :func:`run_doctor` on a worker
(``console.ui.doctor_panel``).
"""

from console.doctor.report import support_report
from console.doctor.result import (
    MARKS,
    STEPS,
    DoctorReport,
    DoctorTarget,
    Outcome,
    StepResult,
    step_line,
    summary_line,
)
from console.doctor.run import DoctorOptions, run_doctor, scrub, target_for

__all__ = [
    "MARKS",
    "STEPS",
    "DoctorOptions",
    "DoctorReport",
    "DoctorTarget",
    "Outcome",
    "StepResult",
    "run_doctor",
    "scrub",
    "step_line",
    "summary_line",
    "support_report",
    "target_for",
]
