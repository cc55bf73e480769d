"""Distributed algorithms, their gradient oracles, the metrics and the shared run loop."""

from .base import Algorithm, State
from .ltadmm import LTADMM, LTADMMVR
from .metrics import MetricRecorder
from .oracles import GaussianNoise, GradientOracle
from .run import RunResult, run

__all__ = [
    "LTADMM",
    "LTADMMVR",
    "Algorithm",
    "GaussianNoise",
    "GradientOracle",
    "MetricRecorder",
    "RunResult",
    "State",
    "run",
]
