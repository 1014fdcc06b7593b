"""``python -m client``: import and export CSV through a Tandem server's HTTP API.

    python -m client --url http://127.0.0.1:8000 --token $TOKEN import contacts people.csv --workspace $WS [--dry-run]
    python -m client --token $TOKEN import deals deals.csv --workspace $WS --board "Sales pipeline"
    python -m client --token $TOKEN export contacts --workspace $WS [--output contacts.csv]

``--url`` defaults to ``$TANDEM_URL`` (else http://127.0.0.1:8000), ``--token`` to
``$TANDEM_TOKEN`` (the ``token`` that ``POST /api/auth/login`` answers). Exit status: 0 done,
1 the file has problems (each printed with its line; nothing was imported), 2 the request failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from client.transfer import ApiError, export_csv, import_csv


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.token:
        print("a session token is needed: --token or $TANDEM_TOKEN (POST /api/auth/login answers one)", file=sys.stderr)
        return 2
    try:
        if args.command == "import":
            return _import(args)
        return _export(args)
    except (ApiError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _import(args: argparse.Namespace) -> int:
    report = import_csv(args.url, args.token, args.workspace, args.kind, Path(args.file).read_bytes(),
                        dry_run=args.dry_run, board=args.board)
    for problem in report["problems"]:
        where = f"line {problem['line']}" + (f", {problem['column']}" if problem["column"] else "")
        print(f"{args.file}: {where}: {problem['reason']}", file=sys.stderr)
    if report["problems"]:
        print(f"{len(report['problems'])} problem(s): nothing was imported", file=sys.stderr)
        return 1
    verb = "would import" if report["dry_run"] else "imported"
    created = report["organisations_created"]
    extra = f" (and {'would create' if report['dry_run'] else 'created'} {len(created)} organisation(s): " \
            f"{', '.join(created)})" if created else ""
    print(f"{verb} {report['created']} {args.kind}{extra}")
    for column in report["ignored_columns"]:
        print(f"note: ignored the unknown column {column!r}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.output:
        with open(args.output, "wb") as out:
            export_csv(args.url, args.token, args.workspace, args.kind, out, board=args.board)
    else:
        export_csv(args.url, args.token, args.workspace, args.kind, sys.stdout.buffer, board=args.board)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m client", description="Tandem CSV import and export")
    parser.add_argument("--url", default=os.environ.get("TANDEM_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("TANDEM_TOKEN"))
    sub = parser.add_subparsers(dest="command", required=True)
    kinds = ["contacts", "organisations", "deals"]
    imp = sub.add_parser("import", help="import a CSV file (validated whole; all rows or none)")
    imp.add_argument("kind", choices=kinds)
    imp.add_argument("file")
    imp.add_argument("--workspace", required=True)
    imp.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
    imp.add_argument("--board", help="deals: the pipeline board (name or id) to create the cards on")
    exp = sub.add_parser("export", help="export a CSV file")
    exp.add_argument("kind", choices=kinds)
    exp.add_argument("--workspace", required=True)
    exp.add_argument("--output", "-o", help="file to write (default: standard output)")
    exp.add_argument("--board", help="deals: the pipeline board (name or id) to export")
    return parser


if __name__ == "__main__":
    sys.exit(main())
