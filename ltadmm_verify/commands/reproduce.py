"""``ltadmm-verify reproduce``: the paper's digits comparison (claim C6) with figures and a table."""

from __future__ import annotations

import argparse
import dataclasses

from .._io import check_output_folder
from ..reproduce import ReproductionConfig, format_table, reproduce
from .common import count


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "reproduce",
        help="LT-ADMM / LT-ADMM-VR vs LED, K-GT, local DSGD on digits (claim C6)",
        description="Grid-search the step sizes of every method on the same budget, run every "
                    "method for several tau and seeds on the 8x8 digits problem, and write "
                    "DIR/reproduction.json and figures against rounds, gradient evaluations and "
                    "modelled time.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="small version (tau in {1, 10}, coarse grid, 40 rounds; < 2 minutes)")
    parser.add_argument("--out", default="reports/reproduction",
                        help="output folder (default reports/reproduction)")
    parser.add_argument("--seeds", type=count(2, 1000), default=None,
                        help="number of evaluation seeds (default 3, quick 2)")
    parser.add_argument("--split", choices=("iid", "label"), default="iid",
                        help="how the training images are dealt to the agents (default iid)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the reproduction, print the table and the C6 verdicts, write the files."""
    check_output_folder("--out", args.out)
    config = ReproductionConfig.quick() if args.quick else ReproductionConfig()
    seeds = config.seeds if args.seeds is None else args.seeds
    config = dataclasses.replace(config, split=args.split, seeds=seeds)
    result = reproduce(config, progress=not args.quiet)
    print(format_table(result))
    print()
    print(format_table(result, "stationarity"))
    print()
    for ratio in config.ratios:
        check = result.c6_check(ratio)
        print(f"C6 at t_comm/t_grad = {ratio:g}: {check.verdict}  measured {check.measured:.4g} "
              f"{check.relation} {check.bound:g}  ({check.reason})")
    paths = result.write(args.out)
    print(f"wrote {len(paths)} files to {args.out} (reproduction.json and figures)")
    return 0
