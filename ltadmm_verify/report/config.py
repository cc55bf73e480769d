"""Configuration of the verification report: the embedded default TOML and a user's overrides.

The default configuration ships as ``ltadmm_verify/report/default.toml``. A user's TOML file overrides
any part of it: tables merge key by key, every other value (numbers, strings, lists) replaces the
default. The ``[quick]`` table holds overrides (same layout as the rest of the file) applied on top
when the report runs with ``--quick``.

The default is also the schema: a key that the default does not have is rejected, and a value must
have the type of the default's value (an integer is accepted where a number is expected). Values
with a fixed vocabulary (graph families, problems, claims, the reproduction's splits) and ranges
are checked as well: every number must be finite (TOML's ``nan`` and ``inf`` are refused) with
magnitude at most :data:`~ltadmm_verify._validation.MAX_MAGNITUDE`; every integer lies in the range
of :data:`MINIMUM` and :data:`MAXIMUM`; fractions of the stability threshold lie in ``(0, 1)``. The
file must be UTF-8 (as TOML requires). Every error is a
:class:`~ltadmm_verify.errors.ConfigurationError` naming the key path (``checks.seeds``), the value
received and what was expected, raised before any computation starts.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .._validation import MAX_MAGNITUDE
from ..claims import CLAIMS as ALL_CLAIMS
from ..errors import ConfigurationError
from ..network import GENERATORS
from ..problems.catalog import MAX_DATA_ENTRIES, PROBLEMS

#: claims of SPEC section 4, in report order
CLAIMS = tuple(ALL_CLAIMS)

#: allowed values of string (or list-of-string) settings, by key path
CHOICES: dict[str, tuple[str, ...]] = {
    "report.claims": CLAIMS,
    "setup.graphs": tuple(sorted(GENERATORS)),
    "setup.problems": PROBLEMS,
    "checks.problems": PROBLEMS,
    "checks.graph": tuple(sorted(GENERATORS)),
    "algorithm.penalty": ("frozen", "inner"),
    "reproduction.splits": ("iid", "label"),
    "worst_case.graph": tuple(sorted(GENERATORS)),
    "unreliable.graphs": tuple(sorted(GENERATORS)),
    "unreliable.critical_graphs": tuple(sorted(GENERATORS)),
}

#: smallest allowed value of numeric settings (or of every element of a numeric list), by key path
MINIMUM: dict[str, float] = {
    "report.seed": 0,
    "report.workers": 1,
    "setup.agents": 2,
    "setup.dim": 1,
    "setup.samples": 1,
    "setup.data_seed": 0,
    "setup.smoothness_points": 1,
    "setup.batch_size": 1,
    "algorithm.rho": 1e-300,
    "algorithm.beta_ratio": 1e-300,
    "theory.tau": 1,
    "theory.divergence_rounds": 1,
    "comparison.mu": 1e-300,
    "comparison.L": 1e-300,
    "comparison.step_fraction": 1e-300,
    "comparison.certify_tau": 1,
    "comparison.n_quadratics": 0,
    "checks.seeds": 2,
    "checks.rounds": 8,
    "checks.tau": 1,
    "checks.base_tau": 1,
    "checks.sigma2": 1e-300,
    "checks.gamma_fraction": 1e-300,
    "checks.gamma_fractions": 1e-300,
    "checks.vr_gamma_fraction": 1e-300,
    "checks.batch_size": 1,
    "worst_case.agents": 2,
    "worst_case.rounds": 1,
    "worst_case.taus": 1,
    "worst_case.gamma": 1e-300,
    "worst_case.rho": 1e-300,
    "worst_case.L": 1e-300,
    "unreliable.agents": 3,
    "unreliable.dim": 1,
    "unreliable.losses": 0,
    "unreliable.critical_losses": 0,
    "unreliable.check_loss": 1e-300,
    "unreliable.channel_noise": 1e-300,
    "unreliable.rounds": 20,
    "reproduction.ratios": 1e-300,
    "reproduction.expensive_ratios": 1e-300,
}

#: Monte Carlo seeds are ``report.seed * 100000 + 10000 c + 1000 p + s``: they stay below 2**63
MAX_REPORT_SEED = 10**12

#: largest allowed value of integer settings (or of every element of an integer list), by key path.
#: The report's exact and certified analyses are dense in ``N d``, so the sizes are capped where a
#: report would run for days; an integer setting absent here is capped at 2**62.
MAXIMUM: dict[str, int] = {
    "report.seed": MAX_REPORT_SEED,
    "report.workers": 64,
    "setup.agents": 1000,
    "setup.dim": 1000,
    "setup.samples": 100_000,
    "setup.smoothness_points": 1000,
    "setup.batch_size": 100_000,
    "theory.tau": 1000,
    "theory.divergence_rounds": 100_000,
    "comparison.certify_tau": 1000,
    "comparison.n_quadratics": 100,
    "checks.seeds": 1000,
    "checks.rounds": 100_000,
    "checks.tau": 1000,
    "checks.base_tau": 1000,
    "checks.batch_size": 100_000,
    "worst_case.agents": 6,
    "worst_case.rounds": 8,
    "worst_case.taus": 4,
    "unreliable.agents": 16,
    "unreliable.dim": 4,
    "unreliable.rounds": 100_000,
}

#: settings that are fractions (of the stability threshold, of the test set): open interval (0, 1)
FRACTIONS = ("checks.gamma_fraction", "checks.gamma_fractions", "checks.vr_gamma_fraction",
             "comparison.step_fraction", "unreliable.step_fraction")

#: the table of overrides applied by ``--quick`` (not part of the effective configuration)
QUICK_KEY = "quick"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        inner = {_type_name(v) for v in value}
        if len(inner) == 1:
            return "a list of " + inner.pop().split(" ", 1)[1] + "s"
        return "a list"
    return type(value).__name__


def _matches(value: Any, template: Any) -> bool:
    """Whether ``value`` has the type of the default ``template`` (int allowed for float)."""
    if isinstance(template, bool):
        return isinstance(value, bool)
    if isinstance(template, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(template, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(template, str):
        return isinstance(value, str)
    if isinstance(template, list):
        return isinstance(value, list) and all(_matches(v, template[0]) for v in value)
    return False


def _check_value(path: str, value: Any) -> None:
    """Vocabulary and range of ``value`` (the rules of ``x.y`` also hold for ``quick.x.y``)."""
    rule = path.removeprefix(f"{QUICK_KEY}.")
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        raise ConfigurationError(f"{path} must be a non-empty list, got []")
    if rule in CHOICES:
        allowed = CHOICES[rule]
        for item in items:
            if item not in allowed:
                raise ConfigurationError(f"{path} must be one of {list(allowed)}, got {item!r}")
    for item in items:
        if isinstance(item, float) and not math.isfinite(item):
            raise ConfigurationError(f"{path} must be a finite number, got {item!r}")
        if isinstance(item, float) and abs(item) > MAX_MAGNITUDE:
            raise ConfigurationError(
                f"{path} must have magnitude at most {MAX_MAGNITUDE:g}, got {item!r}")
    if rule in MINIMUM:
        low = MINIMUM[rule]
        for item in items:
            if item < low:
                what = "> 0" if 0 < low < 1e-100 else f">= {low:g}"
                raise ConfigurationError(f"{path} must be {what}, got {item!r}")
    high = MAXIMUM.get(rule, 2**62)
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and item > high:
            raise ConfigurationError(f"{path} must be at most {high}, got {item!r}")
    if rule in FRACTIONS:
        for item in items:
            if not 0 < item < 1:
                raise ConfigurationError(f"{path} must lie in the open interval (0, 1), got {item!r}")


def _merge(base: dict[str, Any], override: Mapping[str, Any], schema: Mapping[str, Any],
           prefix: str) -> None:
    """Merge ``override`` into ``base`` in place, validating every key against ``schema``."""
    for key, value in override.items():
        path = f"{prefix}{key}"
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise ConfigurationError(f"unknown key {path!r} (known keys here: {known})")
        template = schema[key]
        if isinstance(template, Mapping):
            if not isinstance(value, Mapping):
                raise ConfigurationError(
                    f"{path} must be a table, got {value!r} ({_type_name(value)})")
            _merge(base[key], value, template, f"{path}.")
            continue
        if not _matches(value, template):
            raise ConfigurationError(
                f"{path} must be {_type_name(template)}, got {value!r} ({_type_name(value)})")
        _check_value(path, value)
        base[key] = float(value) if isinstance(template, float) else (
            [float(v) for v in value] if isinstance(template, list) and isinstance(template[0], float)
            else copy.deepcopy(value))


def default_text() -> str:
    """The embedded default configuration (TOML text)."""
    return resources.files("ltadmm_verify.report").joinpath("default.toml").read_text("utf-8")


def _parse(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{origin} is not valid TOML: {error}") from None


def load_config(
    path: str | Path | None = None, *, quick: bool = False, seed: int | None = None
) -> dict[str, Any]:
    """The effective report configuration.

    Parameters
    ----------
    path : str or Path, optional
        A user's TOML file overriding any part of the default.
    quick : bool
        Apply the ``[quick]`` overrides (small grids, few seeds: a smoke run of every section).
    seed : int, optional
        Overrides ``report.seed``.

    Returns
    -------
    dict
        The merged configuration without the ``quick`` table, plus ``report.quick``.

    Raises
    ------
    ConfigurationError
        Unreadable or invalid TOML, an unknown key, a value of the wrong type or out of range.
    """
    default = _parse(default_text(), "the default configuration")
    schema = {k: v for k, v in default.items() if k != QUICK_KEY}
    user: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        try:
            text = file.read_bytes().decode("utf-8")
        except OSError as error:
            raise ConfigurationError(f"cannot read configuration file {str(file)!r}: "
                                     f"{error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise ConfigurationError(
                f"configuration file {str(file)!r} must be UTF-8 text (TOML), got byte "
                f"{error.object[error.start:error.start + 1]!r} at position {error.start}") from None
        user = _parse(text, f"configuration file {str(file)!r}")
    user_quick = user.pop(QUICK_KEY, {})
    if not isinstance(user_quick, Mapping):
        raise ConfigurationError(f"quick must be a table, got {user_quick!r} ({_type_name(user_quick)})")
    # order: default, default's [quick] (if quick), user's file, user's [quick] (if quick)
    config = copy.deepcopy(schema)
    if quick:
        _merge(config, default[QUICK_KEY], schema, "quick.")
    _merge(config, user, schema, "")
    with_user_quick = copy.deepcopy(config)
    _merge(with_user_quick, user_quick, schema, "quick.")  # validated even without --quick
    if quick:
        config = with_user_quick
    setup = config["setup"]
    entries = setup["agents"] * setup["samples"] * setup["dim"]
    if entries > MAX_DATA_ENTRIES:
        raise ConfigurationError(
            f"setup.agents x setup.samples x setup.dim = {entries} data entries must be at most "
            f"{MAX_DATA_ENTRIES:.0e} (1.6 GB)")
    comparison = config["comparison"]
    if comparison["mu"] > comparison["L"]:
        raise ConfigurationError(
            f"comparison.mu must be at most comparison.L = {comparison['L']!r}, got "
            f"{comparison['mu']!r}")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_REPORT_SEED:
            raise ConfigurationError(
                f"--seed must be an integer in [0, {MAX_REPORT_SEED}] (10**12), got {seed!r}")
        config["report"]["seed"] = seed
    config["report"]["quick"] = quick
    return config
