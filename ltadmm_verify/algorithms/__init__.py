"""Distributed algorithms, their gradient oracles, the metrics and the shared run loop."""

from .base import Algorithm, State
from .baselines import KGT, LED, ExactADMM, LocalDSGD
from .ltadmm import LTADMM, LTADMMVR
from .metrics import MetricRecorder
from .oracles import GaussianNoise, GradientOracle, GradientTable, Oracle, OracleMemory
from .parameters import Range
from .run import RunResult, run

__all__ = [
    "KGT",
    "LED",
    "LTADMM",
    "LTADMMVR",
    "Algorithm",
    "ExactADMM",
    "GaussianNoise",
    "GradientOracle",
    "GradientTable",
    "LocalDSGD",
    "MetricRecorder",
    "Oracle",
    "OracleMemory",
    "Range",
    "RunResult",
    "State",
    "run",
]
