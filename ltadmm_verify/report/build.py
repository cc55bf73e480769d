"""Build the verification report: compute every section, then write the PDF and the JSON atomically.

Order of the PDF: summary, set-up, theory, one page (or more) per claim, environment. The JSON holds
every number the PDF shows plus the effective configuration. What describes this particular run
rather than the verification (wall-clock times, the git commit of the source tree) is kept apart
under the key ``runtime``; the rest of the JSON is a function of the configuration and the seed.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib
from threadpoolctl import threadpool_limits

from .._io import atomic_write_bytes, atomic_write_json
from ..progress import ProgressBar
from . import claims as cl
from . import figures as fg
from .pdf import render_pdf
from .sections import CLAIM_SECTIONS, Instances, check_configuration
from .sections import environment as env
from .sections import setup as st
from .sections import theory as th

#: version of the JSON layout
SCHEMA_VERSION = 1


def _timed(job: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``job`` with single-threaded BLAS (the matrices are small; threads only compete)."""
    t0 = time.monotonic()
    with threadpool_limits(limits=1):
        value = job()
    return value, round(time.monotonic() - t0, 3)


def run_jobs(jobs: dict[str, Callable[[], Any]], workers: int, progress: bool
             ) -> tuple[dict[str, Any], dict[str, float]]:
    """Run independent section jobs, on ``workers`` processes when > 1; results keyed like ``jobs``.

    Every job is a function of the configuration alone (its own seeds), so the results do not
    depend on the number of processes or on the order in which they finish.
    """
    bar = ProgressBar(len(jobs), "report", enabled=progress)
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    try:
        if workers <= 1:
            for key, job in jobs.items():
                results[key], timings[key] = _timed(job)
                bar.update(note=key)
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
                futures = {pool.submit(_timed, job): key for key, job in jobs.items()}
                for future in as_completed(futures):
                    key = futures[future]
                    results[key], timings[key] = future.result()
                    bar.update(note=key)
    finally:
        bar.close()
    return results, timings


def json_path(pdf_path: str | Path) -> Path:
    """The JSON written beside ``PATH.pdf``: ``PATH.json``."""
    return Path(pdf_path).with_suffix(".json")


def build_report(config: dict[str, Any], out: str | Path, *, progress: bool = True) -> dict[str, Any]:
    """Compute the report for ``config`` and write ``out`` (PDF) and its JSON twin.

    Parameters
    ----------
    config : dict
        Effective configuration from :func:`ltadmm_verify.report.config.load_config`.
    out : path
        Where the PDF goes; the JSON goes to the same path with suffix ``.json``.
    progress : bool
        Draw a progress bar on stderr.

    Returns
    -------
    dict
        The JSON document written.
    """
    check_configuration(config)
    start = time.monotonic()
    claims = cl.claims_in_order(config)
    instances = Instances.from_config(config)
    jobs: dict[str, Callable[[], Any]] = {
        "setup": partial(st.compute_setup, config, instances),
        "theory": partial(th.compute_theory, config, instances),
        **{c: partial(cl.compute_claim, c, config, instances, CLAIM_SECTIONS) for c in claims},
    }
    results, timings = run_jobs(jobs, config["report"]["workers"], progress)
    setup, theory = results["setup"], results["theory"]
    claim_data = [results[c] for c in claims]
    environment = env.compute_environment(config)
    runtime = {"total_seconds": round(time.monotonic() - start, 3), "sections_seconds": timings,
               "workers": config["report"]["workers"],
               "git_commit": env.git_commit()}
    summary = [c["summary"] for c in claim_data]
    document = {
        "schema_version": SCHEMA_VERSION,
        "title": config["report"]["title"],
        "configuration": config,
        "summary": summary,
        "setup": setup,
        "theory": theory,
        "claims": claim_data,
        "environment": environment,
        "runtime": runtime,
    }
    subtitle = (f"seed {config['report']['seed']}" + (" (--quick)" if config["report"]["quick"] else "")
                + f"; {len(claims)} claims checked")
    with matplotlib.rc_context(fg.STYLE):
        pages = cl.draw_summary(summary, config["report"]["title"], subtitle)
        pages += st.draw_setup(setup)
        pages += th.draw_theory(theory)
        for number, c in enumerate(claim_data, start=1):
            pages += cl.draw_claim(c, number)
        pages += env.draw_environment(environment, config, runtime)
        pdf = render_pdf(pages, title=config["report"]["title"],
                         subject="Verification of the claims of arXiv 2501.13516 (LT-ADMM, LT-ADMM-VR)")
    atomic_write_json(json_path(out), document)
    atomic_write_bytes(out, pdf)
    return document
