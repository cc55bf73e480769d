"""Theory layer: exact linear analysis of quadratics, theorem cards, admissible step sizes.

- :mod:`.exact`: the exact affine round map of LT-ADMM on quadratics (spectral radius, critical step
  size, stationary covariance under Gaussian noise, exact expected metric curves).
"""

from .exact import (
    LinearModel,
    Parameters,
    critical_step_size,
    expected_metrics,
    linear_model,
    noise_floor,
    spectral_radius,
    stationary_covariance,
)

__all__ = [
    "LinearModel",
    "Parameters",
    "critical_step_size",
    "expected_metrics",
    "linear_model",
    "noise_floor",
    "spectral_radius",
    "stationary_covariance",
]
