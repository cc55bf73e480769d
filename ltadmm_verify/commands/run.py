"""``ltadmm-verify run``: one run of any built-in algorithm on a named instance, saved as JSON."""

from __future__ import annotations

import argparse

from .._io import atomic_write_json, check_output_file
from ..algorithms import GaussianNoise
from ..algorithms.run import BACKENDS
from ..solve import run
from .algorithm_options import add_algorithm_options, build_algorithm, check_algorithm_options
from .channel import add_channel_options, build_channel
from .common import MAX_ROUNDS, NONNEGATIVE, SEED, add_instance_options, build_instance, count

#: values of the flags a run needs when they are omitted
DEFAULTS = {"step": 0.05, "tau": 5}


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser("run", help="run an algorithm and save its history as JSON")
    add_instance_options(parser)
    add_algorithm_options(parser, notes={"gamma": " (default 0.05)", "eta_c": " (default 0.05)",
                                         "tau": " (default 5)"})
    parser.add_argument("--rounds", type=count(1, MAX_ROUNDS), default=200,
                        help="communication rounds K (default 200)")
    parser.add_argument("--seed", type=SEED, default=0, help="seed of minibatches and noise")
    parser.add_argument("--noise", type=NONNEGATIVE, default=None,
                        help="additive Gaussian gradient noise sigma^2 (default none)")
    parser.add_argument("--record-every", type=count(1, MAX_ROUNDS), default=1,
                        help="record the metrics every this many rounds (default 1)")
    parser.add_argument("--out", default="results.json", help="output JSON (default results.json)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--check", choices=("raise", "warn", "off"), default="raise",
                        help="pre-run step-size check: refuse (default), only warn, or skip")
    parser.add_argument("--backend", choices=BACKENDS, default="simulator",
                        help="simulator (one process) or mpi: inside "
                        "'mpirun -n P python -m mpi4py -m ltadmm_verify run --backend mpi ...'; "
                        "only rank 0 prints and writes --out")
    add_channel_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run, print a summary and write the JSON file."""
    check_output_file("--out", args.out)
    check_algorithm_options(args)
    problem, network = build_instance(args)
    algorithm = build_algorithm(args, defaults=DEFAULTS, problem=problem)
    noise = None if args.noise is None else GaussianNoise(args.noise)
    result = run(algorithm, problem, network, args.rounds, seed=args.seed, noise=noise,
                 record_every=args.record_every, progress=not args.quiet, backend=args.backend,
                 check=args.check, channel=build_channel(args))
    status = 0 if result.status == "completed" else 1
    if result.x is None:  # a non-root MPI rank: rank 0 reports and writes
        return status
    hist = result.history
    print(result.message)
    for key in ("stationarity", "grad_norm_sq", "consensus", "opt_gap", "dist_sq"):
        if key in hist:
            print(f"  {key:<13} {hist[key][0]:.4e} -> {hist[key][-1]:.4e}")
    print(f"  grad_evals {int(hist['grad_evals'][-1])}, messages {int(hist['messages'][-1])} "
          f"({int(hist['messages_delivered'][-1])} delivered, {int(hist['floats_sent'][-1])} floats)")
    atomic_write_json(args.out, {
        "instance": {"graph": args.graph, "network": network.describe(),
                     "problem": problem.describe()},
        **result.to_dict(),
    })
    print(f"wrote {args.out}")
    return status
