"""``ltadmm-verify report``: the PDF verification report and its JSON twin."""

from __future__ import annotations

import argparse

from .._io import check_output_file


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "report", help="write the PDF verification report (and a JSON file with every number)")
    parser.add_argument("--config", metavar="FILE.toml",
                        help="TOML file overriding any part of the default configuration")
    parser.add_argument("--out", default="reports/verification.pdf", metavar="PATH.pdf",
                        help="PDF to write; the JSON goes beside it as PATH.json "
                             "(default reports/verification.pdf)")
    parser.add_argument("--quick", action="store_true",
                        help="small grids and few seeds (a smoke run of every section)")
    parser.add_argument("--seed", type=int, default=None,
                        help="master seed, 0..10**12 (overrides report.seed)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--print-default-config", action="store_true",
                        help="print the embedded default configuration (TOML) and exit")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Validate the output path and the configuration (before any computation), build the report,
    print the summary."""
    if not args.print_default_config:  # first: a bad path fails before the machinery loads
        out = check_output_file("--out", args.out, suffixes=(".pdf",))
        check_output_file("--out (its JSON twin)", out.with_suffix(".json"))
    # imported here: matplotlib and the report machinery are not needed by the other commands
    from ..report import build_report, check_configuration, json_path, load_config
    from ..report.config import default_text

    if args.print_default_config:
        print(default_text(), end="")
        return 0
    config = load_config(args.config, quick=args.quick, seed=args.seed)
    check_configuration(config)
    document = build_report(config, args.out, progress=not args.quiet)
    for row in document["summary"]:
        cells = row["display"]
        print(f"  {cells[0]:<3} {cells[4]:<15} measured {cells[1]:<11} bound {cells[2]:<12} {cells[5]}")
    print(f"wrote {args.out} and {json_path(args.out)} "
          f"({document['runtime']['total_seconds']:.1f} s)")
    return 0  # a FAIL verdict is a finding the report documents, not an error of the command
