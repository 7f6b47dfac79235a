"""``outbound-console validate``: check a contact CSV against a list definition.

Exit codes: 0 when there are no warnings or errors (information findings allowed), 1 when
there are findings, 2 when the input or an argument cannot be used. The last line of standard
output is always ``rows=N valid=V invalid=I issues=K seconds=S`` (except for exit 2, which
prints one sentence on standard error).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

from console.api.models import ContactList
from console.contacts.dialing import add_dialing_arguments, dialing_request, run_dialing
from console.contacts.fixes import write_error_report, write_fixed
from console.contacts.listcheck import blocking_findings
from console.contacts.phones import is_known_region
from console.contacts.reader import CsvReadError, open_csv
from console.contacts.result import Severity
from console.contacts.rules import DefinitionError, load_definition
from console.contacts.validate import ValidationOptions, validate
from console.fileio import OutputError, atomic_write, check_writable, refuse_same_file

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the ``validate`` arguments."""
    parser.add_argument("file", metavar="FILE", help="contact CSV file")
    parser.add_argument(
        "--definition",
        required=True,
        metavar="LIST.json",
        help="the contact list as JSON (wire names, as the API returns it)",
    )
    parser.add_argument(
        "--region", default="US", help="default phone region for numbers without + (default US)"
    )
    parser.add_argument(
        "--id-column",
        default="auto",
        help="list column with the contact id ('auto' guesses, 'none' disables)",
    )
    parser.add_argument("--encoding", help="override the detected encoding")
    parser.add_argument("--delimiter", help="override the detected delimiter (use 'tab' for a tab)")
    parser.add_argument("--report", metavar="errors.csv", help="write every finding with its row to this CSV")
    parser.add_argument(
        "--fixed",
        metavar="out.csv",
        help="write a clean UTF-8 CSV: trimmed, phones in E.164, rows with errors dropped",
    )
    parser.add_argument("--processes", type=int, help="worker processes (default: automatic)")
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON line before the summary"
    )
    add_dialing_arguments(parser)  # --dialing-windows, --at (console/contacts/dialing.py)


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _fail(message: str) -> int:
    sys.stderr.write(f"outbound-console validate: {message}\n")
    return 2


