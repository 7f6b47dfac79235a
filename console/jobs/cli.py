"""``outbound-console upload``: upload a contact CSV to a contact list, resumably, without a screen.

Usage::

    outbound-console upload FILE --list LIST_ID --id-column COL [--mode upsert|import]
                            [--all-rows] [--resume JOB]
                            (--profile NAME | --base-url URL --client-id ID)

The secret comes from the keyring (``--profile``) or from the environment variable
``GENESYS_CLIENT_SECRET`` (never from the command line). Progress goes to stderr; the last
line on stdout is ``sent=N skipped=M rejected=K seconds=S job=JOB``. Exit codes: 0 all sent,
1 some rejected, 2 could not run, 3 interrupted (resumable with ``--resume JOB``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from pydantic import SecretStr

from console.api.client import GenesysClient
from console.api.errors import ApiError, ConsoleError
from console.api.regions import Endpoint
from console.connect import AuthKind, ClientSpec, build_client, endpoint_for
from console.contacts.reader import CsvReadError, open_csv
from console.contacts.validate import ValidationOptions, validate
from console.credentials import KeyringSecretStore, ProfileStore, SignInMethod
from console.credentials.secrets import CredentialsError
from console.fileio import OutputError, atomic_write, check_writable, refuse_same_file
from console.jobs.journal import Journal, valid_job_id
from console.jobs.progress import JobProgress, Phase
from console.jobs.upload import (
    ImportFlow,
    UploadError,
    UploadJob,
    UploadMode,
    UploadOptions,
    UploadResult,
    Verify,
)

SECRET_ENV = "GENESYS_CLIENT_SECRET"
"""Environment variable holding the client secret for ``--base-url``/``--client-id``."""

EXIT_OK, EXIT_REJECTED, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 3


class _CannotRunError(Exception):
    """Setup failed (exit 2); the message is for the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the upload options on ``parser``."""
    parser.add_argument("file", nargs="?", help="the contact CSV (optional with --resume)")
    parser.add_argument("--list", dest="list_id", metavar="LIST_ID", help="target contact list id")
    parser.add_argument(
        "--id-column",
        metavar="COL",
        help="list column holding the contact id (required for upsert; optional for import, where "
        "leaving it out makes every import add new contacts)",
    )
    parser.add_argument("--mode", choices=[m.value for m in UploadMode], default="upsert")
    parser.add_argument(
        "--flow",
        choices=[f.value for f in ImportFlow],
        default="multipart",
        help="file-import flow for --mode import (default multipart, the legacy upload)",
    )
    parser.add_argument("--all-rows", action="store_true", help="send rows with validation errors too")
    parser.add_argument("--resume", metavar="JOB", help="continue an interrupted job")
    conn = parser.add_argument_group("connection (the secret never goes on the command line)")
    conn.add_argument("--profile", metavar="NAME", help="a saved profile; its secret comes from the keyring")
    conn.add_argument("--base-url", metavar="URL", help=f"API base URL; the secret comes from ${SECRET_ENV}")
    conn.add_argument("--client-id", metavar="ID", help="OAuth client id (with --base-url)")
    conn.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="longest wait for any one answer, token requests included (default 30; connect 5)",
    )
    parser.add_argument(
        "--phone-region", default="US", help="default region of numbers without + (default US)"
    )
    parser.add_argument(
        "--verify",
        choices=[v.value for v in Verify],
        default="keys",
        help="reconciliation at the end: keys (size + every id), size, none (default keys)",
    )
    parser.add_argument(
        "--allow-reimport",
        action="store_true",
        help="import a file without an id column even if a journal saw it imported before",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=None,
        metavar="SECONDS",
        help="after an unknown upload outcome, wait this long before comparing the list size (default 30)",
    )
    parser.add_argument(
        "--poll", type=float, default=None, metavar="SECONDS", help="importstatus poll interval"
    )
    parser.add_argument(
        "--report", metavar="FILE", help="write per-row outcomes (row, line, ids, state, reason)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class _ProgressPrinter:
    """Progress lines on stderr, at most one per ``interval`` seconds (and on phase changes)."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._last = 0.0
        self._phase: Phase | None = None

    def __call__(self, p: JobProgress) -> None:
        now = time.monotonic()
        if p.phase == self._phase and now - self._last < self.interval and p.phase is not Phase.FINISHED:
            return
        self._phase, self._last = p.phase, now
        pct = f" ({100 * p.fraction:.0f} %)" if p.rows_total else ""
        rate = f", {p.rows_per_s:.0f} rows/s" if p.rows_per_s else ""
        eta = f", ETA {p.eta_s:.0f} s" if p.eta_s else ""
        rej = f", {p.rows_rejected} rejected" if p.rows_rejected else ""
        msg = f" - {p.message}" if p.message else ""
        _err(f"[{p.phase.value}] {p.rows_done}/{p.rows_total} rows{pct}{rate}{eta}{rej}{msg}")


