"""``ltadmm-verify plot``: figures of one or several runs saved by ``ltadmm-verify run --out``."""

from __future__ import annotations

import argparse

from .._io import check_output_file
from ..errors import InvalidParameterError
from ..plot import AXES, FIGURE_SUFFIXES, METRICS, load_result, plot
from .common import POSITIVE


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "plot", help="plot stationarity, consensus and optimality gap of saved runs",
        description="Draw the metrics of one or several results files (from 'ltadmm-verify run "
                    "--out') against rounds, gradient evaluations and modelled time "
                    "k (tau t_grad + t_comm), one colour per run.")
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="files of 'run --out'")
    parser.add_argument("--out", default="figure.png",
                        help=f"figure to write ({', '.join(FIGURE_SUFFIXES)}; default figure.png)")
    parser.add_argument("--labels", nargs="+", default=None, help="one legend entry per file")
    parser.add_argument("--metrics", nargs="+", choices=list(METRICS), default=None,
                        help="rows (default: every recorded one)")
    parser.add_argument("--axes", nargs="+", choices=list(AXES), default=list(AXES),
                        help="columns (default: round grad_evals time)")
    parser.add_argument("--comm-ratio", type=POSITIVE, default=1.0,
                        help="t_comm / t_grad of the modelled time (default 1)")
    parser.add_argument("--title", default=None, help="figure title")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Read the files, draw and write the figure."""
    check_output_file("--out", args.out, suffixes=FIGURE_SUFFIXES)
    if args.labels is not None and len(args.labels) != len(args.results):
        raise InvalidParameterError(f"--labels must give one label per results file "
                                    f"({len(args.results)}), got {len(args.labels)}")
    documents = [load_result(path) for path in args.results]
    plot(documents, args.out, labels=args.labels, metrics=args.metrics, axes=args.axes,
         comm_ratio=args.comm_ratio, title=args.title)
    print(f"wrote {args.out}")
    return 0