def _load_definition(path: str) -> ContactList:
    """:func:`load_definition`, with every way a file can be unusable turned into one sentence.

    Raises:
        DefinitionError: Unreadable, not UTF-8 JSON, nested too deeply, or failing the builder's checks.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        head = b""  # load_definition says why
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 2 and (head[0] == 0 or head[1] == 0)):
        raise DefinitionError(f"The definition {path} is UTF-16 or UTF-32 text; save it as UTF-8 JSON.")
    try:
        definition = load_definition(path)
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"The definition {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON."
        ) from exc
    except RecursionError as exc:
        raise DefinitionError(f"The definition {path} is nested too deeply to be a contact list.") from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise DefinitionError(f"The definition {path} is not usable JSON: {exc}.") from exc
    errors = blocking_findings(definition)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DefinitionError(f"The definition {path} is not a valid contact list: {errors[0].message}{more}")
    return definition


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit code."""
    started = time.perf_counter()
    if not is_known_region(args.region):
        return _fail(f"--region {args.region!r} is not a region code libphonenumber knows (e.g. US, GB, DE).")
    if args.processes is not None and args.processes < 1:
        return _fail("--processes must be at least 1.")
    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter or "", args.delimiter)
    inputs = {"input file": args.file, "definition": args.definition}
    try:
        for out in (args.report, args.fixed, getattr(args, "dialing_windows", None)):
            if out:
                refuse_same_file(out, inputs)
                check_writable(out)
        if args.report and args.fixed:
            refuse_same_file(args.fixed, {"report": args.report})
            if Path(args.report).absolute() == Path(args.fixed).absolute():
                raise OutputError(f"--report and --fixed are both {args.fixed}; give two files.")
    except OutputError as exc:
        return _fail(str(exc))
    try:
        definition = _load_definition(args.definition)
    except DefinitionError as exc:
        return _fail(str(exc))
    try:
        source = open_csv(args.file, encoding=args.encoding, delimiter=delimiter)
    except CsvReadError as exc:
        return _fail(str(exc))
    id_column = None if args.id_column == "none" else args.id_column
    with source:
        try:
            wanted, at = dialing_request(args)
        except ValueError as exc:
            return _fail(str(exc))
        opts = ValidationOptions(
            region=args.region.upper(),
            id_column=id_column,
            processes=args.processes,
            dialing=wanted,  # keyed in the workers, from the cells they read anyway
            dialing_at=at,
        )
        try:
            result = validate(source, definition, options=opts)
            source.check_unchanged()
        except CsvReadError as exc:
            return _fail(str(exc))
        except ValueError as exc:
            return _fail(str(exc))
        if args.report:
            try:
                with atomic_write(args.report) as tmp:
                    write_error_report(result, source, tmp)
            except OSError as exc:
                return _fail(f"cannot write the report {args.report}: {exc.strerror or exc}.")
        if args.fixed:
            try:
                with atomic_write(args.fixed) as tmp:
                    write_fixed(source, result, out=tmp)  # the validation's own plan and mapping
            except CsvReadError as exc:
                return _fail(str(exc))
            except OSError as exc:
                return _fail(f"cannot write the fixed file {args.fixed}: {exc.strerror or exc}.")
        try:
            dialing = run_dialing(args, source, definition, result)
        except ValueError as exc:
            return _fail(str(exc))
        seconds = time.perf_counter() - started
        blank = result.blank_rows
        summary = (
            f"rows={result.contact_rows} valid={result.valid_rows} invalid={result.invalid_rows} "
            f"issues={result.issue_count} seconds={seconds:.2f}"
        ) + (f" {dialing.summary_line}" if dialing else "")
        counts = result.counts_by_rule()
        if dialing is not None and dialing.short_count:
            counts[dialing.short_findings[0].code] = dialing.short_count
        if args.json:
            issues: list[dict[str, object]] = []
            for issue in result.iter_issues():
                if len(issues) >= 1000:
                    break
                issues.append(
                    {
                        "row": issue.row,
                        "line": issue.line,
                        "column": issue.column,
                        "code": issue.code,
                        "severity": str(issue.severity),
                        "message": issue.message,
                        "suggested_fix": issue.suggested_fix,
                        "value": issue.original,
                        "fixed_value": issue.normalized,
                    }
                )
            _out(
                json.dumps(
                    {
                        "file": str(source.path),
                        "encoding": source.encoding,
                        "delimiter": source.delimiter,
                        "rows": result.contact_rows,
                        "blank_lines": blank,
                        "valid": result.valid_rows,
                        "invalid": result.invalid_rows,
                        "issues": result.issue_count,
                        "counts_by_rule": counts,
                        "first_issues": issues,
                        "summary": summary,
                    }
                    | ({"dialing": dialing.json} if dialing else {}),
                    ensure_ascii=False,
                )
            )
        else:
            _out(
                f"{source.path}: encoding {source.encoding} ({source.encoding_reason}), "
                f"delimiter {source.delimiter!r}"
            )
            for code, count in counts.items():
                _out(f"  {count:>9}  {code}")
            short = dialing.short_findings if dialing is not None else []
            for shown, issue in enumerate(itertools.chain(result.iter_issues(), short)):
                if shown >= 20:
                    more = result.issue_count + (dialing.short_count if dialing else 0) - shown
                    _out(f"  … {more} more (use --report)")
                    break
                _out(f"  {issue.severity}: {issue.message}")
            if blank:
                _out(f"{blank:,} blank line{'s' if blank != 1 else ''} skipped (not contacts)")
        _out(summary)
    worst = max((i.severity for i in result.header_issues), default=Severity.OK)
    findings = worst >= Severity.WARNING or any(
        result.row_status(i) >= Severity.WARNING for i in result.rows_with(Severity.WARNING)
    )
    return 1 if findings or (dialing is not None and dialing.short_count) else 0
