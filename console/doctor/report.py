"""The support-ready text of a doctor run (``--report FILE``, the window's "Save report…").

It holds what a support desk asks for every time: org, region, hosts, client id, sign-in method, proxy, each
step with its cause and fix, and the correlation ids; never the secret or a token (the results are scrubbed
by :func:`console.doctor.run.run_doctor`, and no field here is taken from the credentials).
"""

from __future__ import annotations

import platform

from console import __version__
from console.doctor.result import DoctorReport, step_line, summary_line

__all__ = ["support_report"]


def support_report(report: DoctorReport) -> str:
    """The report as plain text, ending with a newline."""
    t = report.target
    lines = [
        "Outbound Console - org check (outbound-console doctor)",
        f"console version: {__version__}; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()}",
        f"checked at: {report.started_at}",
        "",
        f"org: {report.org_name or 'not read'} (id {report.org_id or 'not read'})",
        f"profile: {t.profile or '(command line)'}",
        f"region: {t.region}",
        f"API host: {t.api_base}",
        f"login host: {t.login_base}",
        f"apps host: {t.apps_base}",
        f"client id: {t.client_id}",
        f"sign-in: {t.sign_in}",
        f"profile proxy: {t.proxy or 'none (environment proxies apply)'}",
    ]
    if t.redirect_uri:
        lines.append(f"redirect URI: {t.redirect_uri}")
    lines += ["", "steps:"]
    all_ids: list[str] = []
    for result in report.steps:
        lines.append(f"  {result.outcome.value} {result.step}: {' '.join(result.detail.split())}")
        if result.cause:
            lines.append(f"      cause: {' '.join(result.cause.split())}")
        if result.fix:
            lines.append(f"      fix: {' '.join(result.fix.split())}")
        if result.correlation_ids:
            lines.append(f"      correlation ids: {', '.join(result.correlation_ids)}")
            all_ids.extend(result.correlation_ids)
        lines.append(f"      took: {result.seconds:.2f} s")
    lines += ["", summary_line(report), "", "output lines:"]
    lines += [f"  {step_line(r)}" for r in report.steps]
    if all_ids:
        lines += ["", "all correlation ids (ININ-Correlation-Id):"]
        lines += [f"  {cid}" for cid in dict.fromkeys(all_ids)]
    lines.append("")
    lines.append("This report holds no client secret and no token.")
    return "\n".join(lines) + "\n"
