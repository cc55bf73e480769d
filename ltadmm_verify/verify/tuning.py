r"""Tuning on a declared budget: the parameter search of a fair comparison (SPEC 9).

Every algorithm declares the ranges a fair comparison searches (``tuning_ranges``, next to its
parameter validation, :mod:`ltadmm_verify.algorithms.parameters`). :func:`compass_search` tunes
those parameters (all but the ones held fixed, e.g. ``tau``) with the same number of
configurations for every method, by a deterministic coordinate (compass) search:

1. score the centre of every range (geometric centre on a log scale, midpoint on a linear one),
   then ``explore`` points of a scrambled Halton sequence (fixed seed) spread over the ranges: they
   find combinations a one-parameter-at-a-time move cannot reach (e.g. a larger step with a smaller
   penalty ratio when each alone diverges);
2. from the best so far, for each parameter in turn (the step size first), try one step up and one
   step down (the initial step of a parameter is its range divided into ``points - 1`` intervals);
   move to the first better configuration and keep moving in that direction while the score
   improves;
3. after a pass over every parameter without improvement, halve every step; stop when ``budget``
   configurations have been scored (or every step is below :data:`MIN_LOG_STEP`).

**Edges.** A move beyond the end of a range is allowed only from a best value on that end: the range
is then extended by one step in that direction, at most ``max_extensions`` times per end, and the
extension is recorded (the JSON says so). An extension to a value the parameter's constraint
rejects (e.g. ``alpha >= 1``) is not made; a smaller step later may still extend the range.

The sequence of configurations does not depend on the budget, so the search stopped after ``b``
configurations is the first ``b`` of a longer one: :meth:`TuningRecord.best` with a smaller budget
gives the halved-budget result without new runs (the sensitivity of a verdict to the budget).

Scores are compared as tuples (smaller is better), e.g. ``(not reached, time to target, objective)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy import stats

from .._validation import integer_at_least
from ..algorithms import Algorithm
from ..algorithms.parameters import Range
from ..errors import InvalidParameterError

#: A pass ends the search when every step (in log units; linear steps relative to the range) is
#: below this: further moves change a parameter by less than 2%.
MIN_LOG_STEP = math.log(1.02)

Score = tuple[float, ...]


@dataclass(frozen=True)
class Trial:
    """One scored configuration: the tuned values (by declared name), its score and details."""

    index: int
    values: dict[str, float]
    score: Score
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"index": self.index, "values": self.values, "score": list(self.score), **self.details}


@dataclass
class TuningRecord:
    """What a search tried: the declared ranges, the ranges searched after extensions, every trial."""

    method: str
    fixed: dict[str, Any]
    declared: dict[str, dict[str, Any]]
    budget: int
    trials: list[Trial] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)

    def best(self, budget: int | None = None) -> Trial:
        """Best trial among the first ``budget`` (default: all), earliest on ties."""
        trials = self.trials[: self.budget if budget is None else budget]
        if not trials:
            raise InvalidParameterError(f"no trial within a budget of {budget}")
        return min(trials, key=lambda t: (t.score, t.index))

    def untried(self, budget: int | None = None) -> list[str]:
        """Parameters no trial within ``budget`` moved from the start of the search (untuned)."""
        trials = self.trials[: self.budget if budget is None else budget]
        if not trials:
            return list(self.declared)
        start = trials[0].values
        return [name for name in self.declared
                if all(math.isclose(t.values[name], start[name]) for t in trials)]

    def searched(self, budget: int | None = None) -> dict[str, list[float]]:
        """The ranges as searched within ``budget`` trials (declared ends moved by the extensions)."""
        limit = self.budget if budget is None else budget
        out = {name: [r["low"], r["high"]] for name, r in self.declared.items()}
        for ext in self.extensions:
            if ext["before_trial"] < limit:
                out[ext["parameter"]][0 if ext["end"] == "low" else 1] = ext["to"]
        return out

    def on_range_end(self, budget: int | None = None) -> list[dict[str, Any]]:
        """Best values within ``budget`` that lie on an end of their searched range.

        The search extends a range from a best value on its end, so a best value still on an end
        is one it could not follow further: the end was extended ``max_extensions`` times, the next
        value is rejected by the parameter's constraint (e.g. ``alpha < 1``), or the budget ran out.
        The optimum may lie beyond it; a comparison that rests on it says so.
        """
        limit = self.budget if budget is None else budget
        best = self.best(limit).values
        out = []
        for name, (low, high) in self.searched(limit).items():
            for end, value in (("low", low), ("high", high)):
                if math.isclose(best[name], value, rel_tol=1e-9, abs_tol=1e-12):
                    out.append({"parameter": name, "end": end, "value": best[name]})
        return out

    def summary(self, budget: int | None = None) -> dict[str, Any]:
        """JSON-ready digest at ``budget``: tuned values, ranges declared and searched, extensions."""
        limit = self.budget if budget is None else budget
        best = self.best(limit)
        return {
            "method": self.method,
            "fixed": self.fixed,
            "tuned": best.values,
            "score": list(best.score),
            "budget": limit,
            "trials_used": min(limit, len(self.trials)),
            "declared_ranges": self.declared,
            "searched_ranges": self.searched(limit),
            "extensions": [e for e in self.extensions if e["before_trial"] < limit],
            "untried": self.untried(limit),
            "best_on_range_end": self.on_range_end(limit),
        }


class _Axis:
    """One tuned parameter in search coordinates (log of the value, or the value)."""

    def __init__(self, name: str, declared: Range, points: int) -> None:
        self.name, self.log = name, declared.scale != "linear"
        self.low, self.high = self.to_u(declared.low), self.to_u(declared.high)
        self.step = (self.high - self.low) / (points - 1)
        self.extended = {"low": 0, "high": 0}

    def to_u(self, value: float) -> float:
        return math.log(value) if self.log else float(value)

    def value(self, u: float) -> float:
        return math.exp(u) if self.log else u

    def small(self) -> bool:
        scale = 1.0 if self.log else max(abs(self.high - self.low), 1e-300)
        return self.step / scale < MIN_LOG_STEP


def _declared(algorithm: Algorithm, exclude: Sequence[str]) -> dict[str, Range]:
    ranges = {k: v for k, v in algorithm.tuning_ranges.items() if k not in exclude}
    if not ranges:
        raise InvalidParameterError(f"{type(algorithm).__name__} declares no tunable parameter "
                                    f"besides {list(exclude)}")
    return ranges


def compass_search(
    base: Algorithm,
    score: Callable[[Algorithm], tuple[Score, dict[str, Any]]],
    budget: int,
    *,
    points: int = 5,
    explore: int = 8,
    max_extensions: int = 2,
    exclude: Sequence[str] = ("tau",),
) -> TuningRecord:
    """Tune the declared parameters of ``base`` (module docstring).

    Parameters
    ----------
    base : Algorithm
        Supplies the class, its ``tuning_ranges`` and every parameter that is not tuned.
    score : callable
        ``score(algorithm) -> (score tuple, details)``; smaller scores are better.
    budget : int
        Number of configurations scored (repeated configurations are not scored twice).
    points : int
        Initial grid resolution: the first step of a parameter is its range over ``points - 1``.
    explore : int
        Halton points scored after the centre, before the compass moves.
    max_extensions : int
        How many times each end of a range may be extended.
    exclude : sequence of str
        Declared parameters held at ``base``'s value (e.g. ``tau``, compared separately).

    Returns
    -------
    TuningRecord
    """
    budget = integer_at_least("budget", budget, 1)
    points = integer_at_least("points", points, 2)
    max_extensions = integer_at_least("max_extensions", max_extensions, 0)
    explore = integer_at_least("explore", explore, 0)
    declared = _declared(base, exclude)
    axes = [_Axis(name, rng, points) for name, rng in declared.items()]
    set_by_ratio = {name.split("/", 1)[0] for name in declared if "/" in name}  # e.g. beta (beta/gamma)
    record = TuningRecord(
        method=base.name,
        fixed={k: v for k, v in base.parameters().items()
               if k not in declared and k not in set_by_ratio and k != "algorithm"},
        declared={k: {"low": r.low, "high": r.high, "scale": r.scale} for k, r in declared.items()},
        budget=budget)
    cache: dict[tuple[float, ...], Trial] = {}

    def evaluate(u: list[float]) -> Trial | None:
        """Score the configuration at ``u`` (``None`` if its values are rejected or no budget)."""
        key = tuple(round(x, 12) for x in u)
        if key in cache:
            return cache[key]
        if len(record.trials) >= budget:
            return None
        values = {a.name: a.value(x) for a, x in zip(axes, u, strict=True)}
        try:
            algorithm = base.with_values(**values)
        except InvalidParameterError:
            return None
        result, details = score(algorithm)
        trial = Trial(len(record.trials), values, tuple(float(s) for s in result), details)
        record.trials.append(trial)
        cache[key] = trial
        return trial

    current = [0.5 * (a.low + a.high) for a in axes]
    best = evaluate(current)
    if best is None:
        raise InvalidParameterError(f"the centre of the declared ranges of {base.name} is not a valid "
                                    f"configuration: {declared}")
    if explore:
        for row in stats.qmc.Halton(len(axes), scramble=True, seed=0).random(explore):
            u = [a.low + float(r) * (a.high - a.low) for a, r in zip(axes, row, strict=True)]
            trial = evaluate(u)
            if trial is not None and trial.score < best.score:
                best, current = trial, u

    def valid(name: str, value: float) -> bool:
        try:
            base.with_values(**{name: value})
        except InvalidParameterError:
            return False
        return True

    def candidate(i: int, direction: int) -> list[float] | None:
        """``current`` moved one step along axis ``i``, extending the range if allowed."""
        axis = axes[i]
        u = current[i] + direction * axis.step
        end = "high" if direction > 0 else "low"
        limit = axis.high if direction > 0 else axis.low
        if (u - limit) * direction > 1e-12:
            if abs(current[i] - limit) >= 1e-12:
                u = limit  # stop on the end of the range; extend only from there
            elif axis.extended[end] >= max_extensions or not valid(axis.name, axis.value(u)):
                return None
            else:
                axis.extended[end] += 1
                if direction > 0:
                    axis.high = u
                else:
                    axis.low = u
                record.extensions.append({"parameter": axis.name, "end": end,
                                          "to": axis.value(u), "before_trial": len(record.trials)})
        moved = list(current)
        moved[i] = u
        return moved

    while len(record.trials) < budget:
        improved = False
        for i in range(len(axes)):
            for direction in (1, -1):
                moved_here = False
                moved = candidate(i, direction)
                while moved is not None:
                    trial = evaluate(moved)
                    if trial is None:  # no budget left, or rejected by a parameter's constraint
                        break
                    if trial.score >= best.score:
                        break
                    best, current, moved_here = trial, moved, True
                    moved = candidate(i, direction)
                if moved_here:
                    improved = True
                    break  # no need to look back the way we came
        if len(record.trials) >= budget:
            break
        if not improved:
            if all(a.small() for a in axes):
                break
            for a in axes:
                a.step /= 2.0
    return record


__all__ = ["MIN_LOG_STEP", "Score", "Trial", "TuningRecord", "compass_search"]