def _stored_connection(job_id: str) -> dict[str, Any]:
    """The non-secret connection settings a journal recorded (read-only, no lock)."""
    path = Journal.path_for(job_id)
    if not valid_job_id(job_id) or not path.exists():
        raise _CannotRunError(f"no job {job_id} ({path} does not exist).")
    if not path.is_file():
        raise _CannotRunError(
            f"{path} is not an upload journal (it is not a regular file); it was left as it is."
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='connection'").fetchone()
        finally:
            conn.close()
        value = json.loads(row[0]) if row else {}
    except (sqlite3.Error, ValueError, TypeError) as exc:
        raise _CannotRunError(
            f"{path} is not a usable upload journal ({exc}); it was left as it is."
        ) from exc
    return value if isinstance(value, dict) else {}


def _check_report(report: str | None, source: str | os.PathLike[str] | None) -> None:
    """Refuse a --report that is the contact file or cannot be written, before anything is sent."""
    if not report:
        return
    try:
        if source is not None:
            refuse_same_file(report, {"contact file": source})
        check_writable(report)
    except OutputError as exc:
        raise _CannotRunError(str(exc)) from exc


def _reopen(api: GenesysClient, args: argparse.Namespace) -> UploadJob:
    """Reopen a job; a damaged journal (bad values, missing tables) is a sentence, never deleted."""
    try:
        return UploadJob.reopen(api, args.resume, settle_seconds=args.settle, poll_interval=args.poll)
    except (sqlite3.Error, ValueError, KeyError, TypeError, OSError) as exc:
        path = Journal.path_for(args.resume)
        raise _CannotRunError(
            f"the journal {path} is damaged or unreadable ({type(exc).__name__}: {exc}); "
            "it was left as it is."
        ) from exc


def _connect(args: argparse.Namespace, stored: dict[str, Any]) -> tuple[GenesysClient, dict[str, str]]:
    """Build the client from --profile or --base-url/--client-id (or what the journal recorded)."""
    profile_name = args.profile
    base_url, client_id = args.base_url, args.client_id
    if not (profile_name or base_url or client_id):
        profile_name = stored.get("profile")
        base_url, client_id = stored.get("base_url"), stored.get("client_id")
    if profile_name:
        try:
            store = ProfileStore()
        except ValueError as exc:
            raise _CannotRunError(str(exc)) from exc
        profile = next((p for p in store.profiles if profile_name in (p.name, p.id)), None)
        if profile is None:
            raise _CannotRunError(f"no profile named {profile_name!r}.")
        if profile.sign_in is not SignInMethod.CLIENT_CREDENTIALS:
            raise _CannotRunError(
                f"profile {profile.name!r} signs in through the browser; headless uploads need a "
                "client-credentials profile."
            )
        try:
            endpoint = endpoint_for(profile)
        except ValueError as exc:
            raise _CannotRunError(f"profile {profile.name!r}: {exc}") from exc
        try:
            secret = KeyringSecretStore().get(profile.id)
        except CredentialsError as exc:
            way_out = ""
            if exc.no_keyring:
                way_out = f" Or give --base-url and --client-id, with the secret in {SECRET_ENV}."
            raise _CannotRunError(f"{exc}{way_out}") from exc
        if secret is None:
            raise _CannotRunError(
                f"profile {profile.name!r} has no secret in the keyring; save it in the app first."
            )
        spec = ClientSpec(
            endpoint,
            AuthKind.CLIENT_CREDENTIALS,
            profile.client_id,
            secret=secret,
            proxy=profile.proxy_url,
            timeout=getattr(args, "timeout", 30.0),
        )
        region = profile.custom_url or profile.region
        labels = {"profile": profile.name, "region": region, "client_id": spec.client_id}
        return build_client(spec), {k: v for k, v in labels.items() if v}
    if not base_url or not client_id:
        raise _CannotRunError("give --profile NAME, or --base-url URL with --client-id ID.")
    raw = os.environ.get(SECRET_ENV)
    if not raw:
        raise _CannotRunError(f"set the client secret in the environment variable {SECRET_ENV}.")
    try:
        endpoint = Endpoint.custom(base_url)
    except ValueError as exc:
        raise _CannotRunError(str(exc)) from exc
    spec = ClientSpec(
        endpoint,
        AuthKind.CLIENT_CREDENTIALS,
        client_id,
        secret=SecretStr(raw),
        timeout=getattr(args, "timeout", 30.0),
    )
    return build_client(spec), {"base_url": endpoint.api_base, "client_id": client_id}


def _new_job(args: argparse.Namespace, api: GenesysClient, connection: dict[str, str]) -> UploadJob:
    if not args.file or not args.list_id:
        raise _CannotRunError("give the FILE and --list LIST_ID (or --resume JOB).")
    mode = UploadMode(args.mode)
    if mode is UploadMode.UPSERT and not args.id_column:
        raise _CannotRunError("upsert mode needs --id-column COL (contacts without ids could be duplicated).")
    definition = api.get_contact_list(args.list_id)
    _check_report(args.report, args.file)
    try:
        source = open_csv(args.file)
    except CsvReadError as exc:
        raise _CannotRunError(str(exc)) from exc
    _err(f"validating {args.file} against list {definition.name or args.list_id} ...")
    try:
        result = validate(
            source,
            definition,
            options=ValidationOptions(id_column=args.id_column, region=args.phone_region),
        )
    except (ValueError, CsvReadError) as exc:
        source.close()
        raise _CannotRunError(str(exc)) from exc
    _err(f"{result.rows_done} rows: {result.valid_rows} valid, {result.invalid_rows} with errors")
    options = UploadOptions(
        mode=mode,
        id_column=args.id_column,
        all_rows=args.all_rows,
        import_flow=ImportFlow(args.flow),
        region=args.phone_region,
        verify=Verify(args.verify),
        allow_reimport=args.allow_reimport,
        **({"settle_seconds": args.settle} if args.settle is not None else {}),
        **({"poll_interval": args.poll} if args.poll is not None else {}),
    )
    return UploadJob.create(
        api,
        source=source,
        definition=definition,
        list_id=args.list_id,
        options=options,
        validation=result,
        connection=connection,
    )


def _write_report(job: UploadJob, path: Path) -> None:
    with atomic_write(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "line", "source_id", "contact_id", "state", "code", "message"])
        for o in job.journal.outcomes():
            writer.writerow(
                [
                    o.row + 1,
                    job.line_of(o.row),
                    o.source_id or "",
                    o.contact_id or "",
                    o.state.value,
                    o.code or "",
                    o.message or "",
                ]
            )


