"""MPI backend benchmark: seconds and bytes exchanged per round versus the number of ranks P.

Usage::

    .venv/bin/python benchmarks/bench_mpi.py [--rounds 200] [--ranks 1 2 4] [--agents-per-rank 16]

The driver starts ``mpirun -n P`` on this same file (``--worker``) for

* strong scaling: a fixed problem (``--agents`` agents on a torus) on ``P = 1, 2, 4`` ranks;
* weak scaling: ``--agents-per-rank`` agents per rank (``N = P x agents-per-rank``).

The algorithm is LT-ADMM (least squares, ``d = --dim``, ``m_i = --samples``, ``tau = 5``, minibatch 5):
one ``exchange`` of ``z`` messages per round. Seconds per round are ``(t(2R) - t(R)) / R`` for two
complete runs of ``R`` and ``2R`` rounds (set-up, metrics at the first and last round and start-up
cancel), each the maximum over ranks and the best of ``--repeats`` timings. Bytes per round are the
payload sent between ranks (sum over ranks of ``MPIBackend.bytes_sent``, divided by the rounds);
intra-rank edges cost nothing. Ranks yield the CPU while waiting (``mpi_yield_when_idle``); with
more ranks than cores (or a loaded machine) they are oversubscribed and the times say more about the
machine than about the code. Every round also has one ``allreduce`` (the run loop's divergence test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any


def worker(args: argparse.Namespace) -> None:
    """Inside the MPI job: time LT-ADMM for R and 2R rounds; rank 0 prints one JSON line."""
    from mpi4py import MPI

    import ltadmm_verify as lv
    from ltadmm_verify.backends.mpi import MPIBackend

    comm = MPI.COMM_WORLD
    network = lv.make_network(args.graph, args.agents, seed=0)
    problem = lv.problems.random_least_squares(network.n_agents, args.dim, args.samples, seed=0)
    problem.optimum()  # cached: not part of the timed runs
    algorithm = lv.LTADMM(gamma=0.01, beta=0.01, rho=1.0, tau=5, batch_size=5)
    seconds = {args.rounds: float("inf"), 2 * args.rounds: float("inf")}
    for _ in range(args.repeats):
        for rounds in seconds:
            backend = MPIBackend(network, comm)
            comm.Barrier()
            start = time.perf_counter()
            lv.run(algorithm, problem, network, rounds, backend=backend, record_every=rounds, seed=1)
            elapsed = comm.allreduce(time.perf_counter() - start, op=MPI.MAX)
            seconds[rounds] = min(seconds[rounds], elapsed)
    sent = backend.total(backend.bytes_sent)
    neighbours = comm.allreduce(len(backend.neighbours), op=MPI.MAX)
    if comm.Get_rank() == 0:
        print(json.dumps({
            "P": comm.Get_size(),
            "N": network.n_agents,
            "edges": network.n_edges,
            "max_neighbour_ranks": neighbours,
            "seconds_per_round": (seconds[2 * args.rounds] - seconds[args.rounds]) / args.rounds,
            "bytes_per_round": sent / (2 * args.rounds),
        }))


def launch(ranks: int, agents: int, args: argparse.Namespace) -> dict[str, Any]:
    """One ``mpirun`` of the worker; its JSON line."""
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_btl="self,sm", OMPI_MCA_pml="ob1", OMPI_MCA_mpi_yield_when_idle="1")
    mpirun = os.path.join(os.path.dirname(sys.executable), "mpirun")
    command = [mpirun, "--oversubscribe", "-n", str(ranks), sys.executable, __file__, "--worker",
               "--agents", str(agents), "--graph", args.graph, "--dim", str(args.dim),
               "--samples", str(args.samples), "--rounds", str(args.rounds),
               "--repeats", str(args.repeats)]
    job = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(job.stdout.strip().splitlines()[-1]))


def table(title: str, rows: list[dict[str, Any]]) -> str:
    """Markdown table of the worker results."""
    lines = [f"### {title}", "",
             "| P | N | edges | max neighbour ranks | ms / round | bytes / round |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['P']} | {r['N']} | {r['edges']} | {r['max_neighbour_ranks']} | "
              f"{1e3 * r['seconds_per_round']:.3f} | {r['bytes_per_round']:.0f} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many timings (default 3)")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--agents", type=int, default=64, help="N for strong scaling (default 64)")
    parser.add_argument("--agents-per-rank", type=int, default=16)
    parser.add_argument("--graph", default="torus")
    parser.add_argument("--dim", type=int, default=20)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    print(f"LT-ADMM, least squares d={args.dim}, m_i={args.samples}, tau=5, |B|=5, graph {args.graph}; "
          f"{os.cpu_count()} cores\n")
    strong = [launch(p, args.agents, args) for p in args.ranks]
    print(table(f"Strong scaling (N = {args.agents} fixed)", strong) + "\n")
    weak = [launch(p, p * args.agents_per_rank, args) for p in args.ranks]
    print(table(f"Weak scaling ({args.agents_per_rank} agents per rank)", weak))


if __name__ == "__main__":
    main()
