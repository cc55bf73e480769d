"""``ltadmm-verify reproduce``: the paper's digits comparison (claim C6) with figures and a table."""

from __future__ import annotations

import argparse
import dataclasses

from .._io import check_output_folder
from ..reproduce import SPLITS, ReproductionConfig, reproduce
from .common import count


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "reproduce",
        help="LT-ADMM / LT-ADMM-VR vs LED, K-GT, local DSGD on digits (claim C6)",
        description="Tune every method's declared parameters on the same budget (tuning seeds), "
                    "evaluate the chosen configurations on disjoint seeds on the 8x8 digits problem, "
                    "give the C6 verdict per split and cost ratio with a bootstrap interval and its "
                    "sensitivity to the budget, and write DIR/reproduction.json and figures.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="small version of the same protocol (a smoke run, not evidence)")
    parser.add_argument("--out", default="reports/reproduction",
                        help="output folder (default reports/reproduction)")
    parser.add_argument("--seeds", type=count(2, 1000), default=None,
                        help="number of evaluation seeds (default 8, quick 5)")
    parser.add_argument("--split", choices=("iid", "label", "both"), default="both",
                        help="how the training images are dealt to the agents (default both)")
    parser.add_argument("--workers", type=int, default=2,
                        help="local processes running the independent searches and evaluations "
                             "(default 2; the result does not depend on it)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the reproduction, print the table and the C6 verdicts, write the files."""
    check_output_folder("--out", args.out)
    config = ReproductionConfig.quick() if args.quick else ReproductionConfig()
    splits = SPLITS if args.split == "both" else (args.split,)
    seeds = config.eval_seeds if args.seeds is None else args.seeds
    config = dataclasses.replace(config, splits=splits, eval_seeds=seeds)
    result = reproduce(config, workers=args.workers, progress=not args.quiet)
    print(result.report())
    paths = result.write(args.out)
    print(f"wrote {len(paths)} files to {args.out} (reproduction.json and figures)")
    return 0
