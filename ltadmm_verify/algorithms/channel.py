r"""Unreliable networks (SPEC 8): what a round's messages go through, as data.

:class:`Channel` describes the network a run sees; :func:`ltadmm_verify.run` applies it through
:class:`~ltadmm_verify.algorithms.transport.ChannelTransport`. Per round ``k`` (every event keyed by
the run's seed, the directed edge or agent, ``k`` and the call of the round, like the minibatches):

- **message loss**: each directed message is lost independently with probability ``p``, or by the
  bursts of a :class:`GilbertElliott` chain per directed link. What the receiver keeps is the
  algorithm's: an ``exchange`` gives a *fallback* per edge (LT-ADMM's ``-z_ij``, which holds
  ``z_ij``); ``mix`` substitutes the receiver's own value, ``w_ij v_j -> w_ij v_i`` (the row of
  ``W`` still sums to 1).
- **agent activation**: agent ``i`` is active with probability ``q``; an inactive agent skips the
  round (no local steps, no sends, no update of its own rows of the state).
- **compression** of every transmitted vector (:class:`Quantize`, :class:`StochasticQuantize`,
  :class:`TopK`, :class:`RandK`);
- **channel noise**: ``v -> v + n``, ``n ~ N(0, (sigma_c^2 / d) I_d)`` on every directed message
  (``E||n||^2 = sigma_c^2``).

Accounting: messages sent (by active agents), messages delivered, floats sent (what the compressor
transmits: ``d`` per vector uncompressed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import integer_at_least, nonnegative_float, positive_float, probability
from ..errors import InvalidParameterError
from ..problems.base import FloatArray


@dataclass(frozen=True)
class GilbertElliott:
    r"""Bursty loss: a two-state Markov chain per directed link, stepped once per round.

    .. math::

        P(\text{good} \to \text{bad}) = g,\quad P(\text{bad} \to \text{good}) = b,\quad
        P(\text{lost} \mid \text{bad}) = p_{\text{bad}},\quad P(\text{lost} \mid \text{good}) = 0.

    The chain starts in its stationary law, ``P(bad) = g / (g + b)``; the long-run loss rate is
    ``p_bad g / (g + b)`` and a bad spell lasts ``1 / b`` rounds on average.

    Parameters
    ----------
    p_bad : float
        Loss probability in the bad state, in ``[0, 1]``.
    good_to_bad, bad_to_good : float
        Transition probabilities ``g`` and ``b`` in ``(0, 1]``.
    """

    p_bad: float
    good_to_bad: float
    bad_to_good: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "p_bad", probability("p_bad", self.p_bad))
        for name in ("good_to_bad", "bad_to_good"):
            object.__setattr__(self, name, probability(name, getattr(self, name), zero=False))

    @property
    def stationary_bad(self) -> float:
        """``g / (g + b)``: the long-run fraction of rounds in the bad state."""
        return self.good_to_bad / (self.good_to_bad + self.bad_to_good)

    @property
    def loss_rate(self) -> float:
        """``p_bad g / (g + b)``: the long-run probability that a message is lost."""
        return self.p_bad * self.stationary_bad


# ---------------------------------------------------------------------------- compressors
@dataclass(frozen=True)
class Compressor:
    """A compression operator applied to every transmitted vector (rows of a ``(rows, d)`` array).

    ``apply(values, uniforms)`` gets, for randomised operators, one uniform number in ``[0, 1)`` per
    entry (keyed like every random event of the run); ``floats(d)`` is what one vector costs.
    """

    #: whether :meth:`apply` needs random numbers
    randomised = False

    def apply(self, values: FloatArray, uniforms: FloatArray | None) -> FloatArray:
        """The compressed rows."""
        raise NotImplementedError

    def floats(self, d: int) -> int:
        """Floats transmitted per vector of dimension ``d``."""
        return d


@dataclass(frozen=True)
class Quantize(Compressor):
    r"""Deterministic quantisation to a grid: ``C(v) = Delta round(v / Delta)`` (entrywise).

    Biased; the error per entry is at most ``Delta / 2``. ``d`` floats (grid levels) per vector.

    Parameters
    ----------
    step : float
        The grid step ``Delta > 0``.
    """

    step: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", positive_float("step", self.step))

    def apply(self, values: FloatArray, uniforms: FloatArray | None) -> FloatArray:
        return self.step * np.round(values / self.step)


@dataclass(frozen=True)
class StochasticQuantize(Compressor):
    r"""QSGD stochastic quantisation with ``s`` levels (unbiased).

    .. math::

        C(v)_l = \|v\|\,\mathrm{sign}(v_l)\,\xi_l / s,\qquad
        \xi_l = \lfloor s |v_l| / \|v\| \rfloor + \mathbb{1}[u_l < s |v_l|/\|v\| - \lfloor\cdot\rfloor],

    ``u_l`` uniform: ``E[C(v)] = v``. ``C(0) = 0``. Costs ``d + 1`` floats (the norm and ``d``
    levels).

    Parameters
    ----------
    levels : int
        ``s >= 1``.
    """

    levels: int

    randomised = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", integer_at_least("levels", self.levels, 1))

    def apply(self, values: FloatArray, uniforms: FloatArray | None) -> FloatArray:
        assert uniforms is not None
        norm = np.linalg.norm(values, axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = np.where(norm > 0, self.levels * np.abs(values) / norm, 0.0)
        low = np.floor(scaled)
        xi = low + (uniforms < scaled - low)
        return np.asarray(norm * np.sign(values) * xi / self.levels)

    def floats(self, d: int) -> int:
        return d + 1


def _count(k: float, d: int) -> int:
    """``k`` entries out of ``d``: an integer count, or a fraction in ``(0, 1)`` (rounded up)."""
    if isinstance(k, float) and 0.0 < k < 1.0:
        return max(1, math.ceil(k * d))
    return min(int(k), d)


def _check_count(name: str, k: object) -> float:
    if isinstance(k, float) and 0.0 < k < 1.0:
        return k
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or int(k) < 1:
        raise InvalidParameterError(
            f"{name} must be an integer >= 1 (entries kept) or a fraction in (0, 1), got {k!r}")
    return int(k)


@dataclass(frozen=True)
class TopK(Compressor):
    r"""Top-k sparsification: keep the ``k`` entries of largest magnitude, zero the rest (biased).

    ``k`` an integer ``>= 1`` (capped at ``d``) or a fraction in ``(0, 1)`` of ``d`` (rounded up).
    Costs ``k`` floats per vector (the ``k`` integer indices are not counted as floats).
    """

    k: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", _check_count("k", self.k))

    def apply(self, values: FloatArray, uniforms: FloatArray | None) -> FloatArray:
        d = values.shape[1]
        keep = _count(self.k, d)
        if keep >= d:
            return values.copy()
        drop = np.argpartition(np.abs(values), d - keep, axis=1)[:, : d - keep]
        out = values.copy()
        np.put_along_axis(out, drop, 0.0, axis=1)
        return out

    def floats(self, d: int) -> int:
        return _count(self.k, d)


@dataclass(frozen=True)
class RandK(Compressor):
    r"""Rand-k sparsification: keep ``k`` uniformly random entries (keyed), zero the rest.

    With ``unbiased=True`` the kept entries are scaled by ``d / k`` (then ``E[C(v)] = v``).
    ``k`` as in :class:`TopK`. Costs ``k`` floats (the indices follow from the shared seed).
    """

    k: float
    unbiased: bool = False

    randomised = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", _check_count("k", self.k))
        if not isinstance(self.unbiased, bool):
            raise InvalidParameterError(f"unbiased must be True or False, got {self.unbiased!r}")

    def apply(self, values: FloatArray, uniforms: FloatArray | None) -> FloatArray:
        assert uniforms is not None
        d = values.shape[1]
        keep = _count(self.k, d)
        if keep >= d:
            return values.copy()
        drop = np.argpartition(uniforms, keep, axis=1)[:, keep:]
        out = values * (d / keep) if self.unbiased else values.copy()
        np.put_along_axis(out, drop, 0.0, axis=1)
        return out

    def floats(self, d: int) -> int:
        return _count(self.k, d)


# ---------------------------------------------------------------------------- the channel
@dataclass(frozen=True)
class Channel:
    r"""The network a run sees: message loss, agent activation, compression and channel noise.

    ``Channel()`` is the ideal network (the default of :func:`ltadmm_verify.run`, bit-identical to
    a run without it). Semantics: module docstring and SPEC 8.

    Parameters
    ----------
    loss : float or GilbertElliott, default 0
        Probability ``p in [0, 1)`` that a directed message is lost (i.i.d. over messages, rounds
        and calls), or a :class:`GilbertElliott` burst model.
    activation : float, default 1
        Probability ``q in (0, 1]`` that an agent is active in a round (i.i.d.).
    compression : Compressor or None
        Applied to every transmitted vector.
    noise : float, default 0
        Variance ``sigma_c^2 >= 0`` of the additive Gaussian noise on every directed message,
        ``N(0, (sigma_c^2 / d) I_d)``.
    """

    loss: float | GilbertElliott = 0.0
    activation: float = 1.0
    compression: Compressor | None = None
    noise: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.loss, GilbertElliott):
            object.__setattr__(self, "loss", probability("loss", self.loss, one=False))
        object.__setattr__(self, "activation", probability("activation", self.activation, zero=False))
        if self.compression is not None and not isinstance(self.compression, Compressor):
            raise InvalidParameterError(
                "compression must be Quantize(step), StochasticQuantize(levels), TopK(k), RandK(k) or "
                f"None, got {self.compression!r}")
        object.__setattr__(self, "noise", nonnegative_float("noise", self.noise))

    @property
    def ideal(self) -> bool:
        """Whether every message arrives unchanged and every agent is active."""
        return (self.loss == 0.0 and self.activation == 1.0 and self.compression is None
                and self.noise == 0.0)

    @property
    def lossy(self) -> bool:
        """Whether a message can fail to arrive (loss, or an inactive sender)."""
        return self.loss != 0.0 or self.activation < 1.0

    def describe(self) -> dict[str, object]:
        """JSON-ready description."""
        loss: object = self.loss
        if isinstance(self.loss, GilbertElliott):
            loss = {"gilbert_elliott": {"p_bad": self.loss.p_bad, "good_to_bad": self.loss.good_to_bad,
                                        "bad_to_good": self.loss.bad_to_good}}
        compression = None if self.compression is None else {
            "kind": type(self.compression).__name__, **vars(self.compression)}
        return {"loss": loss, "activation": self.activation, "compression": compression,
                "noise": self.noise}


def parse_compression(text: str) -> Compressor | None:
    """``"none"``, ``"quantize:STEP"``, ``"qsgd:LEVELS"``, ``"topk:K"``, ``"randk:K"`` or
    ``"randk-unbiased:K"`` (``K`` an integer or a fraction in ``(0, 1)``) as a :class:`Compressor`."""
    kind, _, arg = str(text).partition(":")
    kind = kind.strip().lower()
    if kind == "none" and not arg:
        return None

    def number() -> float:
        try:
            value = float(arg)
        except ValueError:
            raise InvalidParameterError(
                f"compression {text!r}: {arg!r} is not a number") from None
        return int(value) if value.is_integer() and value >= 1 else value

    makers = {"quantize": lambda: Quantize(float(number())),
              "qsgd": lambda: StochasticQuantize(number()),  # type: ignore[arg-type]
              "topk": lambda: TopK(number()), "randk": lambda: RandK(number()),
              "randk-unbiased": lambda: RandK(number(), unbiased=True)}
    if kind not in makers or not arg:
        raise InvalidParameterError(
            f"compression must be none, quantize:STEP, qsgd:LEVELS, topk:K, randk:K or "
            f"randk-unbiased:K, got {text!r}")
    return makers[kind]()


__all__ = [
    "Channel",
    "Compressor",
    "GilbertElliott",
    "Quantize",
    "RandK",
    "StochasticQuantize",
    "TopK",
    "parse_compression",
]
