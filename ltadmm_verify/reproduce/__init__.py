r"""Reproduction of the paper's digits comparison (SPEC section 5, claim C6), as a fair comparison.

LT-ADMM and LT-ADMM-VR against LED, K-GT and local DSGD on the 8x8 digits problem
(:func:`ltadmm_verify.problems.digits`: multiclass softmax regression with the nonconvex regulariser,
``N = 10`` agents on a ring by default), on the i.i.d. and the label-skewed split. Every method's
tunable parameters and ranges come from its class (``tuning_ranges``), every method gets the same
tuning budget, tuning uses the claim's own quantity on tuning seeds and the verdict comes from
disjoint evaluation seeds with a bootstrap interval; the protocol is in :mod:`.protocol`, the
settings in :mod:`.config`, the files written in :mod:`.output`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._io import atomic_write_json
from ..jobs import map_jobs
from ..progress import ProgressBar
from ..verify.result import CheckResult
from ..verify.verdict import Verdict, combine
from .config import (
    ALGORITHMS,
    BASELINES,
    LT_FAMILY,
    METHODS,
    MIN_BOOTSTRAP_SEEDS,
    SPLITS,
    ReproductionConfig,
    base_algorithm,
)
from .output import format_table, format_verdicts, write_figures
from .protocol import (
    CostModel,
    SplitResult,
    bootstrap_ratio,
    evaluation_job,
    first_reach,
    reach_time,
    split_result,
    tune_job,
)


@dataclass
class ReproductionResult:
    """Outcome of :func:`reproduce`: one :class:`~.protocol.SplitResult` per split."""

    config: ReproductionConfig
    splits: dict[str, SplitResult] = field(default_factory=dict)

    def checks(self, ratios: tuple[float, ...] | None = None) -> list[CheckResult]:
        """The C6 checks of every split at ``ratios`` (default: every ratio)."""
        ratios = self.config.ratios if ratios is None else ratios
        return [s.c6_check(r) for s in self.splits.values() for r in ratios]

    def verdict(self) -> Verdict:
        """The claim's verdict: every split at the expensive ratios, combined."""
        return combine(c.verdict for c in self.checks(self.config.expensive_ratios))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view: settings, protocol, and per split every number behind the verdicts."""
        return {"config": self.config.to_dict(),
                "protocol": "ltadmm_verify.reproduce.protocol (module docstring)",
                "c6_verdict": str(self.verdict()),
                "splits": {name: s.to_dict() for name, s in self.splits.items()}}

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``reproduction.json`` and the figures into ``out_dir`` (atomically)."""
        out = Path(out_dir)
        paths = [atomic_write_json(out / "reproduction.json", self.to_dict())]
        for split in self.splits.values():
            paths += write_figures(split, out)
        return paths

    def report(self) -> str:
        """The tables and verdict lines ``ltadmm-verify reproduce`` prints."""
        parts = []
        for split in self.splits.values():
            parts += [format_table(split), format_table(split, "stationarity"), format_verdicts(split)]
        parts.append(f"C6 (every split at t_comm/t_grad in {list(self.config.expensive_ratios)}): "
                     f"{self.verdict()}")
        return "\n\n".join(parts)


def reproduce(config: ReproductionConfig | None = None, *, workers: int | None = 2,
              progress: bool = False) -> ReproductionResult:
    """Tune, evaluate and judge every split (:mod:`.protocol`).

    The searches (one per split, method and ``tau``) and then the evaluations are independent jobs
    (:func:`ltadmm_verify.jobs.map_jobs`: ``workers`` local processes, ``None`` for MPI ranks under
    ``mpi4py.futures`` or sequential); the result does not depend on how they are spread.
    """
    config = ReproductionConfig() if config is None else config
    result = ReproductionResult(config, {s: split_result(config, s) for s in config.splits})
    tunings = [(config, s, m, t) for s in config.splits for m in config.methods for t in config.taus(m)]
    bar = ProgressBar(len(tunings), "reproduce: tuning", enabled=progress)
    try:
        records = map_jobs(tune_job, tunings, workers=workers, on_done=lambda _: bar.update())
    finally:
        bar.close()
    for (_, split, method, tau), record in zip(tunings, records, strict=True):
        result.splits[split].tuning.setdefault(method, {})[tau] = record
    needed = [(config, s, choice) for s in config.splits
              for choice in result.splits[s].needed().values()]
    bar = ProgressBar(len(needed), "reproduce: evaluation", enabled=progress)
    try:
        evaluations = map_jobs(evaluation_job, needed, workers=workers, on_done=lambda _: bar.update())
    finally:
        bar.close()
    for (_, split, choice), evaluation in zip(needed, evaluations, strict=True):
        result.splits[split].evaluations[choice.config_key] = evaluation
    return result


__all__ = [
    "ALGORITHMS",
    "BASELINES",
    "LT_FAMILY",
    "METHODS",
    "MIN_BOOTSTRAP_SEEDS",
    "SPLITS",
    "CostModel",
    "ReproductionConfig",
    "ReproductionResult",
    "SplitResult",
    "base_algorithm",
    "bootstrap_ratio",
    "first_reach",
    "format_table",
    "reach_time",
    "reproduce",
]
