"""Exceptions raised by ltadmm-verify.

Every error the toolkit raises on purpose derives from :class:`LTADMMVerifyError`, itself a
``ValueError``, so a caller can catch all of them at once. Messages name the argument, the value
received and what was expected.
"""

from __future__ import annotations


class LTADMMVerifyError(ValueError):
    """Base class of every error raised by ltadmm-verify on purpose."""


class InvalidGraphError(LTADMMVerifyError):
    """The communication graph is not a connected, undirected simple graph with >= 2 nodes."""


class InvalidProblemError(LTADMMVerifyError):
    """Problem data are not finite, have inconsistent shapes or invalid labels."""


class InvalidParameterError(LTADMMVerifyError):
    """An algorithm or run parameter is outside its allowed range."""


class InadmissibleStepSize(LTADMMVerifyError):
    """A step size violates a theorem's condition or the exact stability limit."""


class ConfigurationError(LTADMMVerifyError):
    """A user configuration file has an unknown key or a value of the wrong type."""
