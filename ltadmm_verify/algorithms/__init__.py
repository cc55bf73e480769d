"""Distributed algorithms, their gradient oracles and the metrics.

The shared run loop is :mod:`ltadmm_verify.algorithms.run` (internal); run an algorithm with
:func:`ltadmm_verify.run` or :func:`ltadmm_verify.run_replicas`.
"""

from .base import Algorithm, State
from .baselines import KGT, LED, ExactADMM, LocalDSGD
from .channel import Channel, Compressor, GilbertElliott, Quantize, RandK, StochasticQuantize, TopK
from .gradient_tables import FactoredGradientTable, GradientTable, OracleMemory
from .ltadmm import LTADMM, LTADMMVR
from .metrics import MetricRecorder
from .oracles import GaussianNoise, GradientOracle, Oracle
from .parameters import Range
from .run import RunResult

#: the built-in algorithms by their ``name`` (what ``--algorithm`` and the reproduction call them)
ALGORITHMS: dict[str, type[Algorithm]] = {
    cls.name: cls for cls in (LTADMM, LTADMMVR, LED, KGT, LocalDSGD, ExactADMM)}

__all__ = [
    "ALGORITHMS",
    "KGT",
    "LED",
    "LTADMM",
    "LTADMMVR",
    "Algorithm",
    "Channel",
    "Compressor",
    "ExactADMM",
    "FactoredGradientTable",
    "GaussianNoise",
    "GilbertElliott",
    "GradientOracle",
    "GradientTable",
    "LocalDSGD",
    "MetricRecorder",
    "Oracle",
    "OracleMemory",
    "Quantize",
    "RandK",
    "Range",
    "RunResult",
    "State",
    "StochasticQuantize",
    "TopK",
]
