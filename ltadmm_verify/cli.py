"""The ``ltadmm-verify`` command line: one subcommand per module in :mod:`ltadmm_verify.commands`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .commands import bounds, certify, constants, report, reproduce, run
from .errors import LTADMMVerifyError

#: subcommand modules; each defines ``add_parser(subparsers)`` registering a handler via set_defaults
COMMANDS = (run, constants, bounds, report, reproduce, certify)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ltadmm-verify",
        description="Run, bound, verify and report on LT-ADMM / LT-ADMM-VR (arXiv 2501.13516).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status (2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except LTADMMVerifyError as error:
        print(f"ltadmm-verify {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
