"""ltadmm-verify: make the theory of LT-ADMM and LT-ADMM-VR checkable by computation.

Paper: S. Ren, N. Bastianello, K. H. Johansson, T. Parisini, "Communication-Efficient Stochastic
Distributed Learning", arXiv 2501.13516. The global cost is the *sum* ``F(x) = sum_i f_i(x)``.
"""

from . import network, problems, theory
from .algorithms import (
    KGT,
    LED,
    LTADMM,
    LTADMMVR,
    Algorithm,
    Channel,
    ExactADMM,
    GaussianNoise,
    GilbertElliott,
    LocalDSGD,
    Quantize,
    RandK,
    RunResult,
    StochasticQuantize,
    TopK,
)
from .errors import (
    ConfigurationError,
    InadmissibleStepSize,
    InvalidGraphError,
    InvalidParameterError,
    InvalidProblemError,
    LTADMMVerifyError,
)
from .network import Network, make_network
from .plot import plot
from .problems import (
    LeastSquares,
    LogisticRegression,
    Problem,
    Quadratic,
    SoftmaxRegression,
    digits,
    random_least_squares,
    random_logistic,
    random_quadratic,
)
from .smoothness import estimate_smoothness
from .solve import run, run_replicas
from .theory import admissible_step_size, check_step_size

__version__ = "0.1.0"

__all__ = [
    "KGT",
    "LED",
    "LTADMM",
    "LTADMMVR",
    "Algorithm",
    "Channel",
    "ConfigurationError",
    "ExactADMM",
    "GaussianNoise",
    "GilbertElliott",
    "InadmissibleStepSize",
    "InvalidGraphError",
    "InvalidParameterError",
    "InvalidProblemError",
    "LTADMMVerifyError",
    "LeastSquares",
    "LocalDSGD",
    "LogisticRegression",
    "Network",
    "Problem",
    "Quadratic",
    "Quantize",
    "RandK",
    "RunResult",
    "SoftmaxRegression",
    "StochasticQuantize",
    "TopK",
    "admissible_step_size",
    "check_step_size",
    "digits",
    "estimate_smoothness",
    "make_network",
    "network",
    "plot",
    "problems",
    "random_least_squares",
    "random_logistic",
    "random_quadratic",
    "run",
    "run_replicas",
    "theory",
]