def run(args: argparse.Namespace) -> int:
    """Run the upload; returns the exit code."""
    started = time.monotonic()
    job: UploadJob | None = None
    api: GenesysClient | None = None
    try:
        stored = _stored_connection(args.resume) if args.resume else {}
        api, connection = _connect(args, stored)
        if args.resume:
            job = _reopen(api, args)
            if args.list_id and args.list_id != job.list_id:
                raise _CannotRunError(f"job {job.job_id} uploads to list {job.list_id}, not {args.list_id}.")
            if args.file and Path(args.file).resolve() != job.rows.source.path.resolve():
                raise _CannotRunError(f"job {job.job_id} uploads {job.rows.source.path}, not {args.file}.")
        else:
            if args.report:
                _check_report(args.report, args.file)
            job = _new_job(args, api, connection)
        _check_report(args.report, job.rows.source.path)
        _err(f"job {job.job_id}: journal {job.journal.path}")
        previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        current = job

        def _stop(signum: int, frame: FrameType | None) -> None:
            _err("stopping after the current request ...")
            current.cancel()

        for s in previous:
            signal.signal(s, _stop)
        job.follow_imports_live(api.sibling)  # a file import's end arrives as an importstatus event
        try:
            result: UploadResult = job.run(None if args.quiet else _ProgressPrinter())
        except BaseException as exc:
            # the job did not finish: its journal must not say "running" (a journal I/O error,
            # a damaged row state, a changed file)
            with contextlib.suppress(Exception):
                job.journal.set_meta({"status": "failed", "message": f"{type(exc).__name__}: {exc}"})
            if isinstance(exc, (sqlite3.Error, ValueError, KeyError, TypeError)):
                raise _CannotRunError(
                    f"job {job.job_id} stopped: its journal {job.journal.path} is damaged "
                    f"({type(exc).__name__}: {exc}); it was left as it is."
                ) from exc
            raise
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        for rej in result.rejections[:20]:
            who = f"row {rej.row + 1} (line {rej.line}) id={rej.source_id or '-'}"
            _err(f"rejected: {who}: {rej.code}: {rej.message}")
        if len(result.rejections) > 20:
            _err(f"... and {len(result.rejections) - 20} more rejected rows (see --report)")
        if args.report:
            try:
                _write_report(job, Path(args.report))
            except OSError as exc:
                raise _CannotRunError(
                    f"cannot write the report {args.report}: {exc.strerror or exc}."
                ) from exc
        _err(f"{result.status.value}: {result.message}")
        _out(result.summary_line())
        return result.exit_code
    except (_CannotRunError, UploadError, CredentialsError, ApiError, ConsoleError, CsvReadError) as exc:
        _err(f"upload: {exc}")
        if job is not None:
            _out(f"sent=0 skipped=0 rejected=0 seconds={time.monotonic() - started:.1f} job={job.job_id}")
        else:
            _out(f"sent=0 skipped=0 rejected=0 seconds={time.monotonic() - started:.1f} job=-")
        return EXIT_CANNOT_RUN
    finally:
        if job is not None:
            job.close()
            job.rows.source.close()
        if api is not None:
            api.close()
