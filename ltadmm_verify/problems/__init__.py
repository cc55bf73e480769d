"""Finite-sum problems distributed over agents (``F = sum_i f_i``)."""

from .base import HeldOut, Problem, SmoothnessConstants
from .datasets import accuracy, digits, random_least_squares, random_logistic
from .linear_models import LeastSquares, LinearModelProblem, LogisticRegression, SoftmaxRegression
from .quadratic import Quadratic, random_quadratic

__all__ = [
    "HeldOut",
    "LeastSquares",
    "LinearModelProblem",
    "LogisticRegression",
    "Problem",
    "Quadratic",
    "SmoothnessConstants",
    "SoftmaxRegression",
    "accuracy",
    "digits",
    "random_least_squares",
    "random_logistic",
    "random_quadratic",
]
