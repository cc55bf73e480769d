"""The ``ltadmm-verify`` command line: one subcommand per module in :mod:`ltadmm_verify.commands`.

Errors and warnings are single lines on stderr, ``ltadmm-verify COMMAND: error: ...`` (exit status
2) and ``ltadmm-verify COMMAND: warning: ...``, spelling options as flags (``--check off``), never
as the Python keywords of the library (``check="off"``).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from .commands import bounds, certify, constants, plot, report, reproduce, run, worst_case
from .errors import LTADMMVerifyError

#: subcommand modules; each defines ``add_parser(subparsers)`` registering a handler via set_defaults
COMMANDS = (run, constants, bounds, report, reproduce, certify, plot, worst_case)

#: library spellings in messages and their command-line equivalents
CLI_SPELLING = {
    'check="off"': "--check off",
    'check="warn"': "--check warn",
    'check="raise"': "--check raise",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line naming the command and pointing to --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(
        prog="ltadmm-verify",
        description="Run, bound, verify and report on LT-ADMM / LT-ADMM-VR (arXiv 2501.13516).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def for_the_command_line(message: str) -> str:
    """``message`` with library keywords spelled as flags (:data:`CLI_SPELLING`)."""
    for keyword, flag in CLI_SPELLING.items():
        message = message.replace(keyword, flag)
    return message


def _warning_printer(command: str) -> Any:
    """A :func:`warnings.showwarning` printing ``ltadmm-verify COMMAND: warning: message``."""

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        text = for_the_command_line(str(message))
        print(f"ltadmm-verify {command}: warning: {text}", file=file or sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status (2 for bad input, also from the parser)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help (0) or a parser error (2, message already printed)
        return stop.code if isinstance(stop.code, int) else 2
    with warnings.catch_warnings():
        warnings.showwarning = _warning_printer(args.command)
        try:
            return int(args.handler(args) or 0)
        except LTADMMVerifyError as error:
            print(f"ltadmm-verify {args.command}: error: {for_the_command_line(str(error))}",
                  file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
